/* Dashboard charts: each <canvas data-chart="id"> is drawn with Chart.js from the JSON data
   block of that id (Django's json_script), so the page needs no inline script. */
(function () {
  "use strict";

  function draw(canvas) {
    var block = document.getElementById(canvas.dataset.chart);
    if (!block || typeof window.Chart === "undefined") return;
    var data = JSON.parse(block.textContent);
    var locale = document.documentElement.lang || undefined;
    var format = data.currency
      ? function (value) {
          return new Intl.NumberFormat(locale, { maximumFractionDigits: 0 }).format(value);
        }
      : function (value) { return new Intl.NumberFormat(locale).format(value); };
    new window.Chart(canvas, {
      type: data.type,
      data: {
        labels: data.labels,
        datasets: [{ label: data.label, data: data.values }]
      },
      options: {
        locale: locale,
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        plugins: { legend: { display: false } },
        scales: {
          y: { beginAtZero: true, ticks: { callback: format, precision: data.currency ? undefined : 0 } }
        }
      }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("canvas[data-chart]").forEach(draw);
  });
})();
