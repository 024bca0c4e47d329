// The report's charts: drawn with Chart.js when it is installed (web/static/vendor, copied by
// `make assets`); the tables beside them hold the same figures, for screen readers, print and
// pages without the library. The print button uses the browser's print (A4 stylesheet).
const printButton = document.querySelector(".print-button");
if (printButton) {
  printButton.hidden = false;
  printButton.addEventListener("click", () => window.print());
}

async function chartLibrary() {
  try {
    await import("../vendor/chart.umd.min.js");
  } catch {
    return null; // not installed: the tables are the report
  }
  return globalThis.Chart || null;
}

function draw(Chart, source) {
  const data = JSON.parse(source.textContent);
  if (!data.values.some((value) => value > 0)) return;
  const canvas = document.getElementById(source.dataset.canvas);
  const styles = getComputedStyle(document.documentElement);
  const brand = styles.getPropertyValue("--brand").trim() || "#0b5394";
  const ink = styles.getPropertyValue("--ink").trim() || "#1b1f24";
  const unit = source.dataset.unit || "";
  canvas.closest("figure").hidden = false;
  // Long or many labels read better beside horizontal bars than slanted under upright ones.
  const horizontal = data.labels.length > 4 || data.labels.some((label) => label.length > 16);
  // Counts step in whole numbers; shares run from 0 to 100 %.
  const values = { beginAtZero: true, ticks: { color: ink, precision: unit === "%" ? undefined : 0 }, max: unit === "%" ? 100 : undefined };
  const labels = { ticks: { color: ink, autoSkip: false } };
  new Chart(canvas, {
    type: "bar",
    data: { labels: data.labels, datasets: [{ label: canvas.getAttribute("aria-label"), data: data.values, backgroundColor: brand }] },
    options: {
      indexAxis: horizontal ? "y" : "x",
      maintainAspectRatio: false,
      // A report is read and printed, not watched: drawn at once, so print never catches it halfway.
      animation: false,
      plugins: { legend: { display: false }, tooltip: { callbacks: { label: (item) => `${item.formattedValue}${unit}` } } },
      scales: horizontal ? { x: values, y: labels } : { x: labels, y: values },
    },
  });
  canvas.dataset.drawn = "1";
}

const sources = document.querySelectorAll("script.chart-data");
if (sources.length) {
  chartLibrary().then((Chart) => {
    if (!Chart) return;
    Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
    for (const source of sources) draw(Chart, source);
    document.documentElement.dataset.charts = "drawn";
  });
}
