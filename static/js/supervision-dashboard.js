// Team dashboard charts (Chart.js, vendored). Data comes from json_script blocks, so
// no inline script is needed (the Content-Security-Policy forbids it).
(function () {
  function read(id) {
    const node = document.getElementById(id);
    return node ? JSON.parse(node.textContent) : null;
  }

  function draw() {
    if (typeof Chart === "undefined") return;
    const rows = read("dashboard-rows") || [];
    const blocks = read("dashboard-blocks") || {};
    const labels = read("dashboard-labels") || {};
    const names = rows.map((r) => r.name);
    const num = (v) => (v === null || v === undefined ? null : Number(v));
    const common = { responsive: true, maintainAspectRatio: false, animation: false };

    const activity = document.getElementById("chart-activity");
    if (activity) {
      new Chart(activity, {
        type: "bar",
        data: {
          labels: names,
          datasets: [
            { label: labels.attempts, data: rows.map((r) => r.attempts) },
            { label: labels.rpc, data: rows.map((r) => r.right_party_contacts) },
            { label: labels.promises, data: rows.map((r) => r.promises) },
          ],
        },
        options: common,
      });
    }
    const quality = document.getElementById("chart-quality");
    if (quality) {
      new Chart(quality, {
        type: "bar",
        data: {
          labels: names,
          datasets: [
            { label: labels.qa, data: rows.map((r) => num(r.qa_score)) },
            { label: labels.kept, data: rows.map((r) => num(r.promise_kept_rate)) },
          ],
        },
        options: { ...common, scales: { y: { min: 0, max: 100 } } },
      });
    }
    const blocked = document.getElementById("chart-blocks");
    if (blocked) {
      const reasons = Object.keys(blocks);
      new Chart(blocked, {
        type: "bar",
        data: {
          labels: reasons,
          datasets: [{ label: labels.blocks, data: reasons.map((k) => blocks[k]) }],
        },
        options: { ...common, scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } },
      });
    }
    document.body.dataset.chartsReady = "1";
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
