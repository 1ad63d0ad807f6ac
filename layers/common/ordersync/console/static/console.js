// The console works without this file; it only adds "select all on this page".
document.addEventListener("change", (event) => {
  const box = event.target;
  if (!(box instanceof HTMLInputElement) || !box.dataset.selects) return;
  for (const row of box.form.querySelectorAll(`input.${box.dataset.selects}`)) {
    row.checked = box.checked;
  }
});
