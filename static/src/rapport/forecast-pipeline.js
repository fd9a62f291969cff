/* The pipeline forecast chart: quota, closed, commit and best case per person, drawn with
   Chart.js from the page's JSON data block (json_script), so the page needs no inline
   script. The table under the chart shows the same numbers. */
(function () {
  "use strict";

  var COLOURS = {
    quota: "#6b7280",
    closed: "#15803d",
    commit: "#1d4ed8",
    best_case: "#93c5fd"
  };

  function draw(canvas) {
    var block = document.getElementById(canvas.dataset.forecastChart);
    if (!block || typeof window.Chart === "undefined") return;
    var data = JSON.parse(block.textContent);
    var locale = document.documentElement.lang || undefined;
    var number = new Intl.NumberFormat(locale, { maximumFractionDigits: 0 });
    new window.Chart(canvas, {
      type: "bar",
      data: {
        labels: data.labels,
        datasets: data.series.map(function (series) {
          return {
            label: series.label,
            data: series.values.map(Number),
            backgroundColor: COLOURS[series.key] || "#9ca3af"
          };
        })
      },
      options: {
        locale: locale,
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        plugins: { legend: { display: true, position: "bottom" } },
        scales: {
          y: {
            beginAtZero: true,
            ticks: { callback: function (value) { return number.format(value); } }
          }
        }
      }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("canvas[data-forecast-chart]").forEach(draw);
  });
})();
