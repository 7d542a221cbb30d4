// An export's progress page: the state and progress arrive over /ws/exports/<id>/; when the export is
// ready the download link appears. Reconnects by itself until the export is ready or failed.
(function () {
  const box = document.querySelector(".export-progress");
  if (!box) return;
  const strings = JSON.parse(document.getElementById("export-strings").textContent || "{}");
  const bar = box.querySelector("progress");
  const stateText = box.querySelector('[data-role="state"]');
  const percent = box.querySelector('[data-role="percent"]');
  const error = box.querySelector('[data-role="error"]');
  const ready = box.querySelector('[data-role="ready"]');
  let finished = false;

  function show(message) {
    box.dataset.state = message.state;
    stateText.textContent = (strings.states || {})[message.state] || message.state;
    bar.value = message.state === "ready" ? 1 : message.progress;
    percent.textContent = `${Math.round(bar.value * 100)} %`;
    error.hidden = !message.error;
    error.textContent = message.error || "";
    ready.hidden = message.state !== "ready";
    finished = message.state === "ready" || message.state === "failed";
  }

  function connect(delay) {
    if (finished) return;
    const scheme = location.protocol === "https:" ? "wss" : "ws";
    const socket = new WebSocket(`${scheme}://${location.host}${box.dataset.websocket}`);
    socket.addEventListener("message", (event) => show(JSON.parse(event.data)));
    socket.addEventListener("close", () => {
      if (!finished) setTimeout(() => connect(Math.min(delay * 2, 10000)), delay);
    });
  }
  connect(500);
})();
