/* The bookings forecast chart: monthly bookings, the forecast line and its 80 % and 95 %
   prediction intervals as shaded bands, drawn with Chart.js from the page's JSON data block
   (json_script), so the page needs no inline script. The tables below show the numbers. */
(function () {
  "use strict";

  function draw(canvas) {
    var block = document.getElementById(canvas.dataset.bookingsChart);
    if (!block || typeof window.Chart === "undefined") return;
    var data = JSON.parse(block.textContent);
    var locale = document.documentElement.lang || undefined;
    var number = new Intl.NumberFormat(locale, { maximumFractionDigits: 0 });
    function line(label, values, colour, extra) {
      var dataset = {
        label: label,
        data: values,
        borderColor: colour,
        backgroundColor: colour,
        pointRadius: 0,
        borderWidth: 2,
        spanGaps: false
      };
      return Object.assign(dataset, extra || {});
    }
    new window.Chart(canvas, {
      type: "line",
      data: {
        labels: data.labels,
        datasets: [
          line(data.series.band_95, data.upper_95, "rgba(29, 78, 216, 0.12)", {
            fill: "+1", borderWidth: 0
          }),
          line("", data.lower_95, "rgba(29, 78, 216, 0.12)", { borderWidth: 0 }),
          line(data.series.band_80, data.upper_80, "rgba(29, 78, 216, 0.22)", {
            fill: "+1", borderWidth: 0
          }),
          line("", data.lower_80, "rgba(29, 78, 216, 0.22)", { borderWidth: 0 }),
          line(data.series.actual, data.actual, "#111827"),
          line(data.series.forecast, data.forecast, "#1d4ed8", { borderDash: [6, 4] })
        ]
      },
      options: {
        locale: locale,
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        interaction: { mode: "index", intersect: false },
        plugins: {
          legend: {
            display: true,
            position: "bottom",
            labels: { filter: function (item) { return item.text !== ""; } }
          }
        },
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
    document.querySelectorAll("canvas[data-bookings-chart]").forEach(draw);
  });
})();
