// The language switch submits itself when a language is picked (no inline handler: the page's
// Content-Security-Policy allows scripts from files only).
document.addEventListener("change", (event) => {
  const select = event.target;
  if (select instanceof HTMLSelectElement && select.id === "language-select" && select.form) select.form.submit();
});
