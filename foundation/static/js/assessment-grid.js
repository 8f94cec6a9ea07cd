// The assessment grid by keyboard: c or n records a result (htmx saves the cell), the arrows move between
// cells, e opens the cell's note; "Saving…" and "Not saved" on a cell while htmx saves it.
(function () {
  "use strict";
  const grid = document.querySelector(".assessment-grid");
  const screen = grid && grid.closest("form");
  if (!screen) return;
  const RESULTS = { KeyC: "competent", KeyN: "not_yet_competent" }; // by key position: Khmer layouts too
  const MOVES = { ArrowLeft: [0, -1], ArrowRight: [0, 1], ArrowUp: [-1, 0], ArrowDown: [1, 0] };

  // Tab goes from cell to cell: a note is opened with e, not tabbed through.
  for (const summary of grid.querySelectorAll(".note summary")) summary.tabIndex = -1;

  function choose(select, result) {
    if (select.value === result) return; // the same value again: nothing to save
    select.value = result;
    select.dispatchEvent(new Event("change", { bubbles: true }));
  }

  function move(cell, [down, right]) {
    const rows = Array.from(grid.tBodies[0].rows);
    const row = rows[rows.indexOf(cell.parentElement) + down];
    const next = row && row.cells[cell.cellIndex + right];
    const select = next && next.querySelector("select.result");
    if (select) select.focus();
  }

  grid.addEventListener("keydown", function (event) {
    if (event.altKey || event.ctrlKey || event.metaKey) return;
    const cell = event.target.closest("td.grid-cell");
    if (!cell) return;
    const select = cell.querySelector("select.result");
    if (event.target.matches("input")) { // the note: Enter saves it, Enter or Escape goes back to the result
      if (event.key === "Enter") event.target.dispatchEvent(new Event("change", { bubbles: true }));
      if (event.key === "Enter" || event.key === "Escape") { event.preventDefault(); select.focus(); }
      return;
    }
    if (event.code in RESULTS) { event.preventDefault(); choose(select, RESULTS[event.code]); }
    else if (event.code === "KeyE") {
      event.preventDefault();
      cell.querySelector(".note").open = true;
      cell.querySelector(".note input").focus();
    } else if (event.key in MOVES) { event.preventDefault(); move(cell, MOVES[event.key]); }
  });

  function stateOf(event) {
    const cell = event.detail.elt && event.detail.elt.closest && event.detail.elt.closest("td.grid-cell");
    return cell && cell.querySelector(".cell-state");
  }
  function show(event, key) {
    const state = stateOf(event);
    if (!state) return;
    const message = document.createElement("span");
    message.className = key;
    message.textContent = screen.dataset[key];
    state.replaceChildren(message);
  }
  document.addEventListener("htmx:beforeRequest", function (event) { show(event, "saving"); });
  for (const failure of ["htmx:responseError", "htmx:sendError", "htmx:timeout"]) {
    document.addEventListener(failure, function (event) { show(event, "failed"); });
  }
  // Once a cell holds a result, blank is no longer a choice: an attempt is never taken back.
  document.addEventListener("htmx:afterRequest", function (event) {
    const select = event.detail.successful && stateOf(event) && event.detail.elt.closest("td").querySelector("select");
    const blank = select && select.value && select.querySelector("option[value='']");
    if (blank) blank.remove();
  });
  // A refused cell (422) shows its problem in place.
  document.addEventListener("htmx:beforeSwap", function (event) {
    if (event.detail.xhr.status === 422 && stateOf(event)) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });
})();
