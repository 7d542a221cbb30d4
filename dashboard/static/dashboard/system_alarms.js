// The system banner (dashboard/_system_alarms.html) and the reconnecting status socket that feeds it:
// window.vmsSystemAlarms.statusSocket(handler) opens /ws/status/ for a page (the map) and keeps the banner
// current from it; the overview (status.js) calls show() from its own socket; on the pages that have no
// socket (live view, playback: data-socket="own") the banner opens one for itself.
(function () {
  "use strict";
  const banner = document.getElementById("system-alarms");

  function show(alarms) {
    if (!banner) return;
    // Texts come rendered in this page's language.
    banner.replaceChildren(...alarms.map((alarm) => {
      const item = document.createElement("li");
      item.className = `banner banner-${alarm.severity}`;
      item.dataset.kind = alarm.kind;
      item.textContent = alarm.message;
      return item;
    }));
    banner.hidden = alarms.length === 0;
  }

  function follow(msg) {
    if (msg.type === "snapshot" && msg.system) show(msg.system);
    else if (msg.type === "system") show(msg.alarms);
  }

  function statusSocket(handler) {
    let delay = 500;
    function connect() {
      const scheme = location.protocol === "https:" ? "wss" : "ws";
      const lang = encodeURIComponent(document.documentElement.lang || "");
      const socket = new WebSocket(`${scheme}://${location.host}/ws/status/?lang=${lang}`);
      socket.onopen = () => { delay = 500; };
      socket.onmessage = (e) => {
        const msg = JSON.parse(e.data);
        follow(msg);
        handler(msg);
      };
      socket.onclose = () => { setTimeout(connect, delay); delay = Math.min(delay * 2, 5000); };
    }
    connect();
  }

  window.vmsSystemAlarms = { show, statusSocket };
  if (banner && banner.dataset.socket === "own") statusSocket(() => {});
})();
