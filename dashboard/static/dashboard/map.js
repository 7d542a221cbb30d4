// Camera map with Leaflet (vendored); tiles only when a tile server is configured.
(function () {
  "use strict";
  const T = JSON.parse(document.getElementById("strings").textContent);
  const markers = JSON.parse(document.getElementById("markers").textContent);
  const config = JSON.parse(document.getElementById("map-config").textContent);
  const map = L.map("map", { center: [56.2, 24.75], zoom: 10 });
  if (config.tiles) L.tileLayer(config.tiles, { attribution: config.attribution, maxZoom: 18 }).addTo(map);
  const points = markers.map((m) => {
    const marker = L.circleMarker([m.lat, m.lon], { radius: 8, className: `marker state-${m.state}` }).addTo(map);
    const link = document.createElement("a");
    link.href = `../cameras/${m.id}/live/`;
    link.textContent = `${m.name} (${m.eldership}): ${T[m.state] || m.state}`;
    marker.bindPopup(link);
    return [m.lat, m.lon];
  });
  if (points.length) map.fitBounds(points, { padding: [30, 30], maxZoom: 14 });
})();
