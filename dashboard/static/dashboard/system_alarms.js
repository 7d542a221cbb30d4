// The system banner (dashboard/_system_alarms.html): window.vmsSystemAlarms.show(alarms) redraws it. Pages
// with a status socket of their own (overview, map) call it; on the others the banner opens one itself.
(function () {
  "use strict";
  const banner = document.getElementById("system-alarms");
  if (!banner) return;

  function show(alarms) {
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
  window.vmsSystemAlarms = { show };
  if (banner.dataset.socket !== "own") return;

  let delay = 500;
  function connect() {
    const scheme = location.protocol === "https:" ? "wss" : "ws";
    const lang = encodeURIComponent(document.documentElement.lang || "");
    const socket = new WebSocket(`${scheme}://${location.host}/ws/status/?lang=${lang}`);
    socket.onopen = () => { delay = 500; };
    socket.onmessage = (e) => {
      const msg = JSON.parse(e.data);
      if (msg.type === "snapshot" && msg.system) show(msg.system);
      else if (msg.type === "system") show(msg.alarms);
    };
    socket.onclose = () => { setTimeout(connect, delay); delay = Math.min(delay * 2, 5000); };
  }
  connect();
})();
