// Live view: hls.js on the live playlist of the newest segments, as close to the live edge as it plays.
(function () {
  "use strict";
  const T = JSON.parse(document.getElementById("strings").textContent);
  document.querySelectorAll("figure.player.live").forEach((figure) => {
    const error = figure.querySelector('[data-role="error"]');
    const player = new VmsPlayer(figure, {
      // Play 1 s behind the newest indexed picture; fall back there (at up to 1.5×) when more than 8 s behind.
      hls: { liveSyncDuration: 1, liveMaxLatencyDuration: 8, maxLiveSyncPlaybackRate: 1.5 },
      onError: (reason) => { error.textContent = T[reason]; },
    });
    const start = () => player.load(figure.dataset.src, null).then(() => player.video.play().catch(() => {}))
      .catch((code) => {
        error.textContent = code === 404 ? T.not_recorded_yet : T[VmsPlayer.explain(code)];
        setTimeout(start, 5000);
      });
    start();
    setInterval(() => {
      const ms = player.wallclock();
      if (ms === null) return;
      figure.dataset.wallclockMs = Math.round(ms);
      figure.dataset.latencyS = ((Date.now() - ms) / 1000).toFixed(2);
      figure.querySelector('[data-role="clock"]').textContent = vmsFormatClock(ms);
      figure.querySelector('[data-role="delay"]').textContent =
        T.delay.replace("%(n)s", ((Date.now() - ms) / 1000).toFixed(1));
      if (!player.video.paused) error.textContent = "";
    }, 250);
  });
})();
