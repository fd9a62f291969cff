/* The reliability chart of the win-probability model: mean predicted probability against the
   observed win rate per bin, for the model and for the stage defaults, with the diagonal of
   perfect calibration. Data from the page's JSON block (json_script); the table below the
   chart shows the same numbers. */
(function () {
  "use strict";

  function draw(canvas) {
    var block = document.getElementById(canvas.dataset.reliabilityChart);
    if (!block || typeof window.Chart === "undefined") return;
    var data = JSON.parse(block.textContent);
    var locale = document.documentElement.lang || undefined;
    var percent = new Intl.NumberFormat(locale, { style: "percent", maximumFractionDigits: 0 });
    new window.Chart(canvas, {
      type: "scatter",
      data: {
        datasets: [
          {
            label: data.series.diagonal,
            data: [{ x: 0, y: 0 }, { x: 1, y: 1 }],
            showLine: true,
            borderColor: "#9ca3af",
            borderDash: [4, 4],
            pointRadius: 0
          },
          {
            label: data.series.model,
            data: data.model,
            showLine: true,
            borderColor: "#1d4ed8",
            backgroundColor: "#1d4ed8"
          },
          {
            label: data.series.stage,
            data: data.stage,
            showLine: true,
            borderColor: "#b45309",
            backgroundColor: "#b45309",
            pointStyle: "rectRot"
          }
        ]
      },
      options: {
        locale: locale,
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        plugins: { legend: { display: true, position: "bottom" } },
        scales: {
          x: {
            min: 0, max: 1,
            title: { display: true, text: data.axes.x },
            ticks: { callback: function (value) { return percent.format(value); } }
          },
          y: {
            min: 0, max: 1,
            title: { display: true, text: data.axes.y },
            ticks: { callback: function (value) { return percent.format(value); } }
          }
        }
      }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("canvas[data-reliability-chart]").forEach(draw);
  });
})();
