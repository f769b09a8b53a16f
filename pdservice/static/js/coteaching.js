// Timetables and co-teaching: progressive enhancements only; every page works without them.
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("[data-print]").forEach((button) => {
    button.addEventListener("click", () => window.print());
  });
  const run = document.querySelector("[data-run-status]");
  if (run) watchRun(run);
});

// The run page: poll the status endpoint while the run is queued or running, update the
// figures, the progress table and chart; reload once the run has ended.
function watchRun(root) {
  const url = root.dataset.runStatus;
  const live = root.querySelector("[data-live]");
  const set = (name, value) => {
    root.querySelectorAll(`[data-field="${name}"]`).forEach((el) => { el.textContent = value; });
  };
  const number = (value, digits = 0) =>
    value === null || value === undefined ? "–" : Number(value).toLocaleString(document.documentElement.lang, { maximumFractionDigits: digits });
  const tick = async () => {
    let data;
    try {
      const response = await fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" });
      if (!response.ok) throw new Error(String(response.status));
      data = await response.json();
    } catch (error) {
      window.setTimeout(tick, 3000);
      return;
    }
    set("status", data.status_label);
    set("objective", number(data.objective));
    set("bound", number(data.bound, 1));
    set("seconds", number(data.seconds, 1));
    drawProgress(root, data.progress, data.chart);
    if (!data.active) {
      if (live) live.textContent = data.status_label;
      window.location.reload();
      return;
    }
    window.setTimeout(tick, 1000);
  };
  const noscript = document.querySelector("[data-reload-link]");
  if (noscript) noscript.hidden = true;
  window.setTimeout(tick, 1000);
}

function drawProgress(root, points, chart) {
  // The chart is drawn on the server (the project's accessible SVG line chart).
  const box = root.querySelector("[data-chart]");
  if (box && chart) box.innerHTML = chart;
  const table = root.querySelector("[data-progress-rows]");
  if (table) {
    table.replaceChildren(...points.slice(-12).map((p) => {
      const row = document.createElement("tr");
      for (const value of [p.seconds, p.objective, p.bound]) {
        const cell = document.createElement("td");
        cell.className = "num";
        cell.textContent = value === null ? "–" : Number(value).toLocaleString(document.documentElement.lang, { maximumFractionDigits: 1 });
        row.appendChild(cell);
      }
      return row;
    }));
  }
}
