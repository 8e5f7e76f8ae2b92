// The CSRF token rides on every htmx request as a header, read from the page's
// <meta> at request time (forms also carry it as a field).
document.addEventListener("htmx:config:request", (event) => {
  const meta = document.querySelector('meta[name="csrf-token"]');
  if (meta) event.detail.ctx.request.headers["X-CSRFToken"] = meta.content;
});

function showAlert(message) {
  const alerts = document.getElementById("alerts");
  if (!alerts) return;
  const p = document.createElement("p");
  p.className = "flash flash-error";
  p.textContent = message;
  alerts.replaceChildren(p);
}

// 5xx answers are not swapped (see the htmx-config meta); say so instead.
document.addEventListener("htmx:response:error", (event) => {
  const status = event.detail.ctx.response.status;
  if (status >= 500) {
    showAlert("The server could not finish this request. Nothing was saved; try again.");
  }
});

document.addEventListener("htmx:error", () => {
  showAlert("The server could not be reached. Check your connection and try again.");
});
