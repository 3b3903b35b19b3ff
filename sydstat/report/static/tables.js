// Progressive enhancement for the report's tables (they read the same without it): sort by a column with a click or
// Enter on its header, and download any table — every chart's data included — as CSV. Offline, no dependencies.
(function () {
  "use strict";
  function cellValue(cell) {
    var text = cell.textContent.trim();
    var number = text.replace(/[\u202f\s]/g, "").replace("\u2212", "-").replace(",", ".").match(/^-?\d+(\.\d+)?/);
    return number ? parseFloat(number[0]) : text.toLowerCase();
  }
  function sortBy(table, index, header) {
    var body = table.tBodies[0];
    var ascending = header.getAttribute("aria-sort") !== "ascending";
    var rows = Array.prototype.slice.call(body.rows);
    rows.sort(function (a, b) {
      var x = cellValue(a.cells[index]), y = cellValue(b.cells[index]);
      if (typeof x === typeof y) { return (x < y ? -1 : x > y ? 1 : 0) * (ascending ? 1 : -1); }
      return typeof x === "number" ? -1 : 1;  // numbers before text ("–")
    });
    rows.forEach(function (row) { body.appendChild(row); });
    table.querySelectorAll("th[aria-sort]").forEach(function (th) { th.removeAttribute("aria-sort"); });
    header.setAttribute("aria-sort", ascending ? "ascending" : "descending");
  }
  function csvOf(table) {
    return Array.prototype.map.call(table.rows, function (row) {
      return Array.prototype.map.call(row.cells, function (cell) {
        var text = cell.textContent.trim().replace(/\u202f/g, "");
        if (/^[=+\-@]/.test(text)) { text = "'" + text; }  // never a live formula in a spreadsheet
        return '"' + text.replace(/"/g, '""') + '"';
      }).join(";");
    }).join("\r\n");
  }
  document.querySelectorAll("table").forEach(function (table, n) {
    if (!table.tHead || !table.tBodies.length) { return; }
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (header, index) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "sort";
      button.textContent = header.textContent;
      button.title = "Sortera efter " + header.textContent;
      button.addEventListener("click", function () { sortBy(table, index, header); });
      header.textContent = "";
      header.appendChild(button);
    });
    var link = document.createElement("a");
    link.className = "csv";
    link.textContent = "Ladda ner tabellen som CSV";
    link.download = (document.title.split(" – ")[0] + "-" + (n + 1)).replace(/[^\wåäöÅÄÖ-]+/g, "_") + ".csv";
    link.href = "data:text/csv;charset=utf-8," + encodeURIComponent("\ufeff" + csvOf(table));
    var holder = table.closest(".scroll") || table;
    holder.parentNode.insertBefore(link, holder.nextSibling);
  });
})();
