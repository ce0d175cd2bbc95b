// Starts Swagger UI on this service's own OpenAPI document. It is a file, not
// an inline script, so the page's Content-Security-Policy can allow scripts
// from this origin only. validatorUrl null stops the badge that would call
// an outside validator.
window.addEventListener("load", function () {
  window.ui = SwaggerUIBundle({
    url: "/openapi/openapi.json",
    dom_id: "#swagger-ui",
    deepLinking: true,
    validatorUrl: null,
  });
});
