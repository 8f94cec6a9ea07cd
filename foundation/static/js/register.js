// The attendance register: "Saving…" on a row while htmx saves its change, "Not saved" if that failed.
(function () {
  "use strict";

  function rowState(event) {
    const target = event.detail && event.detail.target;
    return target && target.classList && target.classList.contains("row-state") ? target : null;
  }

  // Keeps the row's attendance rate and puts the message (from the list's data-* attributes) after it.
  function show(state, key) {
    const rows = state.closest(".register-rows");
    const rate = state.querySelector(".rate");
    const message = document.createElement("span");
    message.className = key;
    message.textContent = rows.dataset[key];
    state.replaceChildren(...(rate ? [rate, " "] : []), message);
  }

  document.addEventListener("htmx:beforeRequest", function (event) {
    const state = rowState(event);
    if (state) show(state, "saving");
  });
  for (const failure of ["htmx:responseError", "htmx:sendError", "htmx:timeout"]) {
    document.addEventListener(failure, function (event) {
      const state = rowState(event);
      if (state) show(state, "failed");
    });
  }
})();
