// Wiring: socket -> state -> layout -> renderer, the loop, and the DOM panels.
// The page (templates/visualizer/sandbox.html) provides the DOM and data-* configuration on #app.
// start() takes its transport and API as options, so another page can drive it (data-autostart="false").

import { t } from "./i18n.js";
import { ClusterSocket, socketUrl } from "./socket.js";
import { actionUrl, applyEvents, applySnapshot, deriveView, emptyModel } from "./state.js";
import { hitTest, layoutScene, refId } from "./layout.js";
import { Renderer } from "./renderer.js";
import { createLoop } from "./loop.js";
import { buildAnimation, pathPoints, remapLocalTime, sampleAnimation } from "./anim.js";
import { Player } from "./player.js";
import { Controls } from "./controls.js";
import { Tabs } from "./tabs.js";
import { Inspector } from "./inspector.js";
import { TraceLog } from "./tracelog.js";
import { Tables } from "./tables.js";
import { RequestPanel } from "./request.js";
import { postAction, postJSON, wireForms } from "./forms.js";
import { YamlPanel } from "./yaml.js";
import { ConsolePanel } from "./console.js";
import { MARK_MS, MAX_MARKS, addOverflow, changeMarks, mergeMarks, overflowCount, overflowText } from "./marks.js";
import { el } from "./dom.js";
import { QuizPanel } from "./quizpanel.js";
import { BookView } from "./bookview.js";
import { wireCostView } from "./costview.js";
import { wireTraceExport } from "./traceexport.js";
import { fetchTraceHistory } from "./tracehistory.js";
import { ServiceEditor } from "./serviceedit.js";
import { missingFromScene, requestKey, traceFocus } from "./tracefocus.js";

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
  let selection = null;
  let kbIndex = -1;
  let kbFocusRef = null;

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

  function draw(accMs) {
    quiz.gate(); // Predict: playback waits before a hop until it is answered
    const now = performance.now();
    renderer.buildIfDue(now);
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
    renderer.drawFrame(now, {
      packets,
      path: focused ? quiz.path(focused.anim, pathPoints(focused.anim)) : null,
      pathReached: focused ? focused.sample.stopIndex : 0,
      selection: selection ? refId(selection) : null,
      focusRef: kbFocusRef ? refId(kbFocusRef) : null,
      marks,
      reducedMotion,
    });
    stats.marks = marks.map((m) => ({ ref: m.ref, kind: m.kind, text: m.text }));
    followCursor();
    stats.packets = packets.length;
    stats.staticBuilds = renderer.stats.builds;
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

  // --- Panels -------------------------------------------------------------------------------------
  // The YAML and Console tabs widen the side panel to about 80 columns while they are open.
  const TOOL_TABS = new Set(["yaml", "console"]);
  const tabs = new Tabs(root.querySelector('[role="tablist"]'), {
    onChange: (name) => {
      if (name === "tables") tables.render(view);
      root.classList.toggle("side-tools", TOOL_TABS.has(name));
      if (name === "yaml" && yamlPanel) yamlPanel.refresh();
      if (name === "console" && consolePanel) consolePanel.focus();
    },
  });

  const inspector = new Inspector($("inspector"), {
    role,
    onAction: runAction,
    onSeekHop: (trace, i) => seekHop(trace, i, { showTab: false }),
    onSelect: (ref) => select(ref),
  });
  const serviceEditor = new ServiceEditor(root.querySelector("#form-service"));
  inspector.onEditService = async (svc) => {
    const url = actionUrl(view && view.actions ? view.actions.serviceEdit : "", { namespace: svc.namespace, name: svc.name });
    if (url && (await serviceEditor.start(url))) {
      tabs.select("create");
      const first = root.querySelector("#form-service [name='selector']");
      if (first) first.focus();
    } else announce(t("action.unavailable"));
  };

  const tables = new Tables($("tables"), { role, onAction: runAction, onSelect: (ref) => select(ref) });

  const tracelog = new TraceLog(
    { list: $("tracelog"), summary: $("tracelog-summary"), history: $("trace-history"), empty: $("tracelog-empty") },
    {
      onSelectHop: (trace, i) => seekHop(trace, i, { showTab: true }),
      onSelectTrace: (id) => {
        const trace = traceById.get(String(id));
        if (trace) seekHop(trace, 0, { showTab: false });
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
      step: (dir) => {
        if (!player.focused() && traces.length) {
          seekHop(traces[traces.length - 1], 0, { showTab: false });
          return;
        }
        if (player.step(dir)) {
          controls.setPaused(true);
          if (inspector.mode !== "object") inspector.mode = "hop";
          const cur = player.cursor();
          if (cur) emit("step", { trace: cur.anim.trace, hop: cur.hop });
          wake();
        }
      },
      replay: () => {
        replay();
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
      clear: () => {
        if (selection) {
          selection = null;
          const cur = player.cursor();
          if (cur) inspector.showHop(cur.anim.trace, cur.hop);
          else inspector.showEmpty();
          emit("select", null);
          wake();
        }
      },
    },
  );
  controls.setSpeed(1);
  controls.setPaused(false);
  controls.setReplayable(false);

  // Predict, then reveal (quizpanel.js), and the book's hops beside the trace (bookview.js).
  const quiz = new QuizPanel(
    { toggle: $("ctl-predict"), panel: $("quiz-panel"), side: root.querySelector(".side"), live: $("quiz-live"), log: $("tracelog"), logSection: root.querySelector(".log") },
    { root, player, stats, wake, announce, getModel: () => model, getTrace: (id) => traceById.get(String(id)), seek: (tr, i) => seekHop(tr, i, { showTab: false }), setPaused: (p) => controls.setPaused(p), currentLogTrace: () => tracelog.trace },
  );
  const book = new BookView({ toggle: $("toggle-book"), panel: $("bookview"), list: $("tracelog") }, { getModel: () => model, onSelectHop: (tr, i) => seekHop(tr, i, { showTab: true }) });
  tracelog.onShow((tr) => book.show(tr));
  // Permalink, PNG and JSON of the trace the log shows (traceexport.js).
  wireTraceExport(
    { box: $("trace-export"), permalink: $("trace-permalink"), png: $("trace-png"), json: $("trace-json") },
    { canvas, onShow: (cb) => tracelog.onShow(cb), seekEnd: (tr) => seekHop(tr, Math.max(0, (tr.hops || []).length - 1), { showTab: false }), announce },
  );
  tracelog.onShow(() => refocus());
  quiz.onActive((on) => book.setLocked(on));

  const api = config.api || { postTraces: (body) => postJSON(`${config.apiBase}traces/`, body) };
  let request = null;
  if ($("request-form")) {
    request = new RequestPanel(
      {
        form: $("request-form"),
        source: $("req-source"),
        destination: $("req-destination"),
        free: $("req-free"),
        send1: $("req-send1"),
        send20: $("req-send20"),
        error: $("req-error"),
        tally: $("req-tally"),
        hint: $("req-hint"),
      },
      {
        send: async (body) => {
          const res = await api.postTraces(body);
          // Packets are animated from the websocket; only without one fall back to the answer.
          if (res.ok && !(transport && transport.connected)) for (const tr of res.data.traces || []) addTrace(tr);
          return res;
        },
      },
    );
  }
  wireForms(root, { onMessage: announce });

  const yamlPanel = $("panel-yaml")
    ? new YamlPanel(
        {
          panel: $("panel-yaml"),
          text: $("yaml-text"),
          book: $("yaml-book"),
          apply: $("yaml-apply"),
          exportAll: $("yaml-export-all"),
          exportSelected: $("yaml-export-selected"),
          selected: $("yaml-selected"),
          result: $("yaml-result"),
          bookData: document.getElementById("book-manifests"), // json_script's <script> tag
        },
        { getSelection: () => selection },
      )
    : null;
  const consolePanel = $("panel-console")
    ? new ConsolePanel({ panel: $("panel-console"), form: $("console-form"), input: $("console-input"), output: $("console-output") })
    : null;

  const sendShortcut = $("ctl-send");
  if (sendShortcut) {
    sendShortcut.addEventListener("click", () => {
      tabs.select("send");
      const d = $("req-destination");
      if (d) d.focus();
    });
  }
  const wide = $("toggle-wide");
  if (wide) {
    wide.addEventListener("click", () => {
      const on = root.classList.toggle("side-wide");
      wide.setAttribute("aria-pressed", on ? "true" : "false");
    });
  }
  const watchInput = $("watch-url");
  if (watchInput && watchInput.value) watchInput.value = new URL(watchInput.value, window.location.href).href;
  const copy = $("copy-watch");
  if (copy) {
    copy.addEventListener("click", async () => {
      const url = new URL(copy.dataset.url || config.watchUrl, window.location.href).href;
      try {
        await navigator.clipboard.writeText(url);
        announce(t("share.copied"));
      } catch {
        const input = $("watch-url");
        if (input) {
          input.focus();
          input.select();
        }
        announce(t("share.copyManually", { url }));
      }
    });
  }

  async function runAction(action, params, label) {
    const template = view && view.actions ? view.actions[action] : "";
    const url = actionUrl(template, params);
    if (!url || role !== "owner") {
      announce(t("action.unavailable"));
      return;
    }
    const res = await postAction(url);
    if (res.ok) announce(res.data.message || t("action.done", { action: label }));
    else {
      const errs = [...(res.data.non_field_errors || []), ...Object.values(res.data.errors || {}).flat(), res.data.detail].filter(Boolean);
      announce(errs.join(" ") || t("forms.networkError"));
    }
  }

  // --- Selection (canvas click / keyboard, tables, inspector links) -------------------------------
  function select(ref, { showTab = true } = {}) {
    selection = ref;
    if (ref) {
      inspector.showObject(ref, view);
      if (showTab) tabs.select("inspector");
      emit("open", ref);
    }
    emit("select", ref);
    wake();
  }

  function canvasPoint(ev) {
    const r = canvas.getBoundingClientRect();
    return { x: ev.clientX - r.left, y: ev.clientY - r.top };
  }
  canvas.addEventListener("click", (ev) => {
    const { x, y } = canvasPoint(ev);
    const hit = hitTest(scene, x, y);
    if (hit) {
      const i = scene.focusOrder.findIndex((h) => refId(h.ref) === refId(hit.ref));
      if (i >= 0) kbIndex = i;
      select(hit.ref);
    } else if (selection) {
      selection = null;
      emit("select", null);
      wake();
    }
  });
  let hoverPending = false;
  canvas.addEventListener("mousemove", (ev) => {
    if (hoverPending) return;
    hoverPending = true;
    requestAnimationFrame(() => {
      hoverPending = false;
      const { x, y } = canvasPoint(ev);
      canvas.style.cursor = hitTest(scene, x, y) ? "pointer" : "default";
    });
  });
  const canvasAnnounce = $("canvas-announce");
  function focusItem(i) {
    if (!scene || !scene.focusOrder.length) return;
    kbIndex = Math.max(0, Math.min(scene.focusOrder.length - 1, i));
    const item = scene.focusOrder[kbIndex];
    kbFocusRef = item.ref;
    if (canvasAnnounce) canvasAnnounce.textContent = t("canvas.focusItem", { label: item.label || refId(item.ref), n: kbIndex + 1, total: scene.focusOrder.length });
    wake();
  }
  canvas.addEventListener("focus", () => focusItem(kbIndex < 0 ? 0 : kbIndex));
  canvas.addEventListener("blur", () => {
    kbFocusRef = null;
    wake();
  });
  canvas.addEventListener("keydown", (ev) => {
    if (!scene) return;
    switch (ev.key) {
      case "ArrowRight":
      case "ArrowDown":
        focusItem(kbIndex + 1);
        break;
      case "ArrowLeft":
      case "ArrowUp":
        focusItem(kbIndex - 1);
        break;
      case "Home":
        focusItem(0);
        break;
      case "End":
        focusItem(scene.focusOrder.length - 1);
        break;
      case "Enter":
      case " ":
        if (kbFocusRef) select(kbFocusRef, { showTab: true });
        break;
      default:
        return;
    }
    ev.preventDefault();
  });

  // --- Model -> view -> scene ---------------------------------------------------------------------
  let layoutTimer = null;
  let lastLayout = -Infinity;
  function scheduleLayout() {
    if (layoutTimer) return;
    const wait = Math.max(0, 100 - (performance.now() - lastLayout));
    layoutTimer = setTimeout(relayout, wait);
  }

  function relayout() {
    clearTimeout(layoutTimer);
    layoutTimer = null;
    lastLayout = performance.now();
    if (!renderer.cssW) return;
    const fresh = !view || view.revision !== model.revision;
    if (fresh) view = deriveView(model);
    const prevScene = scene;
    scene = layoutScene(view, { width: renderer.cssW, height: renderer.cssH, measure: renderer.measure, role, focus: sceneFocus });
    renderer.setScene(scene);
    stats.scene = sceneSummary(scene);
    stats.layerStale = true; // until the next frame has drawn it
    if (pendingEvents.length) {
      if (prevScene) addMarks(prevScene, scene, pendingEvents);
      pendingEvents = [];
    }
    // Packets in flight follow the new picture, each staying at the same point of its path.
    for (const a of player.anims) {
      const b = buildAnimation(a.trace, scene.anchors);
      a.start = player.clock - remapLocalTime(a, b, player.clock - a.start);
      a.stops = b.stops;
      a.endStart = b.endStart;
      a.duration = b.duration;
    }
    if (kbIndex >= scene.focusOrder.length) kbIndex = scene.focusOrder.length - 1;
    if (kbFocusRef && !scene.refRects.has(refId(kbFocusRef))) kbFocusRef = null;
    if (fresh) updatePanels();
    if (pendingTraces.length && !flushTimer) flushTraces();
    wake();
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
      slices: named("EndpointSlice"),
      lod: sc.lod,
      // What the Services band says (fills like "100/100 · 1/100" included), first 60 boxes.
      texts: sc.items.filter((it) => it.type === "box" && ["service", "endpoints", "slice"].includes(it.role)).slice(0, 60)
        .map((it) => it.lines.map((l) => l.text + (l.right ? ` ${l.right.text}` : "")).join(" | ")),
    };
  }

  const summaryEl = $("canvas-summary");
  let guidedOnce = false;
  function updatePanels() {
    // An empty sandbox: the first step is a Deployment, so show that form first (once).
    if (!guidedOnce && view && !view.pods.length && !view.deployments.length) {
      guidedOnce = true;
      const wl = $("form-workload");
      const block = wl && wl.closest("details");
      const svc = $("form-service");
      const svcBlock = svc && svc.closest("details");
      if (block) {
        block.open = true;
        if (svcBlock && svcBlock !== block) svcBlock.open = false;
      }
    }
    if (request) request.update(view);
    if (tabs.current === "tables") tables.render(view);
    inspector.refresh(view);
    if (summaryEl && view) {
      summaryEl.textContent = t("canvas.summary", {
        nodes: view.nodes.length,
        pods: view.podCounts.total,
        ready: view.podCounts.ready,
        services: view.services.length,
        slices: view.slices.length,
      });
    }
    const settings = $("settings-current");
    if (settings && view) {
      const s = view.settings || {};
      const rows = [
        [t("settings.serviceCIDR"), s.serviceCIDR],
        [t("settings.nodePortRange"), s.nodePortRange],
        [t("settings.maxEndpointsPerSlice"), s.maxEndpointsPerSlice],
        [t("settings.proxyMode"), s.proxyMode],
        [t("settings.lbPool"), (s.lbPool || []).join(", ") || "—"],
      ].filter(([, v]) => v !== undefined && v !== null && v !== "");
      settings.replaceChildren(...rows.flatMap(([k, v]) => [el("dt", { text: k }), el("dd", {}, el("code", { text: String(v) }))]));
    }
    stats.pods = view ? view.podCounts.total : 0;
    stats.nodes = view ? view.nodes.length : 0;
    stats.services = view ? view.services.length : 0;
    stats.seq = model.seq;
  }

  const ro = new ResizeObserver(() => {
    const r = wrap.getBoundingClientRect();
    if (renderer.resize(r.width, r.height, window.devicePixelRatio || 1)) relayout();
  });
  ro.observe(wrap);

  // --- Traces -----------------------------------------------------------------------------------
  // The Service, nodes and pods of the trace shown and of every packet in flight are always in the
  // picture (layout.js, opts.focus), even when the others are folded into "+N more".
  let sceneFocus = traceFocus([]);
  function refocus() {
    const shown = new Set(player.anims.map((a) => a.trace));
    if (tracelog.trace) shown.add(tracelog.trace);
    const focus = traceFocus([...shown]);
    if (focus.key === sceneFocus.key) return;
    sceneFocus = focus;
    if (scene && missingFromScene(focus, scene.anchors).length) relayout();
  }

  // Stored traces, loaded once after the first snapshot: the history picker and Replay work after a reload.
  let historyAsked = false;
  function addHistory(list) {
    let added = 0;
    for (const tr of list || []) {
      if (!tr || tr.id === undefined || tr.id === null || traceById.has(String(tr.id))) continue;
      traceById.set(String(tr.id), tr);
      traces.push(tr);
      added++;
    }
    if (!added) return;
    traces.sort((a, b) => Number(a.id) - Number(b.id));
    while (traces.length > 60) traceById.delete(String(traces.shift().id));
    if (!tracelog.trace && traces.length) {
      const last = traces[traces.length - 1];
      batches.push([last]);
      tracelog.showTrace(last);
    }
    tracelog.setTraces(traces, tracelog.trace ? tracelog.trace.id : null);
    controls.setReplayable(true);
    stats.historyLoaded = added;
  }
  function loadHistory() {
    if (historyAsked || !config.historyUrl) return;
    historyAsked = true;
    fetchTraceHistory(config.historyUrl).then(addHistory, () => {});
  }

  const traces = [];
  const traceById = new Map();
  let batches = [];
  let pendingTraces = [];
  let flushTimer = null;
  let lastTraceAt = -Infinity;
  let lastRequest = "";

  function addTrace(trace) {
    if (!trace || trace.id === undefined || trace.id === null || traceById.has(String(trace.id))) return;
    traceById.set(String(trace.id), trace);
    traces.push(trace);
    while (traces.length > 60) traceById.delete(String(traces.shift().id));
    pendingTraces.push(trace);
    if (!flushTimer) flushTimer = setTimeout(flushTraces, 30);
  }

  function flushTraces() {
    flushTimer = null;
    if (!scene || !view) return; // flushed by the first layout
    // One request's traces may come in several messages; another request starts its own batch.
    const key = requestKey(pendingTraces[0]);
    const cut = pendingTraces.findIndex((tr) => requestKey(tr) !== key);
    const batch = cut < 0 ? pendingTraces : pendingTraces.slice(0, cut);
    pendingTraces = cut < 0 ? [] : pendingTraces.slice(cut);
    if (!batch.length) return;
    const now = performance.now();
    const newBatch = now - lastTraceAt > 700 || key !== lastRequest;
    lastTraceAt = now;
    lastRequest = key;
    if (newBatch) {
      batches.push(batch.slice());
      if (batches.length > 20) batches = batches.slice(-20);
      player.paused = false;
      controls.setPaused(false);
    } else batches[batches.length - 1].push(...batch);
    player.addBatch(
      batch.map((tr) => buildAnimation(tr, scene.anchors)),
      { focus: newBatch, continueBatch: !newBatch },
    );
    if (newBatch) {
      tracelog.showTrace(batch[0]);
      if (inspector.mode !== "object") inspector.showHop(batch[0], 0);
    }
    tracelog.setTraces(traces, player.focusId);
    controls.setReplayable(true);
    refocus();
    if (pendingTraces.length) flushTraces();
    wake();
  }

  function replay() {
    const focusId = player.focusId;
    const batch = batches.find((b) => b.some((tr) => tr.id === focusId)) || batches[batches.length - 1];
    if (!batch || !scene) return;
    player.paused = false;
    controls.setPaused(false);
    player.addBatch(
      batch.map((tr) => ({ ...buildAnimation(tr, scene.anchors), id: tr.id })),
      { focus: true },
    );
    // The replayed copies replace the old ones (same ids).
    const fresh = new Set(player.anims.slice(-batch.length));
    player.anims = player.anims.filter((a) => fresh.has(a) || !batch.some((tr) => tr.id === a.id));
    tracelog.showTrace(batch[0]);
    wake();
  }

  function seekHop(trace, hopIndex, { showTab }) {
    if (!scene) return;
    let anim = player.anims.find((a) => a.id === trace.id);
    if (!anim) anim = buildAnimation(trace, scene.anchors);
    player.seekHop(anim, hopIndex);
    controls.setPaused(true);
    controls.setReplayable(true);
    if (tracelog.trace !== trace) tracelog.showTrace(trace);
    tracelog.setCurrent(hopIndex);
    selection = null;
    inspector.showHop(trace, hopIndex);
    if (showTab) tabs.select("inspector");
    tracelog.setTraces(traces, trace.id);
    emit("hop", { trace, hop: hopIndex });
    wake();
  }

  // The trace log and the inspector follow the focused packet's current hop.
  function followCursor() {
    const cur = player.cursor();
    if (!cur || !cur.started) return;
    const trace = cur.anim.trace;
    if (tracelog.trace !== trace) tracelog.showTrace(trace);
    tracelog.setCurrent(cur.hop);
    if (inspector.mode !== "object" && (!inspector.current || inspector.current.trace !== trace || inspector.current.hopIndex !== cur.hop)) {
      inspector.showHop(trace, cur.hop);
    }
  }

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
        inspector.setRole(role);
        tables.setRole(role);
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
      loadHistory();
    },
    onEvents: (events) => {
      const seq = model.seq;
      if (seq !== null && seq !== undefined) for (const ev of events || []) if (ev && typeof ev.seq === "number" && ev.seq > seq) pendingEvents.push(ev);
      if (pendingEvents.length > 20000) pendingEvents = pendingEvents.slice(-20000);
      model = applyEvents(model, events);
      scheduleLayout();
      emit("events", events);
    },
    onTrace: (trace) => {
      addTrace(trace);
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
    addTrace,
    addHistory,
    select,
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
      return selection;
    },
    relayout,
    // Playback as the buttons drive it (a class's students follow the teacher's).
    replay,
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
