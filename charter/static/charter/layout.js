// Small layout helps for narrow screens; every page works without them.
(function () {
  "use strict";
  var narrow = window.matchMedia("(max-width: 720px)").matches;

  // On a phone the desk menu starts folded, so the page's own content comes first.
  var menu = document.querySelector("details.desk-menu");
  if (menu && narrow) menu.removeAttribute("open");

  // On a phone a table's rows are stacked; each cell then shows its column's heading (data-label).
  document.querySelectorAll("table.table").forEach(function (table) {
    var heads = [];
    table.querySelectorAll("thead tr:last-child th").forEach(function (th) {
      for (var span = 0; span < (th.colSpan || 1); span++) heads.push(th.textContent.trim());
    });
    if (!heads.length) return;
    table.querySelectorAll("tbody tr").forEach(function (row) {
      var column = 0;
      Array.prototype.forEach.call(row.children, function (cell) {
        if (heads[column] && !cell.hasAttribute("data-label") && cell.colSpan === 1) {
          cell.setAttribute("data-label", heads[column]);
        }
        column += cell.colSpan || 1;
      });
    });
  });
})();
