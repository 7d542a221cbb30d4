// Camera map with Leaflet and leaflet.markercluster (vendored). Tiles only when a tile server is configured;
// without one, the country borders shipped with the project, with the eldership centres labelled.
(function () {
  "use strict";
  const T = JSON.parse(document.getElementById("strings").textContent);
  const markers = JSON.parse(document.getElementById("markers").textContent);
  const config = JSON.parse(document.getElementById("map-config").textContent);
  const map = L.map("map", { center: [56.2, 24.75], zoom: 10, minZoom: 6, maxZoom: 18 });
  const el = document.getElementById("map");

  if (config.tiles) {
    L.tileLayer(config.tiles, { attribution: config.attribution, maxZoom: 18 }).addTo(map);
  } else if (config.basemap) {
    el.classList.add("offline-basemap");
    fetch(config.basemap, { credentials: "same-origin" })
      .then((r) => r.json())
      .then((geojson) => {
        L.geoJSON(geojson, {
          interactive: false,
          // Drawn well beyond the view, so that a border never ends at the edge while the map moves.
          renderer: L.svg({ padding: 1 }),
          attribution: config.basemap_attribution,
          style: { color: "#6b7785", weight: 1.2, fillColor: "#f3f1e8", fillOpacity: 1 },
        }).addTo(map).bringToBack();
        el.dataset.basemap = "1";
      });
    // Biržai lies on the Latvian border: the two countries are named, in the page's language.
    [[56.86, 25.6, T.latvia], [55.35, 23.9, T.lithuania]].forEach(([lat, lon, name]) => {
      L.tooltip({ permanent: true, direction: "center", className: "country-label", interactive: false })
        .setLatLng([lat, lon]).setContent(name).addTo(map);
    });
  }
  config.elderships.forEach((e) => {
    L.circleMarker([e.lat, e.lon], { radius: 3, interactive: false, className: "eldership-centre" })
      .bindTooltip(e.name, { permanent: true, direction: "right", className: "eldership-label", offset: [16, 0] })
      .addTo(map);
  });

  // Cameras at one place would hide each other: they gather into a cluster that shows how many there
  // are and the worst state among them, and spread out when clicked.
  const RANK = { error: 4, offline: 3, connecting: 2, recording: 1, disabled: 0 };
  const worst = (states) => states.reduce((a, b) => ((RANK[b] || 0) > (RANK[a] || 0) ? b : a), "disabled");
  const clusters = L.markerClusterGroup({
    maxClusterRadius: 40,
    showCoverageOnHover: false,
    iconCreateFunction: (cluster) => {
      const states = cluster.getAllChildMarkers().map((m) => m.options.state);
      const count = cluster.getChildCount();
      return L.divIcon({
        html: `<span>${count}</span>`,
        className: `camera-cluster state-${worst(states)}`,
        iconSize: [34, 34],
      });
    },
  });
  const byId = new Map();
  const points = markers.map((m) => {
    const marker = L.marker([m.lat, m.lon], {
      state: m.state,
      title: `${m.name}: ${m.state_label}`,
      icon: L.divIcon({ className: `camera-marker state-${m.state}`, iconSize: [16, 16] }),
    });
    const link = document.createElement("a");
    link.href = `../cameras/${m.id}/live/`;
    link.textContent = `${m.name} (${m.eldership}): ${T[m.state] || m.state}`;
    marker.bindPopup(link);
    clusters.addLayer(marker);
    byId.set(m.id, { marker, link, data: m });
    return [m.lat, m.lon];
  });
  map.addLayer(clusters);
  // Wide enough to show where the cameras are: the elderships around them and the border.
  const around = [...points, ...config.elderships.map((e) => [e.lat, e.lon])];
  if (around.length) map.fitBounds(around, { padding: [30, 30], maxZoom: 10 });
  el.dataset.ready = "1";

  // States follow the same live status stream as the overview: marker, cluster, list and legend.
  function apply(st) {
    const entry = byId.get(st.camera_id);
    if (!entry || entry.data.state === st.state) return false;
    const { marker, link, data } = entry;
    data.state = st.state;
    marker.options.state = st.state;
    marker.setIcon(L.divIcon({ className: `camera-marker state-${st.state}`, iconSize: [16, 16] }));
    link.textContent = `${data.name} (${data.eldership}): ${T[st.state] || st.state}`;
    const item = document.querySelector(`.map-list li[data-camera="${st.camera_id}"]`);
    if (item) {
      item.dataset.state = st.state;
      item.querySelector(".dot").className = `dot state-${st.state}`;
      item.querySelector(".state").textContent = T[st.state] || st.state;
    }
    return true;
  }
  function refresh() {
    clusters.refreshClusters();
    document.querySelectorAll(".map-legend li").forEach((li) => {
      const n = [...byId.values()].filter((e) => e.data.state === li.dataset.state).length;
      li.querySelector(".count").textContent = `(${n})`;
    });
  }
  // The socket (and the banner that follows it) from dashboard/system_alarms.js.
  window.vmsSystemAlarms.statusSocket((msg) => {
    const statuses = msg.type === "snapshot" ? msg.statuses : msg.type === "status" ? [msg.status] : [];
    if (statuses.map(apply).some(Boolean)) refresh();
  });
})();
