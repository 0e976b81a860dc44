// Wiring: socket -> state -> layout -> renderer, the loop, and the controllers of the page: trace
// playback (playback.js), selection, keys and zoom on the picture (canvasinput.js), the side panels
// (panels.js). The page (templates/visualizer/sandbox.html) provides the DOM and data-* configuration
// on #app. start() takes its transport and API as options, so another page can drive it
// (data-autostart="false").

import { t } from "./i18n.js";
import { ClusterSocket, socketUrl } from "./socket.js";
import { applyEvents, applySnapshot, deriveView, emptyModel } from "./state.js";
import { layoutScene, refId } from "./layout.js";
import { Renderer } from "./renderer.js";
import { createLoop } from "./loop.js";
import { pathPoints, sampleAnimation } from "./anim.js";
import { Player } from "./player.js";
import { Controls } from "./controls.js";
import { TraceLog } from "./tracelog.js";
import { postJSON } from "./forms.js";
import { el } from "./dom.js";
import { MARK_MS, MAX_MARKS, addOverflow, changeMarks, mergeMarks, overflowCount, overflowText } from "./marks.js";
import { QuizPanel } from "./quizpanel.js";
import { BookView } from "./bookview.js";
import { wireCostView } from "./costview.js";
import { wireTraceExport } from "./traceexport.js";
import { TracePlayback } from "./playback.js";
import { CanvasInput } from "./canvasinput.js";
import { Panels } from "./panels.js";
import { ServiceFinder } from "./servicefinder.js";
import { ZoomView } from "./zoomview.js";

export function readConfig(root) {
  return {
    root,
    wsUrl: root.dataset.wsUrl || "",
    apiBase: root.dataset.apiBase || "",
    role: root.dataset.role === "viewer" ? "viewer" : "owner",
    watchUrl: root.dataset.watchUrl || "",
    historyUrl: root.dataset.historyUrl || "",
  };
}

const PROTOCOL = 1; // the wire protocol version this client speaks (README.md, Live updates)

const CONN_ICONS = { connecting: "◌", open: "●", waiting: "↻", reconnecting: "↻", denied: "✗", closed: "✗" };

/**
 * config: {root, wsUrl, apiBase, role, transport?(handlers) -> {start, send, retryNow, connected},
 *          api?: {postTraces(body)}, reducedMotion?}
 * Returns a small handle for whatever embeds the page (lessons, classroom mode).
 */
