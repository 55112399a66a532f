/* The console's progressive enhancement: charts, auto-submitting choices, progress polling.
   Every page works without it; no inline script is needed (the CSP allows none). */
(function () {
  "use strict";

  var PALETTE = ["#1f5fa8", "#d9822b", "#2e8b57", "#b03a48", "#6a4c93", "#8c8c1e", "#3a8fb7",
                 "#7f5539", "#c05299", "#4d4d4d"];

  function drawChart(canvas) {
    var spec = JSON.parse(canvas.getAttribute("data-chart"));
    var datasets = spec.series.map(function (series, index) {
      var colour = PALETTE[index % PALETTE.length];
      return { label: series.label, data: series.data, backgroundColor: colour,
               borderColor: colour, tension: 0, fill: false };
    });
    new window.Chart(canvas, {
      type: spec.type,
      data: { labels: spec.labels, datasets: datasets },
      options: { responsive: true, maintainAspectRatio: false, animation: false,
                 scales: { y: { beginAtZero: true } } }
    });
  }

  function autoSubmit(select) {
    select.addEventListener("change", function () { select.form.requestSubmit(); });
  }

  function pollProgress(bar) {
    var url = bar.getAttribute("data-poll");
    var label = document.getElementById(bar.getAttribute("data-label"));
    function tick() {
      fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (body) {
          if (!body) { return; }
          var p = body.progress;
          bar.value = p.done; bar.max = p.total || 1;
          label.textContent = p.done + " of " + p.total + " done, status " + body.status +
            (p.drafts_per_second ? ", " + p.drafts_per_second + " drafts/s" : "") +
            (p.eta_seconds ? ", about " + Math.ceil(p.eta_seconds) + " s left" : "");
          if (body.status === "queued" || body.status === "running") {
            window.setTimeout(tick, 2000);
          }
        });
    }
    window.setTimeout(tick, 2000);
  }

  // The segment form's live count: the form (CSRF token included) posted to the console's
  // preview a moment after the last change, so typing sends one request, not one per key.
  function liveCount(form) {
    var output = document.getElementById(form.getAttribute("data-preview-output"));
    var timer = null;
    var asked = 0;
    function count() {
      var mine = ++asked;
      fetch(form.getAttribute("data-preview"), {
        method: "POST", body: new FormData(form), credentials: "same-origin",
        headers: { Accept: "application/json" }
      })
        .then(function (response) { return response.json(); })
        .then(function (body) {
          if (mine !== asked) { return; }  // a newer change's answer is on its way
          output.textContent = body.summary || (body.problems || []).join("; ");
        });
    }
    function later() {
      window.clearTimeout(timer);
      timer = window.setTimeout(count, 400);
    }
    form.addEventListener("input", later);
    form.addEventListener("change", later);
    count();
  }

  document.addEventListener("DOMContentLoaded", function () {
    if (window.Chart) {
      document.querySelectorAll("canvas[data-chart]").forEach(drawChart);
    }
    document.querySelectorAll("select[data-autosubmit]").forEach(autoSubmit);
    document.querySelectorAll("progress[data-poll]").forEach(pollProgress);
    document.querySelectorAll("form[data-preview]").forEach(liveCount);
  });
})();
