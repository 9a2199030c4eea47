// Starts Swagger UI on the API documentation page (tne/api/templates/api/docs.html).
(function () {
  "use strict";
  var config = JSON.parse(document.getElementById("swagger-settings").textContent);
  var csrfToken = document.getElementById("swagger-ui").dataset.csrfToken;
  config.dom_id = "#swagger-ui";
  config.presets = [SwaggerUIBundle.presets.apis];
  // From the browser the API uses the session: writes need the CSRF token.
  config.requestInterceptor = function (request) {
    request.headers["X-CSRFToken"] = csrfToken;
    return request;
  };
  SwaggerUIBundle(config);
})();
