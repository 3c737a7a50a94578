// Small behaviours without inline script (the Content-Security-Policy forbids it).
document.addEventListener("change", (event) => {
  const field = event.target.closest("[data-autosubmit]");
  if (field && field.form) field.form.submit();
});

// On a phone, tables are shown as one card per row (app.css, "Tables on narrow
// screens"); each cell is labelled with its column's heading, copied here once, for
// the page and for every piece of it htmx swaps in.
function labelTableCells(root) {
  for (const table of root.querySelectorAll("table")) {
    const headings = [];
    for (const th of table.querySelectorAll("thead tr:last-child th")) {
      const span = Number(th.getAttribute("colspan") || 1);
      for (let i = 0; i < span; i += 1) headings.push(th.textContent.trim());
    }
    if (!headings.length) continue;
    for (const row of table.querySelectorAll("tbody tr, tfoot tr")) {
      let column = 0;
      for (const cell of row.children) {
        const label = headings[column];
        if (label && !cell.hasAttribute("data-label")) cell.setAttribute("data-label", label);
        column += Number(cell.getAttribute("colspan") || 1);
      }
    }
  }
}
document.addEventListener("DOMContentLoaded", () => labelTableCells(document));
document.addEventListener("htmx:load", (event) => labelTableCells(event.detail.elt));

// A form with data-confirm asks before it is sent (e.g. rolling a policy back).
document.addEventListener("submit", (event) => {
  const form = event.target.closest("form[data-confirm]");
  if (form && !window.confirm(form.dataset.confirm)) event.preventDefault();
});
