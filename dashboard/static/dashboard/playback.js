// Playback of one camera, or 2–4 cameras in step: day timeline, jump to a Vilnius time, speeds, clips.
(function () {
  "use strict";
  const T = JSON.parse(document.getElementById("strings").textContent);
  const config = JSON.parse(document.getElementById("player-config").textContent);
  const figures = [...document.querySelectorAll("figure.player.playback")];
  if (!figures.length) return;
  const errorBox = document.getElementById("player-error");
  const noticeBox = document.getElementById("player-notice");
  const clock = document.getElementById("clock");
  const BEFORE_MS = 10 * 60 * 1000;
  const AFTER_MS = 50 * 60 * 1000;

  const showError = (text) => { errorBox.textContent = text; errorBox.hidden = !text; };
  const showNotice = (text) => { noticeBox.textContent = text; noticeBox.hidden = !text; };
  const players = figures.map((figure) => new VmsPlayer(figure, {
    onError: (reason) => showError(T[reason]),
  }));
  const master = players[0];
  // A busy server's or a missing segment's notice goes once the picture moves again.
  const transientTexts = [...VmsPlayer.transient].map((key) => T[key]);
  players.forEach((p) => p.video.addEventListener("playing", () => {
    if (transientTexts.includes(errorBox.textContent)) showError("");
  }));
  window.vmsPlayers = players; // for the browser tests and for debugging from the console
  let speed = 1;

  function vodUrl(cameraId, from, to) {
    const q = new URLSearchParams({ start: new Date(from).toISOString(), end: new Date(to).toISOString() });
    return `/playback/cameras/${cameraId}/vod.m3u8?${q}`;
  }

  function seek(player, ms) {
    const spot = player.timeFor(ms);
    if (!spot) { player.video.pause(); return null; }
    player.video.currentTime = spot.time;
    return spot;
  }

  // Load a window around `ms` into every player (unless it is loaded already), seek there and play.
  async function goTo(ms) {
    showError("");
    const inWindow = master.window && ms >= master.window[0] && ms < master.window[1] - 60000;
    if (!inWindow) {
      showNotice(T.loading);
      const range = [ms - BEFORE_MS, ms + AFTER_MS];
      const loads = players.map((p) => p.load(vodUrl(p.figure.dataset.camera, range[0], range[1]), range)
        .then(() => true, (code) => {
          p.window = range;
          if (code !== 404) showError(T[VmsPlayer.explain(code)]);
          return false;
        }));
      const loaded = await Promise.all(loads);
      if (!loaded.some(Boolean)) { showNotice(T.no_footage_window); return; }
    }
    let exact = true;
    let any = false;
    players.forEach((p) => {
      const spot = seek(p, ms);
      if (spot) { any = true; exact = exact && spot.exact; }
    });
    showNotice(!any ? T.no_footage_window : exact ? "" : T.no_footage_here);
    if (any) play();
  }

  function play() {
    players.forEach((p) => {
      if (!p.fragments.length) return;
      p.video.playbackRate = speed;
      p.video.play().catch(() => {});
    });
  }

  function togglePlay() {
    if (master.video.paused) play();
    else players.forEach((p) => p.video.pause());
  }

  // Followers track the first player's wall-clock time; drift beyond 0.4 s (0.4 s × speed) is corrected.
  function keepInStep(ms) {
    players.slice(1).forEach((p) => {
      const spot = p.timeFor(ms);
      if (!spot || !spot.exact) { if (!p.video.paused) p.video.pause(); return; }
      if (Math.abs(p.video.currentTime - spot.time) > 0.4 * speed) p.video.currentTime = spot.time;
      if (p.video.paused && !master.video.paused) { p.video.playbackRate = speed; p.video.play().catch(() => {}); }
    });
  }

  // --- timelines ---------------------------------------------------------------------------------
  const timelines = [...document.querySelectorAll(".timeline")].map((el) => ({ el, data: null }));

  function place(node, data, from, to) {
    const span = data.end - data.start;
    node.style.left = `${(100 * (Math.max(from, data.start) - data.start)) / span}%`;
    node.style.width = `${(100 * (Math.min(to, data.end) - Math.max(from, data.start))) / span}%`;
  }

  function drawTimeline(tl) {
    const { el, data } = tl;
    const ranges = el.querySelector(".ranges");
    const ticks = el.querySelector(".ticks");
    ranges.replaceChildren();
    ticks.replaceChildren();
    const add = (cls, from, to, title) => {
      const node = document.createElement("div");
      node.className = `range ${cls}`;
      node.title = title;
      place(node, data, from, to);
      ranges.appendChild(node);
    };
    data.deleted.forEach((r) => add("deleted", r.start, r.end, `${r.label} (${vmsFormatClock(r.start)} – ${vmsFormatClock(r.end)})`));
    data.recorded.forEach(([a, b]) => add("recorded", a, b, `${T.recorded}: ${vmsFormatClock(a)} – ${vmsFormatClock(b)}`));
    data.gaps.forEach((g) => add("gap", g.start, g.end, `${T.gap}: ${g.label} (${vmsFormatClock(g.start)} – ${vmsFormatClock(g.end)})`));
    data.holds.forEach((r) => add("hold", r.start, r.end, ""));
    (data.incidents || []).forEach((r) => add("incident", r.start, r.end === null ? data.end : r.end, `${r.label} (${vmsFormatClock(r.start)} – ${r.end === null ? "…" : vmsFormatClock(r.end)})`));
    el.querySelectorAll(".range.gap").forEach((n) => { n.dataset.role = "gap"; });
    // Hour ticks in Vilnius time: a DST day has 23 or 25 of them; the hour that occurs twice in October
    // is labelled with its UTC offset, so that the two can be told apart.
    const hours = [];
    for (let t = data.start; t < data.end; t += 3600000) hours.push([t, hourFormat.format(new Date(t))]);
    hours.forEach(([t, label]) => {
      const tick = document.createElement("span");
      const twice = hours.filter(([, other]) => other === label).length > 1;
      // Short enough for an hour's width; the tooltip spells the offset out.
      tick.textContent = twice ? `${label} (${utcOffset(t).replace("UTC", "")})` : label;
      if (twice) tick.title = `${label} ${utcOffset(t)}`;
      place(tick, data, t, t + 3600000);
      ticks.appendChild(tick);
    });
  }

  const hourFormat = new Intl.DateTimeFormat(document.documentElement.lang, { timeZone: "Europe/Vilnius", hour: "2-digit" });
  const offsetFormat = new Intl.DateTimeFormat("en", { timeZone: "Europe/Vilnius", timeZoneName: "shortOffset" });
  const utcOffset = (t) => offsetFormat.formatToParts(new Date(t)).find((p) => p.type === "timeZoneName").value.replace("GMT", "UTC");

  function timelineMs(tl, clientX) {
    const box = tl.el.getBoundingClientRect();
    const frac = Math.min(1, Math.max(0, (clientX - box.left) / box.width));
    return tl.data.start + frac * (tl.data.end - tl.data.start);
  }

  timelines.forEach((tl) => {
    const id = tl.el.dataset.camera;
    fetch(`/playback/cameras/${id}/timeline.json?date=${config.date}`, { credentials: "same-origin" })
      .then((r) => r.json())
      .then((data) => { tl.data = data; drawTimeline(tl); tl.el.dataset.ready = "1"; });
    tl.el.addEventListener("click", (e) => { if (tl.data) goTo(timelineMs(tl, e.clientX)); });
    tl.el.addEventListener("keydown", (e) => {
      const now = master.wallclock() || (tl.data && tl.data.start);
      if (now === null || now === undefined) return;
      const step = (e.shiftKey ? 10 : 1) * 60000;
      if (e.key === "ArrowRight") { goTo(now + step); e.preventDefault(); }
      if (e.key === "ArrowLeft") { goTo(now - step); e.preventDefault(); }
    });
  });

  // --- controls ----------------------------------------------------------------------------------
  document.querySelector('[data-action="play"]').addEventListener("click", togglePlay);
  document.querySelectorAll("[data-speed]").forEach((button) => button.addEventListener("click", () => {
    speed = Number(button.dataset.speed);
    document.querySelectorAll("[data-speed]").forEach((b) => b.setAttribute("aria-pressed", String(b === button)));
    players.forEach((p) => { p.video.playbackRate = speed; });
  }));
  const clipLink = document.getElementById("clip-link");
  if (clipLink) clipLink.addEventListener("click", (e) => {
    const ms = master.wallclock();
    if (ms === null) { e.preventDefault(); return; }
    const seconds = Number(document.getElementById("clip-length").value);
    const q = new URLSearchParams({ start: new Date(ms).toISOString(), end: new Date(ms + seconds * 1000).toISOString() });
    clipLink.href = `${clipLink.dataset.base}?${q}`;
  });
  const cameraBoxes = document.querySelectorAll("input.cam");
  cameraBoxes.forEach((box) => box.addEventListener("change", () => {
    document.getElementById("cameras").value = [...cameraBoxes].filter((b) => b.checked).map((b) => b.value).join(",");
  }));

  setInterval(() => {
    const ms = master.wallclock();
    if (ms === null) return;
    clock.textContent = vmsFormatClock(ms);
    clock.dataset.wallclockMs = String(Math.round(ms));
    figures.forEach((f, i) => {
      const own = players[i].wallclock();
      const label = f.querySelector('[data-role="clock"]');
      if (label && own !== null) label.textContent = vmsFormatClock(own);
    });
    timelines.forEach((tl) => {
      if (!tl.data) return;
      const cursor = tl.el.querySelector(".cursor");
      cursor.style.left = `${(100 * (ms - tl.data.start)) / (tl.data.end - tl.data.start)}%`;
      tl.el.setAttribute("aria-valuenow", String(Math.round((100 * (ms - tl.data.start)) / (tl.data.end - tl.data.start))));
      tl.el.setAttribute("aria-valuetext", vmsFormatClock(ms));
    });
    if (players.length > 1) keepInStep(ms);
  }, 250);

  if (config.target_ms !== null) goTo(config.target_ms);
})();
