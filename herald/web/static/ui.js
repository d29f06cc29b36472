/* The UI's own script (no inline script is allowed): draws the charts a page asks for, from the JSON the
   API serves (fetched from data-source) or the same JSON the page carries (data-json), with the packaged
   Chart.js. */
(function () {
  "use strict";
  function draw(canvas, spec) {
    if (typeof Chart === "undefined") { return; }
    var old = Chart.getChart(canvas);
    if (old) { old.destroy(); }
    new Chart(canvas, spec);
  }
  function funnel(canvas, data) {
    var pairs = JSON.parse(canvas.dataset.labels);  // [[stage, label], …] in the funnel's order
    draw(canvas, {
      type: "bar",
      data: { labels: pairs.map(function (p) { return p[1]; }),
              datasets: [{ label: canvas.dataset.title, data: pairs.map(function (p) { return data.funnel[p[0]] || 0; }),
                           backgroundColor: "#1f5fbf" }] },
      options: { maintainAspectRatio: false, plugins: { legend: { display: false } } }
    });
  }
  function hours(canvas, data) {
    var byHour = data.by_local_hour || {};
    var hoursList = [];
    for (var h = 0; h < 24; h++) { hoursList.push(h); }
    draw(canvas, {
      type: "line",
      data: { labels: hoursList.map(function (h) { return h + ":00"; }),
              datasets: [{ label: canvas.dataset.title,
                           data: hoursList.map(function (h) { var c = byHour[String(h)]; return c ? c.sent : 0; }),
                           borderColor: "#1f5fbf", fill: false }] },
      options: { maintainAspectRatio: false }
    });
  }
  function curve(canvas) {
    var points = JSON.parse(canvas.dataset.points);
    draw(canvas, {
      type: "bar",
      data: { labels: Object.keys(points), datasets: [{ label: canvas.dataset.title, data: Object.values(points),
                                                         backgroundColor: "#2e7d32" }] },
      options: { maintainAspectRatio: false, plugins: { legend: { display: false } } }
    });
  }
  var kinds = { funnel: funnel, hours: hours };
  function load(root) {
    root.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
      if (canvas.dataset.chart === "curve") { curve(canvas); return; }
      if (canvas.dataset.json) { kinds[canvas.dataset.chart](canvas, JSON.parse(canvas.dataset.json)); return; }
      fetch(canvas.dataset.source, { credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.json() : Promise.reject(r.status); })
        .then(function (data) { kinds[canvas.dataset.chart](canvas, data); })
        .catch(function () { canvas.replaceWith(document.createTextNode(canvas.dataset.failed || "")); });
    });
  }
  document.addEventListener("DOMContentLoaded", function () { load(document); });
  document.addEventListener("htmx:afterSwap", function (e) { load(e.target); });
})();