export function start(config) {
  const $ = (id) => document.getElementById(id);
  const root = config.root;
  let role = config.role === "viewer" ? "viewer" : "owner";
  let model = emptyModel();
  let view = null;
  let scene = null;

  const media = window.matchMedia ? window.matchMedia("(prefers-reduced-motion: reduce)") : null;
  let reducedMotion = config.reducedMotion ?? Boolean(media && media.matches);

  const stats = { marks: [] };
  window.__servicescope = stats;
  // What happens on the page, for whatever embeds it (the lesson column, the classroom).
  const emit = (name, detail) => root.dispatchEvent(new CustomEvent(`servicescope:${name}`, { detail }));

  // --- Status messages (polite live region) ---------------------------------------------------------
  const statusEl = $("status-message");
  let statusTimer = null;
  function announce(message) {
    if (!statusEl) return;
    statusEl.textContent = "";
    // A new text node each time, so repeating the same message is announced again.
    setTimeout(() => {
      statusEl.textContent = message;
      statusEl.classList.add("visible");
      clearTimeout(statusTimer);
      statusTimer = setTimeout(() => statusEl.classList.remove("visible"), 6000);
    }, 30);
  }

  // --- Canvas, renderer, player, loop -----------------------------------------------------------------
  const canvas = $("scene-canvas");
  const wrap = $("canvas-wrap");
  const renderer = new Renderer(canvas);
  const player = new Player();

  // --- Change marks (what the last events added / removed), drawn over the static layer ------------
  let marks = []; // [{ref, kind, what, rect, text, t0}] (t0 null until the new scene is on screen)
  let pendingEvents = []; // events applied since the last layout

  function addMarks(prevScene, nextScene, events) {
    const live = marks.filter((m) => m.kind !== "summary").length;
    const { marks: fresh, overflow } = changeMarks(events, prevScene, nextScene, { max: MAX_MARKS - live });
    for (const m of fresh) m.text = t(`marks.${m.kind}`);
    if (overflowCount(overflow)) {
      const old = marks.find((m) => m.kind === "summary");
      const total = old ? addOverflow(old.overflow, overflow) : overflow;
      const frame = nextScene.items.find((it) => it.type === "frame") || { x: 0, y: 0, w: nextScene.width, h: nextScene.height };
      fresh.push({ ref: "summary", kind: "summary", what: null, overflow: total, text: overflowText(total), rect: { x: frame.x, y: frame.y, w: frame.w, h: frame.h } });
    }
    if (fresh.length) marks = mergeMarks(marks, fresh);
  }

  function tickMarks(now) {
    if (!marks.length) return;
    // The clock of new marks starts when the static layer shows the scene they belong to.
    if (!renderer.pending()) for (const m of marks) if (m.t0 === null) m.t0 = now;
    marks = marks.filter((m) => m.t0 === null || now - m.t0 < MARK_MS);
  }

  // When a change arrived (events) and when the picture first showed it (benchmarks/canvas_fps.py).
  let changeArrived = null;
  stats.changeShownMs = [];
  function noteChangeShown(built, now) {
    if (!built || renderer.scene.changeArrived === undefined || renderer.scene.changeArrived === null) return;
    stats.changeShownMs.push(Math.round((now - renderer.scene.changeArrived) * 10) / 10);
    if (stats.changeShownMs.length > 50) stats.changeShownMs.shift();
    renderer.scene.changeArrived = null;
  }

  function draw(accMs) {
    quiz.gate(); // Predict: playback waits before a hop until it is answered
    const now = performance.now();
    const built = renderer.buildIfDue(now);
    tickMarks(now);
    const clock = player.paused ? player.clock : player.clock + accMs * player.speed;
    const packets = [];
    let focused = null;
    for (const { anim, lt } of player.live(clock)) {
      const sample = sampleAnimation(anim, lt, reducedMotion);
      if (!sample) continue;
      const p = { anim, sample, focused: anim.id === player.focusId };
      if (p.focused) focused = p;
      packets.push(p);
    }
    if (focused) zoom.follow(focused.anim, focused.sample, { paused: player.paused, holding: input.pointers.size > 0 });
    renderer.drawFrame(now, {
      packets,
      path: focused ? quiz.path(focused.anim, pathPoints(focused.anim)) : null,
      pathReached: focused ? focused.sample.stopIndex : 0,
      selection: input.selection ? refId(input.selection) : null,
      focusRef: input.kbFocusRef ? refId(input.kbFocusRef) : null,
      marks,
      reducedMotion,
    });
    noteChangeShown(built, performance.now());
    stats.marks = marks.map((m) => ({ ref: m.ref, kind: m.kind, text: m.text }));
    stats.selection = input.selection ? refId(input.selection) : null;
    playback.followCursor();
    stats.packets = packets.length;
    stats.staticBuilds = renderer.stats.builds;
    stats.selectedPodRuns = renderer.stats.selectedPodRuns; // runs of a selected Service's pods outlined in the grids
    stats.layerStale = renderer.pending(); // the static layer still shows an older scene (rebuilt at most every 100 ms)
    stats.lastStaticBuildMs = renderer.stats.lastBuildMs;
    stats.paused = player.paused;
    stats.speed = player.speed;
    stats.clock = Math.round(player.clock);
    stats.reducedMotion = reducedMotion;
    // Where the focused packet is drawn (tests check that reduced motion jumps stop to stop).
    stats.packet = focused
      ? { x: Math.round(focused.sample.x), y: Math.round(focused.sample.y), phase: focused.sample.phase, hop: focused.sample.hopIndex, stop: focused.sample.stopIndex, stops: focused.anim.stops.length }
      : null;
  }

  const loop = createLoop({
    update: (dt) => player.advance(dt),
    draw,
    wantsFrame: () => player.busy() || renderer.pending() || marks.length > 0,
    stats,
  });
  const wake = () => loop.wake();
  if (media && media.addEventListener) {
    media.addEventListener("change", (e) => {
      reducedMotion = e.matches;
      wake();
    });
  }

  // --- Zoom and pan (zoomview.js): the scene is laid out at zoom × the canvas size ----------------
  const pinned = new Set(); // Services chosen in the finder: drawn like a trace's Service
  const zoomBadge = el("p", { class: "zoom-badge", id: "zoom-badge", hidden: true, "aria-live": "polite" });
  wrap.append(zoomBadge);
  const zoom = new ZoomView({
    renderer,
    getScene: () => scene,
    getPodCount: () => (view ? view.pods.length : 0),
    scheduleLayout: () => scheduleLayout(),
    relayout: () => relayout(),
    wake,
    stats,
    badge: zoomBadge,
  });

  // --- Controllers --------------------------------------------------------------------------------
  const input = new CanvasInput(
    { canvas, announce: $("canvas-announce") },
    {
      getScene: () => scene,
      toScene: (x, y) => zoom.toScene(x, y),
      onSelect: (ref, { showTab = true, cleared = false, silent = false } = {}) => {
        if (ref) {
          inspector.showObject(ref, view);
          if (showTab) tabs.select("inspector");
          emit("open", ref);
        } else if (cleared) {
          const cur = player.cursor();
          if (cur) inspector.showHop(cur.anim.trace, cur.hop);
          else inspector.showEmpty();
        }
        if (!silent || !ref) emit("select", ref);
        wake();
      },
      wake,
      zoomBy: (factor, sx, sy) => zoom.zoomBy(factor, sx, sy),
      panBy: (dx, dy) => zoom.panBy(dx, dy),
      resetZoom: () => zoom.reset(),
      show: (rect) => zoom.show(rect),
    },
  );

  const api = config.api || { postTraces: (body) => postJSON(`${config.apiBase}traces/`, body) };
  const panels = new Panels({
    root,
    role,
    watchUrl: config.watchUrl,
    announce,
    getView: () => view,
    getSelection: () => input.selection,
    select: (ref) => input.select(ref),
    seekHop: (trace, i, opts) => playback.seekHop(trace, i, opts),
    send: async (body) => {
      const res = await api.postTraces(body);
      // Packets are animated from the websocket; only without one fall back to the answer.
      if (res.ok && !(transport && transport.connected)) for (const tr of res.data.traces || []) playback.add(tr);
      return res;
    },
  });
  const { tabs, inspector } = panels;

  const tracelog = new TraceLog(
    { list: $("tracelog"), summary: $("tracelog-summary"), history: $("trace-history"), empty: $("tracelog-empty") },
    {
      onSelectHop: (trace, i) => playback.seekHop(trace, i, { showTab: true }),
      onSelectTrace: (id) => {
        const trace = playback.trace(id);
        if (trace) playback.seekHop(trace, 0, { showTab: false });
      },
    },
  );

  const controls = new Controls(
    { back: $("ctl-back"), play: $("ctl-play"), forward: $("ctl-forward"), replay: $("ctl-replay"), speed: $("ctl-speed"), speedValue: $("ctl-speed-value") },
    {
      togglePause: () => {
        player.togglePause();
        controls.setPaused(player.paused);
        emit("playback", { paused: player.paused });
        wake();
      },
      step: (dir) => playback.step(dir),
      replay: () => {
        playback.replay();
        emit("playback", { replay: true });
      },
      setSpeed: (s) => {
        player.setSpeed(s);
        controls.setSpeed(player.speed);
        emit("playback", { speed: player.speed });
        wake(); // one frame, so the published figures follow even while paused
      },
      tab: (i) => {
        const tab = tabs.tabs[i];
        if (tab) tabs.select(tab.dataset.tab, { focus: true });
      },
      clear: () => input.clear(),
    },
  );
  controls.setSpeed(1);
  controls.setPaused(false);
  controls.setReplayable(false);

  const playback = new TracePlayback({
    player,
    controls,
    tracelog,
    inspector,
    getScene: () => scene,
    hasView: () => Boolean(view),
    relayout: () => relayout(),
    wake,
    emit,
    onSeek: (trace, hop, { showTab }) => {
      input.selection = null;
      if (showTab) tabs.select("inspector");
    },
    historyUrl: config.historyUrl,
    stats,
  });
  const seekHop = (trace, i, opts) => playback.seekHop(trace, i, opts);

  // Predict, then reveal (quizpanel.js), and the book's hops beside the trace (bookview.js).
  const quiz = new QuizPanel(
    { toggle: $("ctl-predict"), panel: $("quiz-panel"), side: root.querySelector(".side"), live: $("quiz-live"), log: $("tracelog"), logSection: root.querySelector(".log") },
    { root, player, stats, wake, announce, getModel: () => model, getTrace: (id) => playback.trace(id), seek: (tr, i) => seekHop(tr, i, { showTab: false }), setPaused: (p) => controls.setPaused(p), currentLogTrace: () => tracelog.trace },
  );
  const book = new BookView({ toggle: $("toggle-book"), panel: $("bookview"), list: $("tracelog") }, { getModel: () => model, onSelectHop: (tr, i) => seekHop(tr, i, { showTab: true }) });
  tracelog.onShow((tr) => book.show(tr));
  // Permalink, PNG and JSON of the trace the log shows (traceexport.js).
  wireTraceExport(
    { box: $("trace-export"), permalink: $("trace-permalink"), png: $("trace-png"), json: $("trace-json") },
    { canvas, onShow: (cb) => tracelog.onShow(cb), seekEnd: (tr) => seekHop(tr, Math.max(0, (tr.hops || []).length - 1), { showTab: false }), announce },
  );
  quiz.onActive((on) => book.setLocked(on));

  const finder = new ServiceFinder(wrap, {
    onPick: (key) => {
      pinned.add(key);
      relayout();
      const r = scene && scene.refRects.get(`Service:${key}`);
      if (r) zoom.show(r);
      input.select({ kind: "Service", key });
    },
  });

  // --- Model -> view -> scene ---------------------------------------------------------------------
  let layoutTimer = null;
  let lastLayout = -Infinity;
  function scheduleLayout() {
    if (layoutTimer) return;
    const wait = Math.max(0, 100 - (performance.now() - lastLayout));
    layoutTimer = setTimeout(relayout, wait);
  }

  function sceneFocus() {
    const f = playback.focus;
    if (!pinned.size) return f;
    return { ...f, services: [...new Set([...f.services, ...pinned])] };
  }

  function relayout() {
    clearTimeout(layoutTimer);
    layoutTimer = null;
    lastLayout = performance.now();
    if (!renderer.cssW) return;
    const fresh = !view || view.revision !== model.revision;
    const t0 = performance.now();
    if (fresh) view = deriveView(model);
    const t1 = performance.now();
    const prevScene = scene;
    scene = layoutScene(view, { ...zoom.layoutSize(), measure: renderer.measure, role, focus: sceneFocus() });
    // Where a change's time goes (benchmarks/canvas_fps.py prints it).
    stats.lastLayout = { deriveMs: Math.round(t1 - t0), layoutMs: Math.round(performance.now() - t1) };
    scene.changeArrived = changeArrived ?? (prevScene ? prevScene.changeArrived : null) ?? null;
    changeArrived = null;
    renderer.setScene(scene);
    zoom.placed(scene);
    stats.scene = sceneSummary(scene);
    stats.layerStale = true; // until the next frame has drawn it
    if (pendingEvents.length) {
      if (prevScene) addMarks(prevScene, scene, pendingEvents);
      pendingEvents = [];
    }
    playback.follow(scene);
    input.sceneChanged(scene);
    if (fresh) panels.update(view);
    stats.pods = view ? view.podCounts.total : 0;
    stats.nodes = view ? view.nodes.length : 0;
    stats.services = view ? view.services.length : 0;
    stats.seq = model.seq;
    updateFinder();
    playback.flushWaiting();
    wake();
  }

  function updateFinder() {
    if (!view) return;
    finder.update(view.services, (key) => {
      const r = scene.refRects.get(`Service:${key}`);
      return r && zoom.inView(r) ? r : null;
    });
  }

  // What the picture shows, in a few names and counts (for tests and benchmarks).
  function sceneSummary(sc) {
    const ids = [...sc.refRects.keys()];
    const named = (kind) => ids.filter((id) => id.startsWith(`${kind}:`)).map((id) => id.slice(kind.length + 1));
    return {
      services: [...sc.anchors.services.keys()],
      nodes: [...sc.anchors.nodes.keys()],
      nodePorts: [...new Set([...sc.anchors.nodePorts.keys()].map((k) => Number(k.split(":").pop())))].sort((a, b) => a - b),
      pods: sc.anchors.pods.size,
      podBoxes: named("Pod").length,
      grids: sc.grids.length,
      // Where the first Services are drawn, for a test to click one.
      serviceBoxes: Object.fromEntries(named("Service").slice(0, 20).map((key) => {
        const r = sc.refRects.get(`Service:${key}`);
        return [key, { x: Math.round(r.x), y: Math.round(r.y), w: Math.round(r.w), h: Math.round(r.h) }];
      })),
      slices: named("EndpointSlice"),
      lod: sc.lod,
      zoom: zoom.z,
      // What the Services band says (fills like "100/100 · 1/100" included), first 60 boxes.
      texts: sc.items.filter((it) => it.type === "box" && ["service", "endpoints", "slice"].includes(it.role)).slice(0, 60)
        .map((it) => it.lines.map((l) => l.text + (l.right ? ` ${l.right.text}` : "")).join(" | ")),
    };
  }

  const ro = new ResizeObserver(() => {
    const r = wrap.getBoundingClientRect();
    if (renderer.resize(r.width, r.height, window.devicePixelRatio || 1)) relayout();
  });
  ro.observe(wrap);

  // --- Connection -------------------------------------------------------------------------------
  const connEl = $("conn-status");
  function setConn(st) {
    if (!connEl) return;
    let text = t(`conn.${st.state}`);
    if (st.state === "waiting") text = t("conn.waiting", { s: Math.max(1, Math.round((st.retryIn || 0) / 1000)) });
    connEl.dataset.state = st.state;
    const icon = connEl.querySelector(".conn-icon");
    const label = connEl.querySelector(".conn-text");
    if (icon) icon.textContent = CONN_ICONS[st.state] || "•";
    if (label) label.textContent = text;
    stats.connection = st.state;
  }

  const handlers = {
    onStatus: setConn,
    onHello: (msg) => {
      if (msg.role === "viewer" && role !== "viewer") {
        role = "viewer";
        panels.setRole(role);
        root.dataset.role = "viewer";
      }
      const name = $("cluster-name");
      if (name && msg.cluster && msg.cluster.name) name.textContent = msg.cluster.name;
      if (msg.protocol && msg.protocol !== PROTOCOL) announce(t("conn.protocol"));
    },
    onSnapshot: (msg) => {
      model = applySnapshot(model, msg);
      pendingEvents = []; // a (re)sync: the whole picture is new, nothing to mark
      marks = [];
      relayout();
      playback.loadHistory();
    },
    onEvents: (events) => {
      if (changeArrived === null) changeArrived = performance.now();
      const seq = model.seq;
      if (seq !== null && seq !== undefined) for (const ev of events || []) if (ev && typeof ev.seq === "number" && ev.seq > seq) pendingEvents.push(ev);
      if (pendingEvents.length > 20000) pendingEvents = pendingEvents.slice(-20000);
      model = applyEvents(model, events);
      scheduleLayout();
      emit("events", events);
    },
    onTrace: (trace) => {
      playback.add(trace);
      emit("trace", trace);
    },
    onError: (message) => announce(message),
    // Messages this page does not draw itself (a lesson's "check again", the classroom's).
    onOther: (msg) => emit("message", msg),
  };
  wireCostView({ button: $("ctl-cost"), dialog: $("cost-dialog"), body: $("cost-body"), apiBase: config.apiBase,
    onOpen: () => emit("view", "cost") });

  const transport = config.transport ? config.transport(handlers) : new ClusterSocket(socketUrl(config.wsUrl, window.location), handlers);
  window.addEventListener("online", () => transport.retryNow && transport.retryNow());
  document.addEventListener("visibilitychange", () => {
    if (!document.hidden && transport.retryNow) transport.retryNow();
  });
  transport.start();

  return {
    player,
    renderer,
    loop,
    quiz,
    book,
    addTrace: (tr) => playback.add(tr),
    addHistory: (list) => playback.addHistory(list),
    select: (ref, opts) => input.select(ref, opts),
    seekHop,
    get model() {
      return model;
    },
    get view() {
      return view;
    },
    get scene() {
      return scene;
    },
    get selection() {
      return input.selection;
    },
    relayout,
    // Zoom and pan, as the mouse, touch and keys drive them (canvasinput.js).
    zoomBy: (factor, sx, sy) => zoom.zoomBy(factor, sx, sy),
    resetZoom: () => zoom.reset(),
    // Playback as the buttons drive it (a class's students follow the teacher's).
    replay: () => playback.replay(),
    setPaused(paused) {
      player.paused = Boolean(paused);
      controls.setPaused(player.paused);
      wake();
    },
    setSpeed(s) {
      player.setSpeed(s);
      controls.setSpeed(player.speed);
      wake();
    },
  };
}

const rootEl = typeof document !== "undefined" ? document.getElementById("app") : null;
if (rootEl && rootEl.dataset.autostart !== "false") start(readConfig(rootEl));
