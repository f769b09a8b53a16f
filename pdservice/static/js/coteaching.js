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
    drawProgress(root, data.progress);
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

function drawProgress(root, points) {
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
  const svg = root.querySelector("svg.progress-chart");
  if (!svg || points.length === 0) return;
  const width = 400, height = 160, pad = 30;
  const values = points.flatMap((p) => [p.objective, p.bound]).filter((v) => v !== null);
  if (values.length === 0) return;
  const maxT = Math.max(...points.map((p) => p.seconds), 1);
  const lo = Math.min(...values), hi = Math.max(...values);
  const span = hi - lo || 1;
  const x = (t) => pad + (t / maxT) * (width - 2 * pad);
  const y = (v) => height - pad - ((v - lo) / span) * (height - 2 * pad);
  const line = (key) => points.filter((p) => p[key] !== null).map((p) => `${x(p.seconds).toFixed(1)},${y(p[key]).toFixed(1)}`).join(" ");
  svg.querySelector(".objective").setAttribute("points", line("objective"));
  svg.querySelector(".bound").setAttribute("points", line("bound"));
}
