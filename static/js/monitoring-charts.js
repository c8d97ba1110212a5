/* Draws a chart from each statistics table marked with a .chart-box[data-chart-for]. The table stays the accessible
   source of the numbers; suppressed cells (empty data-value) are left out of the chart, never drawn as zero. */
(function () {
  "use strict";
  if (typeof window.Chart === "undefined") { return; }
  var palette = ["#0b5394", "#b3261e", "#1e6b32", "#7a4f01", "#5b2a86", "#00695c", "#4a5360"];

  document.querySelectorAll(".chart-box[data-chart-for]").forEach(function (box) {
    var table = document.getElementById(box.getAttribute("data-chart-for"));
    if (!table) { return; }
    var headers = Array.prototype.slice.call(table.querySelectorAll("thead th")).slice(1);
    var rows = Array.prototype.slice.call(table.querySelectorAll("tbody tr[data-chart-row]"));
    if (!rows.length) { return; }
    var labels = rows.map(function (row) { return row.querySelector("th").textContent.trim(); });
    var datasets = [];
    headers.forEach(function (header, index) {
      var values = rows.map(function (row) {
        var cell = row.querySelectorAll("td")[index];
        var raw = cell ? cell.getAttribute("data-value") : null;
        return raw === null || raw === "" ? null : Number(raw);
      });
      if (isTotalColumn(header)) { return; }
      datasets.push({
        label: header.textContent.trim(),
        data: values,
        backgroundColor: palette[index % palette.length],
        borderColor: palette[index % palette.length]
      });
    });
    box.hidden = false;
    new window.Chart(box.querySelector("canvas"), {
      type: table.getAttribute("data-chart-type") || "bar",
      data: { labels: labels, datasets: datasets },
      options: { responsive: true, maintainAspectRatio: false, spanGaps: false }
    });
  });

  function isTotalColumn(header) { return !header.hasAttribute("data-series") && header.closest("table").getAttribute("data-chart-type") !== "line"; }
}());
