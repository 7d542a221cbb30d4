// Draws the uptime report's two charts from the JSON the page carries (Chart.js, vendored; no inline script).
(function () {
  "use strict";
  const data = JSON.parse(document.getElementById("report-chart").textContent);
  const palette = ["#1f6feb", "#2e7d32", "#b3261e", "#8250df", "#bf8700", "#0a7d8c", "#6e7781", "#d1242f"];
  const percentAxis = { min: 0, max: 100, title: { display: true, text: data.strings.uptime } };
  window.reportCharts = [
    new Chart(document.getElementById("chart-cameras"), {
      type: "bar",
      data: {
        labels: data.cameras,
        datasets: [{ label: data.strings.uptime, data: data.camera_uptime, backgroundColor: "#2e7d32" }],
      },
      options: {
        maintainAspectRatio: false,
        animation: false,
        plugins: { title: { display: true, text: data.strings.by_camera }, legend: { display: false } },
        scales: { y: percentAxis },
      },
    }),
    new Chart(document.getElementById("chart-days"), {
      type: "line",
      data: {
        labels: data.days,
        datasets: data.elderships.map((e, i) => ({
          label: e.label,
          data: e.values,
          borderColor: palette[i % palette.length],
          backgroundColor: palette[i % palette.length],
          spanGaps: false,
        })),
      },
      options: {
        maintainAspectRatio: false,
        animation: false,
        plugins: { title: { display: true, text: data.strings.by_day } },
        scales: { y: percentAxis },
      },
    }),
  ];
  document.body.dataset.chartsDrawn = String(window.reportCharts.length);
})();
