// The portal's and the dashboard's charts: each element with data-chart names a JSON block
// {labels, values, limit, name, extra: [{name, values}]} and becomes a uPlot chart over time
// (usage per day, MRR or revenue per month). Without JavaScript the table beside it shows the
// same numbers.
(function () {
  function draw() {
    if (typeof uPlot === "undefined") return;
    document.querySelectorAll("[data-chart]").forEach(function (el) {
      if (el.dataset.drawn) return;
      var src = document.getElementById(el.dataset.chart);
      if (!src) return;
      var d = JSON.parse(src.textContent);
      var dark = window.matchMedia && window.matchMedia("(prefers-color-scheme: dark)").matches;
      var stroke = dark ? "#7cb7ff" : "#0b5cad";
      var axis = dark ? "#eceff3" : "#1a1a1a";
      var grid = dark ? "#3b424c" : "#c9ced6";
      var width = Math.max(200, el.clientWidth || 300);
      var series = [{}, { label: d.name, stroke: stroke, fill: stroke + "33", width: 2 }];
      // Values come as decimal strings (the server keeps no number in floating point).
      var data = [d.labels, d.values.map(Number)];
      // The colours of portal.css's .key.second (the legend is HTML, beside the chart).
      var extra = ["#b3541e", "#f0a070"];
      (d.extra || []).forEach(function (x) {
        series.push({ label: x.name, stroke: dark ? extra[1] : extra[0], width: 2, dash: [4, 3] });
        data.push(x.values.map(Number));
      });
      if (d.limit !== null) {
        series.push({ label: "Limit", stroke: dark ? "#f5c06b" : "#8a5300", dash: [6, 4], width: 1.5 });
        data.push(d.labels.map(function () { return d.limit; }));
      }
      new uPlot({
        width: width, height: 180, series: series, legend: { show: false },
        axes: [{ stroke: axis, grid: { stroke: grid } }, { stroke: axis, grid: { stroke: grid }, size: 64 }],
        scales: { x: { time: true } }
      }, data, el);
      el.dataset.drawn = "1";
    });
  }
  document.addEventListener("DOMContentLoaded", draw);
  document.addEventListener("htmx:afterSettle", draw);
})();
