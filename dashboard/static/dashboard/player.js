// One hls.js player on a <video>, with the wall-clock time of the picture from EXT-X-PROGRAM-DATE-TIME.
(function () {
  "use strict";
  const lang = document.documentElement.lang || "lt";
  const clockFormat = new Intl.DateTimeFormat(lang, {
    timeZone: "Europe/Vilnius", year: "numeric", month: "2-digit", day: "2-digit",
    hour: "2-digit", minute: "2-digit", second: "2-digit", timeZoneName: "short",
  });

  // What this browser decodes through MSE; segments of other codecs are asked for as H.264 renditions.
  // hls.js turns MPEG-TS into fragmented MP4, so the MP4 types are the ones that matter. Motion-JPEG
  // never plays through MSE.
  const CODEC_TYPES = { h264: 'video/mp4; codecs="avc1.64001f"', hevc: 'video/mp4; codecs="hvc1.1.6.L93.B0"' };
  const playable = Object.keys(CODEC_TYPES).filter((codec) => {
    try { return globalThis.MediaSource && MediaSource.isTypeSupported(CODEC_TYPES[codec]); } catch (e) { return false; }
  });
  // Appended to playlist URLs: the server points segments of every other codec to their rendition.
  const withPlayable = (url) => `${url}${url.includes("?") ? "&" : "?"}playable=${playable.join(",")}`;

  // hls.js's error codes as one of the page's translated sentences (the code itself goes to the console).
  const CODEC_ERRORS = new Set([
    "bufferAddCodecError", "bufferIncompatibleCodecsError", "manifestIncompatibleCodecsError",
    "fragParsingError", "bufferAppendError", "mediaSourceRequiresReset",
  ]);
  const TRANSIENT = new Set(["error_busy", "error_missing", "error_network"]);
  function explain(error) {
    const status = typeof error === "number" ? error : error && error.response && error.response.code;
    if (status === 404 || status === 410) return "error_missing";
    if (status === 503) return "error_busy";
    if (status === 403 || status === 401) return "error_forbidden";
    if (error === "MSE") return "error_codec";
    const details = typeof error === "string" ? error : error && error.details;
    if (CODEC_ERRORS.has(details)) return "error_codec";
    if (error && error.type === "networkError") return "error_network";
    if (status === 0 || /Load(Error|TimeOut)$/.test(details || "")) return "error_network";
    return "error_unknown";
  }

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
          // Renditions take a moment to make, and a busy server answers 503: wait longer, retry more.
          fragLoadPolicy: { default: {
            maxTimeToFirstByteMs: 30000, maxLoadTimeMs: 120000,
            timeoutRetry: { maxNumRetry: 4, retryDelayMs: 0, maxRetryDelayMs: 0 },
            errorRetry: { maxNumRetry: 10, retryDelayMs: 2000, maxRetryDelayMs: 8000 },
          } },
          ...(this.options.hls || {}),
        });
        this.hls = hls;
        let settled = false;
        hls.on(Hls.Events.LEVEL_LOADED, (_e, data) => {
          this.fragments = data.details.fragments;
          if (!settled) { settled = true; resolve(this.fragments); }
        });
        hls.on(Hls.Events.ERROR, (_e, data) => {
          console.warn("hls.js", data.type, data.details, data.fatal ? "(fatal)" : "", data.response || "");
          const reason = explain(data);
          // hls.js carries on after these (retries a busy server, skips what is gone): say so meanwhile.
          if (!data.fatal) {
            if (TRANSIENT.has(reason) && this.options.onError) this.options.onError(reason, false);
            return;
          }
          const code = data.response && data.response.code;
          if (!settled) { settled = true; reject(code || data.details); return; }
          this.figure.dataset.error = reason;
          if (this.options.onError) this.options.onError(reason, true);
        });
        hls.loadSource(withPlayable(url));
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

  Player.explain = explain;
  Player.transient = TRANSIENT;
  Player.playable = playable;
  window.VmsPlayer = Player;
  window.vmsFormatClock = (ms) => clockFormat.format(new Date(ms));
})();
