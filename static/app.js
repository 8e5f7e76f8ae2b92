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

// Results entry at the speed of a spreadsheet: in an open cell, Enter saves and
// opens the cell below, Tab the next sprint's (Shift+Tab moves as usual), Escape
// cancels. The server picks the next cell from the form's "then" field.
document.addEventListener("keydown", (event) => {
  const form = event.target.closest && event.target.closest("form.cell-form");
  if (!form || event.target.tagName !== "INPUT") return;
  if (event.key === "Escape") {
    event.preventDefault();
    form.querySelector(".cell-actions a")?.click();
    return;
  }
  const direction = event.key === "Enter" ? "down"
    : event.key === "Tab" && !event.shiftKey && isLastInput(event.target) ? "across"
    : null;
  if (!direction) return;
  event.preventDefault();
  form.querySelector('input[name="then"]').value = direction;
  form.requestSubmit();
});

function isLastInput(input) {
  const inputs = [...input.form.querySelectorAll('input:not([type="hidden"])')];
  return inputs[inputs.length - 1] === input;
}
