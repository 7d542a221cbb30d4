// One hls.js player on a <video>, with the wall-clock time of the picture from EXT-X-PROGRAM-DATE-TIME.
(function () {
  "use strict";
  const lang = document.documentElement.lang || "lt";
  const clockFormat = new Intl.DateTimeFormat(lang, {
    timeZone: "Europe/Vilnius", year: "numeric", month: "2-digit", day: "2-digit",
    hour: "2-digit", minute: "2-digit", second: "2-digit", timeZoneName: "short",
  });

  class Player {
    constructor(figure, options) {
      this.figure = figure;
      this.video = figure.querySelector("video");
      this.options = options || {};
      this.hls = null;
      this.fragments = [];
      this.window = null;
    }

    // Resolves with the fragments once the playlist is in; rejects with the HTTP status or error detail.
    load(url, range) {
      this.destroy();
      this.window = range || null;
      this.fragments = [];
      return new Promise((resolve, reject) => {
        if (!globalThis.Hls || !Hls.isSupported()) { reject("MSE"); return; }
        const hls = new Hls({
          enableWorker: false, // a worker needs blob: in the CSP; segments are small enough for the main thread
          maxBufferLength: 30,
          ...(this.options.hls || {}),
        });
        this.hls = hls;
        let settled = false;
        hls.on(Hls.Events.LEVEL_LOADED, (_e, data) => {
          this.fragments = data.details.fragments;
          if (!settled) { settled = true; resolve(this.fragments); }
        });
        hls.on(Hls.Events.ERROR, (_e, data) => {
          if (!data.fatal) return;
          const code = data.response && data.response.code;
          if (!settled) { settled = true; reject(code || data.details); return; }
          this.figure.dataset.error = data.details;
          if (this.options.onError) this.options.onError(data.details);
        });
        hls.loadSource(url);
        hls.attachMedia(this.video);
      });
    }

    destroy() {
      if (this.hls) { this.hls.destroy(); this.hls = null; }
    }

    fragmentAt(time) {
      return this.fragments.find((f) => time >= f.start - 0.05 && time < f.start + f.duration);
    }

    // Wall-clock milliseconds of the picture on screen, or null.
    wallclock() {
      const f = this.fragmentAt(this.video.currentTime);
      if (!f || !f.programDateTime) return null;
      return f.programDateTime + (this.video.currentTime - f.start) * 1000;
    }

    // Media time for a wall-clock instant: exact inside a fragment, else the next recording's start.
    timeFor(ms) {
      for (const f of this.fragments) {
        const end = f.programDateTime + f.duration * 1000;
        if (ms >= f.programDateTime && ms < end) return { time: f.start + (ms - f.programDateTime) / 1000, exact: true };
        if (f.programDateTime > ms) return { time: f.start, exact: false };
      }
      return null;
    }
  }

  window.VmsPlayer = Player;
  window.vmsFormatClock = (ms) => clockFormat.format(new Date(ms));
})();
