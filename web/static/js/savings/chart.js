// The savings log's chart of monthly totals: zł as bars, kg CO2 as a line on its own axis.
// The same figures are in the table beside it (#savings-monthly), which is what screen readers
// and a page without scripts use; the chart only shows once Chart.js has drawn it.
import "../../vendor/chart.umd.min.js";
import { t } from "../i18n.js";
import { formatMoney, formatNumber, formatUnit } from "../numbers.js";

const { Chart } = globalThis;
const canvas = document.getElementById("savings-chart");
const source = document.getElementById("savings-chart-data");

// Axis steps are whole numbers when the figures are large, tenths when they are small.
const tick = (value) => formatNumber(value, Number.isInteger(value) ? 0 : 1);

function draw() {
  const data = JSON.parse(source.textContent);
  // Months that saved nothing (in-person events only) are a table, not an empty chart.
  if (![...data.money, ...data.co2_kg].some((value) => value > 0)) return;
  const styles = getComputedStyle(document.documentElement);
  const brand = styles.getPropertyValue("--brand").trim() || "#0b5394";
  const second = styles.getPropertyValue("--ok").trim() || "#1e6b35";
  const ink = styles.getPropertyValue("--ink").trim() || "#1b1f24";
  const reduced = window.matchMedia("(prefers-reduced-motion: reduce)").matches;
  canvas.closest("figure").hidden = false;
  Chart.defaults.font.family = styles.fontFamily;
  Chart.defaults.font.size = 13;
  Chart.defaults.color = ink;
  const chart = new Chart(canvas, {
    data: {
      labels: data.labels,
      datasets: [
        { type: "bar", label: t("savings.chart.money"), data: data.money, backgroundColor: brand, yAxisID: "money", order: 2 },
        {
          type: "line",
          label: t("savings.chart.co2"),
          data: data.co2_kg,
          borderColor: second,
          backgroundColor: second,
          pointStyle: "rectRot",
          pointRadius: 5,
          yAxisID: "co2",
          order: 1,
        },
      ],
    },
    options: {
      maintainAspectRatio: false,
      animation: reduced ? false : { duration: 400 },
      color: ink,
      interaction: { mode: "index", intersect: false },
      plugins: {
        legend: { labels: { color: ink } },
        tooltip: {
          callbacks: {
            label: (item) =>
              `${item.dataset.label}: ${item.dataset.yAxisID === "money" ? formatMoney(item.raw) : formatUnit(item.raw, "kg")}`,
          },
        },
      },
      scales: {
        x: { ticks: { color: ink } },
        money: {
          position: "left",
          beginAtZero: true,
          title: { display: true, text: t("savings.chart.money_axis"), color: ink },
          ticks: { color: ink, callback: tick },
        },
        co2: {
          position: "right",
          beginAtZero: true,
          grid: { drawOnChartArea: false },
          title: { display: true, text: t("savings.chart.co2_axis"), color: ink },
          ticks: { color: ink, callback: tick },
        },
      },
    },
  });
  canvas.dataset.drawn = String(chart.data.labels.length);
}

if (canvas && source && Chart) draw();
