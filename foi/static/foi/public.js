// The public forms are sent once: a second click (or Enter) while the answer is on its way would
// file a second application or complaint, whose access code the visitor never sees.
document.addEventListener("submit", (event) => {
  const form = event.target;
  if (form.dataset.sent) {
    event.preventDefault();
    return;
  }
  form.dataset.sent = "1";
  form.querySelectorAll("button[type=submit]").forEach((button) => { button.disabled = true; });
});

// A page the browser brings back from its history is sendable again.
window.addEventListener("pageshow", (event) => {
  if (!event.persisted) return;
  document.querySelectorAll("form[data-sent]").forEach((form) => {
    delete form.dataset.sent;
    form.querySelectorAll("button[type=submit]").forEach((button) => { button.disabled = false; });
  });
});

// A form sent back with errors opens at their summary: on a phone the fields in question are
// screens below, where nobody would look for them.
document.addEventListener("DOMContentLoaded", () => {
  const summary = document.getElementById("form-errors");
  if (!summary) return;
  summary.focus({ preventScroll: true });
  summary.scrollIntoView({ block: "start" });  // all of it, however many errors
});
