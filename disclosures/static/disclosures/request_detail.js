// Request page: the export's progress live over /ws/exports/<id>/, and the reviewer's preview players.
(function () {
  "use strict";
  const T = JSON.parse((document.getElementById("strings") || { textContent: "{}" }).textContent);
  const configElement = document.getElementById("export-config");
  if (configElement) {
    const config = JSON.parse(configElement.textContent);
    const bar = document.getElementById("export-progress");
    const status = document.getElementById("export-status");
    const show = (state, progress, error) => {
      status.dataset.state = state;
      bar.value = progress;
      if (state === "running") status.textContent = T.running.replace("%(n)s", Math.round(progress * 100)).replace("%%", "%");
      else if (state === "queued") status.textContent = T.queued;
      else if (state === "failed") status.textContent = T.failed.replace("%(error)s", error || "");
      else if (state === "ready") status.textContent = T.ready;
    };
    let delay = 1000;
    const connect = () => {
      if (config.state === "ready" || config.state === "failed") return;
      const scheme = location.protocol === "https:" ? "wss" : "ws";
      const socket = new WebSocket(`${scheme}://${location.host}${config.ws}`);
      socket.onopen = () => { delay = 1000; };
      socket.onmessage = (event) => {
        const data = JSON.parse(event.data);
        config.state = data.state;
        show(data.state, data.progress || 0, data.error);
        // The download link and the custody chain are the server's to show: reload once it is done.
        if (data.state === "ready" || data.state === "failed") { socket.close(); setTimeout(() => location.reload(), 500); }
      };
      socket.onclose = () => {
        if (config.state === "ready" || config.state === "failed") return;
        status.textContent = T.disconnected;
        setTimeout(connect, delay);
        delay = Math.min(delay * 2, 15000);
      };
    };
    connect();
  }
  if (globalThis.VmsPlayer) {
    document.querySelectorAll("figure.preview").forEach((figure) => {
      const player = new VmsPlayer(figure, {});
      player.load(figure.dataset.vod, null).catch((error) => {
        const p = figure.querySelector(".error");
        p.hidden = false;
        p.textContent = String(VmsPlayer.explain(error));
      });
    });
  }
})();
