/* The charts of every page (the quality report's quality/_report_charts.html, the staff
   dashboard's web/_charts.html): each <canvas data-bz-chart=ID> draws the JSON of
   <script id=ID type="application/json"> with the vendored Chart.js (vendor/chartjs).
   No inline script (CSP); the table under each chart carries the same numbers. */
(function () {
  "use strict";
  var COLOURS = ["#1f6feb", "#bf3989", "#2da44e", "#bf8700"];
  var GOOD = "#2da44e", BAD = "#cf222e";

  function shown(value, unit) {
    if (value === null || value === undefined) return "—";
    return unit === "%" ? value.toFixed(2) + " %" : String(Math.round(value * 100) / 100);
  }

  function draw(canvas) {
    var source = document.getElementById(canvas.getAttribute("data-bz-chart"));
    if (!source || !window.Chart) return;
    var spec = JSON.parse(source.textContent);
    var units = {}, integer = {}, bars = {};
    var datasets = spec.series.map(function (s, i) {
      units[s.axis] = s.unit;
      integer[s.axis] = s.integer;
      if (s.style === "bar") bars[s.axis] = true;
      var colour = COLOURS[i % COLOURS.length];
      var set = {
        type: s.style,
        label: s.label,
        data: s.values,
        yAxisID: s.axis,
        borderColor: colour,
        backgroundColor: s.style === "bar" ? colour + "aa" : colour,
        borderWidth: s.style === "bar" ? 1 : 2,
        pointRadius: s.style === "line" ? 2 : 0,
        spanGaps: false,
        order: s.style === "line" ? 0 : 1
      };
      if (i === 0 && spec.meets && spec.meets.length) {
        set.backgroundColor = spec.meets.map(function (ok) { return ok ? GOOD + "cc" : BAD + "cc"; });
        set.borderColor = spec.meets.map(function (ok) { return ok ? GOOD : BAD; });
      }
      return set;
    });
    var scales = {
      x: { ticks: { autoSkip: true, maxRotation: 60 } },
      // A share drawn as lines may zoom in (99.5–100 %); drawn as bars it starts at 0, or
      // the bars' lengths would lie.
      y: { beginAtZero: units.y !== "%" || !!bars.y, ticks: { callback: function (v) { return shown(v, units.y); } } }
    };
    if (units.y === "%") scales.y.max = 100;
    if (integer.y) scales.y.ticks.precision = 0;
    if ("y2" in units) {
      scales.y2 = {
        position: "right", beginAtZero: true, grid: { drawOnChartArea: false },
        ticks: { callback: function (v) { return shown(v, units.y2); } }
      };
      if (units.y2 === "%") scales.y2.max = 100;
      if (integer.y2) scales.y2.ticks.precision = 0;
    }
    new window.Chart(canvas, {
      data: { labels: spec.labels, datasets: datasets },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        interaction: { mode: "index", intersect: false },
        scales: scales,
        plugins: {
          legend: { position: "bottom" },
          tooltip: {
            callbacks: {
              label: function (ctx) {
                return ctx.dataset.label + ": " + shown(ctx.raw, units[ctx.dataset.yAxisID]);
              }
            }
          }
        }
      }
    });
    canvas.setAttribute("data-drawn", "true");
  }

  function start() {
    Array.prototype.forEach.call(document.querySelectorAll("canvas[data-bz-chart]"), draw);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
