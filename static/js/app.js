// Small behaviours without inline script (the Content-Security-Policy forbids it).
document.addEventListener("change", (event) => {
  const field = event.target.closest("[data-autosubmit]");
  if (field && field.form) field.form.submit();
});
