// Overview tiles: status arrives over the /ws/status/ websocket; reconnects by itself.
(function () {
  "use strict";
  const T = JSON.parse(document.getElementById("strings").textContent);
  const lang = document.documentElement.lang || "lt";
  const fmt = new Intl.DateTimeFormat(lang, {
    timeZone: "Europe/Vilnius", year: "numeric", month: "2-digit", day: "2-digit",
    hour: "2-digit", minute: "2-digit", second: "2-digit",
  });
  const statuses = new Map();
  const connection = document.getElementById("connection");

  function ago(ms) {
    if (ms === null) return T.never;
    const s = Math.max(0, Math.round(ms / 1000));
    if (s < 120) return T.seconds_ago.replace("%(n)s", s);
    if (s < 7200) return T.minutes_ago.replace("%(n)s", Math.round(s / 60));
    return T.hours_ago.replace("%(n)s", Math.round(s / 3600));
  }

  function effective(st, now) {
    // A recorder that stopped reporting sends no event: the server says until when its report holds
    // (stale_at, from CameraStatus.stale_at); past it, with no newer event, no recorder is reporting.
    const staleAt = st.stale_at ? Date.parse(st.stale_at) : null;
    if (!st.stale && staleAt !== null && now > staleAt) {
      return ["offline", T.stale, st.heartbeat_at ? Date.parse(st.heartbeat_at) : staleAt];
    }
    return [st.state, st.stale ? T.stale : st.reason, st.since ? Date.parse(st.since) : null];
  }

  function render(tile, st, now) {
    const [state, reason, since] = effective(st, now);
    const last = st.last_segment_end ? Date.parse(st.last_segment_end) : null;
    tile.dataset.state = state;
    const field = (name) => tile.querySelector(`[data-field="${name}"]`);
    field("state").textContent = T[state] || state;
    field("since").textContent = since && state !== "recording" ? `· ${fmt.format(since)}` : "";
    field("reason").textContent = reason || "";
    field("bitrate").textContent = st.bitrate_kbps ? `${Math.round(st.bitrate_kbps)} kbit/s` : "–";
    field("age").textContent = ago(last === null ? null : now - last);
    // Segment progress arrives at most every 5 s (cameras/events.py): 20 s without a segment is a problem.
    const missing = state === "recording" && last !== null && now - last > 20000;
    const badges = field("badges");
    badges.replaceChildren();
    const add = (text, severity) => {
      const badge = document.createElement("span");
      badge.className = `badge badge-${severity}`;
      badge.textContent = text;
      badges.append(badge);
    };
    if (missing) add(T.no_footage_window, "warning");
    (st.alarms || []).forEach((alarm) => add(alarm.message, alarm.severity));
  }

  function apply(st) {
    statuses.set(st.camera_id, st);
    const tile = document.querySelector(`.tile[data-camera="${st.camera_id}"]`);
    if (tile) render(tile, st, Date.now());
  }

  function tick() {
    const now = Date.now();
    statuses.forEach((st, id) => {
      const tile = document.querySelector(`.tile[data-camera="${id}"]`);
      if (tile) render(tile, st, now);
    });
  }

  function refreshSnapshots() {
    // Loaded aside and swapped in only when it decodes: a camera without a picture keeps the placeholder
    // (no broken-image icon, no alt text spilling over the tile).
    document.querySelectorAll("img.snapshot").forEach((img) => {
      if (img.closest(".tile").dataset.state === "disabled") return;
      const next = new Image();
      next.onload = () => { img.src = next.src; img.alt = img.dataset.alt; img.dataset.loaded = "1"; };
      next.src = `${img.dataset.src}?t=${Date.now()}`;
    });
  }

  const showSystemAlarms = (alarms) => window.vmsSystemAlarms.show(alarms);  // dashboard/system_alarms.js

  function setConnection(state) {
    connection.dataset.state = state;
    connection.textContent = state === "open" ? T.connected : T.disconnected;
    document.body.classList.toggle("disconnected", state !== "open");
  }

  let delay = 500;
  function connect() {
    const scheme = location.protocol === "https:" ? "wss" : "ws";
    // The server renders every text of this socket in the page's language.
    const socket = new WebSocket(`${scheme}://${location.host}/ws/status/?lang=${encodeURIComponent(lang)}`);
    socket.onopen = () => { delay = 500; setConnection("open"); };
    socket.onmessage = (e) => {
      const msg = JSON.parse(e.data);
      if (msg.type === "snapshot") {
        msg.statuses.forEach(apply);
        if (msg.system) showSystemAlarms(msg.system);
      } else if (msg.type === "status") apply(msg.status);
      else if (msg.type === "system") showSystemAlarms(msg.alarms);
      else if (msg.type === "incident") window.dispatchEvent(new CustomEvent("vms:incident", { detail: msg.incident }));
    };
    socket.onclose = () => {
      setConnection("closed");
      setTimeout(connect, delay);
      delay = Math.min(delay * 2, 5000);
    };
  }

  JSON.parse(document.getElementById("initial-statuses").textContent).forEach(apply);
  setInterval(tick, 1000);
  refreshSnapshots();
  setInterval(refreshSnapshots, 30000);
  connect();
})();
