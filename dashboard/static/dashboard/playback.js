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
  // Every timeline of the page shows the same stretch of the day (`view`), from the whole day down to
  // a minute: a 20 s gap is a sliver of a pixel on a day's width and a clear bar at ten minutes.
  const timelines = [...document.querySelectorAll(".timeline")].map((el) => ({ el, data: null }));
  const MIN_SPAN = 60 * 1000;
  const ZOOMS = { day: null, hour: 3600000, ten: 600000, minute: 60000 };
  const TICK_STEPS = [3600000, 1800000, 600000, 300000, 120000, 60000, 30000, 10000, 5000];
  let day = null; // [start, end] of the Vilnius day, from the first timeline loaded
  let view = null;

  const toMs = (v) => (typeof v === "number" ? v : v ? Date.parse(v) : null);

  function place(node, from, to) {
    const [a, b] = view;
    const left = Math.max(from, a);
    const right = Math.min(to, b);
    node.style.left = `${(100 * (left - a)) / (b - a)}%`;
    node.style.width = `${(100 * (right - left)) / (b - a)}%`;
  }

  const inView = (from, to) => to > view[0] && from < view[1];
  const span = (a, b) => `${vmsFormatClock(a)} – ${vmsFormatClock(b)}`;

  // What a timeline shows: recorded spans, gaps, deletions, holds and, when the incidents app reports
  // them, the camera's incidents (an open one lasts until now).
  function items(data) {
    const now = Date.now();
    const incidents = (data.incidents || []).map((i) => ({
      ...i, start: toMs(i.start), end: Math.min(toMs(i.end) || now, data.end),
    }));
    return [
      ...data.deleted.map((r) => ({ cls: "deleted", start: r.start, end: r.end, title: `${r.label} (${span(r.start, r.end)})` })),
      ...data.recorded.map(([a, b]) => ({ cls: "recorded", start: a, end: b, title: `${T.recorded}: ${span(a, b)}` })),
      ...data.gaps.map((g) => ({ cls: "gap", start: g.start, end: g.end, title: `${T.gap}: ${g.label} (${span(g.start, g.end)})`, label: g.label })),
      ...data.holds.map((r) => ({ cls: "hold", start: r.start, end: r.end, title: "" })),
      ...incidents.map((i) => ({
        cls: `incident${i.acknowledged ? " acknowledged" : ""}`, start: i.start, end: i.end, id: i.id,
        title: `${T.incident}: ${i.label} (${span(i.start, i.end)})`, label: i.label,
      })),
    ];
  }

  function drawTimeline(tl) {
    const { el, data } = tl;
    const ranges = el.querySelector(".ranges");
    ranges.replaceChildren();
    items(data).filter((it) => inView(it.start, it.end)).forEach((it) => {
      const node = document.createElement("div");
      node.className = `range ${it.cls}`;
      node.title = it.title;
      node.dataset.start = String(it.start);
      node.dataset.end = String(it.end);
      if (it.cls === "gap") node.dataset.role = "gap";
      if (it.id !== undefined) node.dataset.incident = String(it.id);
      place(node, it.start, it.end);
      ranges.appendChild(node);
    });
    drawTicks(el.querySelector(".ticks"));
    el.dataset.viewStart = String(Math.round(view[0]));
    el.dataset.viewEnd = String(Math.round(view[1]));
  }

  function drawTicks(ticks) {
    ticks.replaceChildren();
    const whole = view[0] <= day[0] && view[1] >= day[1];
    if (whole) {
      // Hour ticks in Vilnius time: a DST day has 23 or 25 of them; the hour that occurs twice in October
      // is labelled with its UTC offset, so that the two can be told apart.
      const hours = [];
      for (let t = day[0]; t < day[1]; t += 3600000) hours.push([t, hourFormat.format(new Date(t))]);
      hours.forEach(([t, label]) => {
        const tick = document.createElement("span");
        const twice = hours.filter(([, other]) => other === label).length > 1;
        // Short enough for an hour's width; the tooltip spells the offset out.
        tick.textContent = twice ? `${label} (${utcOffset(t).replace("UTC", "")})` : label;
        if (twice) tick.title = `${label} ${utcOffset(t)}`;
        place(tick, t, t + 3600000);
        ticks.appendChild(tick);
      });
      return;
    }
    const width = view[1] - view[0];
    const step = TICK_STEPS.find((s, i) => width / s >= 6 || i === TICK_STEPS.length - 1);
    const format = step < 60000 ? secondFormat : minuteFormat;
    // Vilnius is a whole number of hours from UTC: steps of whole minutes fall on local minutes too.
    for (let t = Math.ceil(view[0] / step) * step; t < view[1]; t += step) {
      const tick = document.createElement("span");
      tick.textContent = format.format(new Date(t));
      place(tick, t, Math.min(t + step, view[1]));
      ticks.appendChild(tick);
    }
  }

  const lang = document.documentElement.lang;
  const hourFormat = new Intl.DateTimeFormat(lang, { timeZone: "Europe/Vilnius", hour: "2-digit" });
  const minuteFormat = new Intl.DateTimeFormat(lang, { timeZone: "Europe/Vilnius", hour: "2-digit", minute: "2-digit" });
  const secondFormat = new Intl.DateTimeFormat(lang, {
    timeZone: "Europe/Vilnius", hour: "2-digit", minute: "2-digit", second: "2-digit",
  });
  const offsetFormat = new Intl.DateTimeFormat("en", { timeZone: "Europe/Vilnius", timeZoneName: "shortOffset" });
  const utcOffset = (t) => offsetFormat.formatToParts(new Date(t)).find((p) => p.type === "timeZoneName").value.replace("GMT", "UTC");

  function drawAll() {
    timelines.forEach((tl) => { if (tl.data) drawTimeline(tl); });
    document.querySelectorAll("[data-zoom]").forEach((b) => {
      const wanted = ZOOMS[b.dataset.zoom] || (day && day[1] - day[0]);
      b.setAttribute("aria-pressed", String(view !== null && Math.abs(view[1] - view[0] - wanted) < 1000));
    });
    const label = document.getElementById("timeline-view");
    if (label && view) label.textContent = span(view[0], view[1]);
  }

  // Show `width` ms of the day around `centre` (kept inside the day).
  function zoomTo(width, centre) {
    if (!day) return;
    const full = day[1] - day[0];
    width = Math.min(full, Math.max(MIN_SPAN, width));
    let a = centre - width / 2;
    a = Math.min(Math.max(a, day[0]), day[1] - width);
    view = [a, a + width];
    drawAll();
  }

  function focusPoint() {
    const ms = master.wallclock();
    return ms !== null && ms >= day[0] && ms < day[1] ? ms : (view[0] + view[1]) / 2;
  }

  const zoomBy = (factor, centre) => {
    const c = centre === undefined ? focusPoint() : centre;
    // Zooming around a point keeps that point where it is on screen.
    const frac = (c - view[0]) / (view[1] - view[0]);
    const width = Math.min(day[1] - day[0], Math.max(MIN_SPAN, (view[1] - view[0]) * factor));
    zoomTo(width, c - frac * width + width / 2);
  };
  const pan = (fraction) => zoomTo(view[1] - view[0], (view[0] + view[1]) / 2 + fraction * (view[1] - view[0]));

  function timelineMs(tl, clientX) {
    const box = tl.el.getBoundingClientRect();
    const frac = Math.min(1, Math.max(0, (clientX - box.left) / box.width));
    return view[0] + frac * (view[1] - view[0]);
  }

  function listEvents(tl) {
    // Gaps and incidents as a list of buttons too: reachable by keyboard and by screen readers.
    const list = document.querySelector(`.timeline-events[data-camera="${tl.el.dataset.camera}"]`);
    if (!list) return;
    const events = items(tl.data).filter((it) => it.cls === "gap" || it.cls.startsWith("incident"));
    list.replaceChildren(...events.slice(0, 100).map((it) => {
      const li = document.createElement("li");
      const button = document.createElement("button");
      button.type = "button";
      button.className = `event ${it.cls}`;
      button.textContent = `${span(it.start, it.end)} · ${it.cls === "gap" ? T.gap : T.incident}: ${it.label}`;
      button.addEventListener("click", () => {
        zoomTo(Math.max(600000, 4 * (it.end - it.start)), (it.start + it.end) / 2);
        goTo(it.start);
      });
      li.appendChild(button);
      return li;
    }));
    list.hidden = events.length === 0;
  }

  timelines.forEach((tl) => {
    const id = tl.el.dataset.camera;
    fetch(`/playback/cameras/${id}/timeline.json?date=${config.date}`, { credentials: "same-origin" })
      .then((r) => r.json())
      .then((data) => {
        tl.data = data;
        if (!day) { day = [data.start, data.end]; view = day.slice(); }
        drawTimeline(tl);
        listEvents(tl);
        drawAll();
        tl.el.dataset.ready = "1";
      });
    // A click plays at that moment; a drag moves the view along the day.
    let drag = null;
    tl.el.addEventListener("pointerdown", (e) => {
      if (!tl.data) return;
      drag = { x: e.clientX, view: view.slice(), moved: false };
    });
    tl.el.addEventListener("pointermove", (e) => {
      if (!drag || !(e.buttons & 1)) return;
      const dx = e.clientX - drag.x;
      if (Math.abs(dx) < 5 && !drag.moved) return;
      drag.moved = true;
      const width = drag.view[1] - drag.view[0];
      const shift = (-dx / tl.el.getBoundingClientRect().width) * width;
      zoomTo(width, (drag.view[0] + drag.view[1]) / 2 + shift);
    });
    tl.el.addEventListener("click", (e) => {
      const dragged = drag && drag.moved;
      drag = null;
      if (tl.data && !dragged) goTo(timelineMs(tl, e.clientX));
    });
    tl.el.addEventListener("wheel", (e) => {
      if (!tl.data) return;
      e.preventDefault();
      zoomBy(e.deltaY < 0 ? 0.5 : 2, timelineMs(tl, e.clientX));
    }, { passive: false });
    tl.el.addEventListener("keydown", (e) => {
      if (!tl.data) return;
      if (e.key === "+" || e.key === "=") { zoomBy(0.5); e.preventDefault(); return; }
      if (e.key === "-" || e.key === "_") { zoomBy(2); e.preventDefault(); return; }
      if (e.key === "PageUp") { pan(-0.5); e.preventDefault(); return; }
      if (e.key === "PageDown") { pan(0.5); e.preventDefault(); return; }
      const now = master.wallclock() || tl.data.start;
      const step = (e.shiftKey ? 10 : 1) * 60000;
      if (e.key === "ArrowRight") { goTo(now + step); e.preventDefault(); }
      if (e.key === "ArrowLeft") { goTo(now - step); e.preventDefault(); }
    });
  });

  document.querySelectorAll("[data-zoom]").forEach((b) => b.addEventListener("click", () => {
    if (!day) return;
    const width = ZOOMS[b.dataset.zoom];
    zoomTo(width || day[1] - day[0], width ? focusPoint() : day[0] + (day[1] - day[0]) / 2);
  }));
  document.querySelectorAll("[data-zoom-by]").forEach((b) => b.addEventListener("click", () => {
    if (day) zoomBy(Number(b.dataset.zoomBy));
  }));
  document.querySelectorAll("[data-pan]").forEach((b) => b.addEventListener("click", () => {
    if (day) pan(Number(b.dataset.pan));
  }));

  // --- controls ----------------------------------------------------------------------------------
  document.querySelector('[data-action="play"]').addEventListener("click", togglePlay);
  document.querySelectorAll("[data-speed]").forEach((button) => button.addEventListener("click", () => {
    speed = Number(button.dataset.speed);
    document.querySelectorAll("[data-speed]").forEach((b) => b.setAttribute("aria-pressed", String(b === button)));
    players.forEach((p) => { p.video.playbackRate = speed; });
  }));
  // A clip is an export made by a worker: the request only starts it, then its progress page opens.
  const clipForm = document.getElementById("clip-form");
  if (clipForm) clipForm.addEventListener("submit", async (e) => {
    e.preventDefault();
    const ms = master.wallclock();
    if (ms === null) return;
    const seconds = Number(document.getElementById("clip-length").value);
    clipForm.elements.start.value = new Date(ms).toISOString();
    clipForm.elements.end.value = new Date(ms + seconds * 1000).toISOString();
    const errorBox = document.getElementById("clip-error");
    const response = await fetch(clipForm.action, { method: "POST", body: new FormData(clipForm), credentials: "same-origin" });
    const answer = await response.json().catch(() => ({}));
    if (response.status === 202 && answer.status_url) { location.href = answer.status_url; return; }
    errorBox.textContent = answer.error || response.statusText;
    errorBox.hidden = false;
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
      cursor.hidden = !inView(ms, ms);
      cursor.style.left = `${(100 * (ms - view[0])) / (view[1] - view[0])}%`;
      tl.el.setAttribute("aria-valuenow", String(Math.round((100 * (ms - tl.data.start)) / (tl.data.end - tl.data.start))));
      tl.el.setAttribute("aria-valuetext", vmsFormatClock(ms));
    });
    if (players.length > 1) keepInStep(ms);
  }, 250);

  if (config.target_ms !== null) goTo(config.target_ms);
})();
