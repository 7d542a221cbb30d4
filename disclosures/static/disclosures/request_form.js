// Request form: pick cameras on the map as well as on the list (both tick the same checkboxes).
(function () {
  "use strict";
  const element = document.getElementById("map");
  if (!element || !globalThis.L) return;
  const markers = JSON.parse(document.getElementById("markers").textContent);
  const box = (id) => document.querySelector(`input[name=cameras][value="${id}"]`);
  const map = L.map(element, { center: [56.2, 24.75], zoom: 10 });
  const points = markers.map((m) => {
    const marker = L.circleMarker([m.lat, m.lon], { radius: 9 }).addTo(map);
    const paint = () => marker.setStyle({ fillOpacity: box(m.id).checked ? 0.9 : 0.2, weight: box(m.id).checked ? 3 : 1 });
    marker.bindTooltip(`${m.name} (${m.eldership})`);
    marker.on("click", () => { box(m.id).checked = !box(m.id).checked; paint(); });
    box(m.id).addEventListener("change", paint);
    paint();
    return [m.lat, m.lon];
  });
  if (points.length) map.fitBounds(points, { padding: [30, 30], maxZoom: 14 });
})();
