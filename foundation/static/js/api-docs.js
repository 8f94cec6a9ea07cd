// Swagger UI for the NISA API: loaded by /api/docs (no inline scripts, CSP script-src 'self').
(function () {
  "use strict";

  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") : "";
  }

  window.addEventListener("DOMContentLoaded", function () {
    window.SwaggerUIBundle({
      url: "/api/schema/openapi.json",
      dom_id: "#swagger-ui",
      deepLinking: true,
      validatorUrl: null, // the default badge calls validator.swagger.io; we load nothing from outside
      requestInterceptor: function (request) {
        // "Try it out" runs on the browser's session cookie; unsafe methods also need the CSRF header.
        if (!/^(GET|HEAD|OPTIONS)$/i.test(request.method || "GET")) {
          request.headers["x-csrftoken"] = csrfToken();
        }
        return request;
      },
    });
  });
})();
