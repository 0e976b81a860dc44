// Pure: derived view (state.js) + canvas size -> scene geometry. No DOM, no canvas.
// The renderer only paints what this module decides; hit testing and packet anchors come from here.
//
// Picture: outside the cluster (left column) the external client and the load balancers; inside the
// cluster frame, a Services band (service box, its Endpoints box, its EndpointSlice boxes) above a
// Nodes band (node boxes with their IPs, the NodePorts open on every node, and their pods).
// Level of detail: pods become glyph grids then counted groups, slices become counted tiles, so a
// thousand pods on twenty nodes still fit and stay legible.

import { nodeReadiness, nodeStatus, t } from "./i18n.js";

/** The Hangul web font of servicescope.css, after the system's Korean fonts (a machine may have none). */
export const HANGUL_FAMILY = "Servicescope Hangul";
export const SANS = `system-ui, "Segoe UI", Roboto, "Noto Sans KR", "Malgun Gothic", "Apple SD Gothic Neo", "NanumGothic", "${HANGUL_FAMILY}", "DejaVu Sans", sans-serif`;
export const MONO = `ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, "Noto Sans Mono CJK KR", "${HANGUL_FAMILY}", monospace`;

export function refId(ref) {
  return ref ? `${ref.kind}:${ref.key}` : "";
}

/** Text width estimate when no canvas is at hand (tests, first layout). */
export function estimateTextWidth(text, font) {
  const m = /(\d+(?:\.\d+)?)px/.exec(font || "");
  const size = m ? parseFloat(m[1]) : 13;
  const mono = /mono/i.test(font || "");
  const bold = /bold/.test(font || "");
  let w = 0;
  for (const ch of String(text)) {
    const cp = ch.codePointAt(0);
    const wide = (cp >= 0x1100 && cp <= 0x11ff) || (cp >= 0x2e80 && cp <= 0x9fff) || (cp >= 0xac00 && cp <= 0xd7af) || (cp >= 0xf900 && cp <= 0xfaff) || (cp >= 0xff00 && cp <= 0xffef);
    if (wide) w += size; // Hangul, CJK: full width
    else w += size * (mono ? 0.602 : 0.58);
  }
  return bold ? w * 1.06 : w;
}

export function chooseFontSize(width, height) {
  return Math.max(13, Math.min(18, Math.round(Math.min(width / 68, height / 42))));
}

function clamp(v, lo, hi) {
  return Math.max(lo, Math.min(hi, v));
}

function makeCtx(F, measure) {
  const fonts = {
    n: `${F}px ${SANS}`,
    b: `bold ${F}px ${SANS}`,
    m: `${F}px ${MONO}`,
    mb: `bold ${F}px ${MONO}`,
    t: `bold ${F + 1}px ${SANS}`,
    h: `bold ${F + 4}px ${SANS}`,
  };
  const LH = Math.round(F * 1.42);
  return { F, LH, fonts, measure: measure || estimateTextWidth, padX: Math.round(F * 0.6), padY: Math.round(F * 0.35), g: Math.round(F * 0.7) };
}

/** Truncate to maxW with an ellipsis; `keepEnd` keeps that many trailing chars (slice suffixes). */
export function fitText(ctx, text, fontKey, maxW, keepEnd = 0) {
  const font = ctx.fonts[fontKey] || fontKey;
  const s = String(text ?? "");
  if (maxW <= 0) return "";
  if (ctx.measure(s, font) <= maxW) return s;
  const chars = [...s];
  if (keepEnd && chars.length > keepEnd + 2) {
    const tail = chars.slice(-keepEnd).join("");
    let lo = 0;
    let hi = chars.length - keepEnd;
    while (lo < hi) {
      const mid = Math.ceil((lo + hi) / 2);
      if (ctx.measure(chars.slice(0, mid).join("") + "…" + tail, font) <= maxW) lo = mid;
      else hi = mid - 1;
    }
    if (lo > 0) return chars.slice(0, lo).join("") + "…" + tail;
    if (ctx.measure("…" + tail, font) <= maxW) return "…" + tail;
  }
  let lo = 0;
  let hi = chars.length;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (ctx.measure(chars.slice(0, mid).join("") + "…", font) <= maxW) lo = mid;
    else hi = mid - 1;
  }
  return lo > 0 ? chars.slice(0, lo).join("") + "…" : "";
}

function boxH(ctx, n) {
  return ctx.padY * 2 + n * ctx.LH;
}

/** Split text into lines that fit maxW (word wrap; long words are truncated). */
export function wrapText(ctx, text, fontKey, maxW, maxLines = 3) {
  const font = ctx.fonts[fontKey] || fontKey;
  const words = String(text).split(/\s+/).filter(Boolean);
  const lines = [];
  let cur = "";
  for (const w of words) {
    const next = cur ? `${cur} ${w}` : w;
    if (!cur || ctx.measure(next, font) <= maxW) cur = next;
    else {
      lines.push(cur);
      cur = w;
    }
  }
  if (cur) lines.push(cur);
  if (lines.length > maxLines) {
    const keep = lines.slice(0, maxLines);
    keep[maxLines - 1] = fitText(ctx, lines.slice(maxLines - 1).join(" "), fontKey, maxW);
    return keep;
  }
  return lines;
}

/** Spec lines for a call-to-action box: a big heading and a wrapped hint. */
function ctaLines(ctx, w, heading, icon, hint) {
  const inner = w - 2 * ctx.padX - Math.round(ctx.F * 1.25);
  return [{ text: heading, font: "h", icon }, ...wrapText(ctx, hint, "b", inner).map((text) => ({ text, font: "b", indent: true }))];
}

function lineHeight(ctx, font) {
  return font === "h" ? Math.round(ctx.LH * 1.45) : ctx.LH;
}

/** A box with text lines; each line {text, font, icon?, keepEnd?, muted?, right?, glyph?, indent?}. */
function makeBox(ctx, role, x, y, w, specs, extra = {}) {
  let ly = y + ctx.padY;
  const lines = specs.map((l) => {
    const lh = lineHeight(ctx, l.font);
    const cy = ly + lh / 2;
    ly += lh;
    const glyphW = l.glyph ? Math.round(ctx.F * 1.0) : 0;
    const iconW = (l.icon || l.indent ? Math.round(ctx.F * 1.25) : 0) + glyphW;
    let maxW = w - 2 * ctx.padX - iconW;
    let right = null;
    if (l.right) {
      // A right-aligned count, only if the main text still fits whole (else a shorter form, else none).
      const need = ctx.measure(l.text, ctx.fonts[l.font || "n"]);
      for (const r of [l.right, l.rightShort].filter(Boolean)) {
        const rw = ctx.measure(r, ctx.fonts.n);
        if (need + rw + ctx.padX <= maxW) {
          right = { text: r, x: x + w - ctx.padX, font: "n" };
          maxW -= rw + ctx.padX;
          break;
        }
      }
    }
    return {
      right,
      text: fitText(ctx, l.text, l.font || "n", maxW, l.keepEnd || 0),
      font: l.font || "n",
      x: x + ctx.padX + iconW,
      y: cy,
      icon: l.icon || null,
      iconX: x + ctx.padX,
      glyph: l.glyph || null,
      glyphX: x + ctx.padX + iconW - glyphW,
      muted: Boolean(l.muted),
    };
  });
  return { type: "box", role, x, y, w, h: ly - y + ctx.padY, lines, ...extra };
}

function stateText(state) {
  return t(`state.${state}`);
}

/** Compact form for counted groups: "50 pods · 48 ✓ · 1 ✗ · 1 ▲" (the legend explains the marks). */
function podSummaryShort(counts) {
  let s = `${t("canvas.pods", { n: counts.total })} · ${counts.ready} ✓`;
  if (counts.notready) s += ` · ${counts.notready} ✗`;
  if (counts.pending) s += ` · ${counts.pending} ○`;
  if (counts.terminating) s += ` · ${counts.terminating} ▲`;
  return s;
}

function podSummary(counts) {
  const parts = [t("canvas.pods", { n: counts.total }), t("canvas.readyCount", { n: counts.ready })];
  if (counts.notready) parts.push(t("canvas.notReadyCount", { n: counts.notready }));
  if (counts.pending) parts.push(t("canvas.pendingCount", { n: counts.pending }));
  if (counts.terminating) parts.push(t("canvas.terminatingCount", { n: counts.terminating }));
  return parts.join(" · ");
}

// --- Services band ------------------------------------------------------------------------------

// Detail levels, best first. rows = endpoint lines shown per Endpoints/slice box.
const SERVICE_LEVELS = [
  { detail: "full", rows: 6, score: 8 },
  { detail: "full", rows: 4, score: 7 },
  { detail: "full", rows: 3, score: 6 },
  { detail: "full", rows: 2, score: 4 },
  { detail: "tiles", score: 4 },
  { detail: "compact", score: 1 },
  // One box per Service: name, type and IP, and every slice's fill ("100/100 · 1/100"), narrower cards.
  { detail: "mini", score: 0.5, cardMin: 10.5 },
];

/** The EndpointSlice split as fills: "100/100 · 1/100" (the first `max`, then "+N"). */
export function sliceFills(svc, maxPerSlice, max = 4) {
  const fills = svc.slices.slice(0, max).map((sl) => `${sl.counts.total}/${maxPerSlice}`);
  if (svc.slices.length > max) fills.push(`+${svc.slices.length - max}`);
  return fills.join(" · ");
}

function serviceLines(svc, detail, maxPortLines) {
  const ip = svc.headless ? t("canvas.headless") : svc.clusterIP || "—";
  // Too narrow for "LoadBalancer 10.100.85.176": the type gets the ellipsis, the IP stays whole.
  const lines = [{ text: svc.name, font: "b", icon: "service" }, { text: `${svc.type} ${ip}`, font: "m", keepEnd: ip.length + 1 }];
  if (detail === "compact") {
    lines.push({ text: svc.ports.map((p) => `${p.port}${p.nodePort ? ":" + p.nodePort : ""}→${p.targetPort}`).join(" "), font: "m" });
    return lines;
  }
  const shown = svc.ports.slice(0, maxPortLines);
  for (const p of shown) {
    lines.push({ text: `${p.port}${p.nodePort ? ":" + p.nodePort : ""}/${p.protocol} → ${p.targetPort}`, font: "m" });
  }
  if (svc.ports.length > shown.length) lines.push({ text: t("canvas.morePorts", { n: svc.ports.length - shown.length }), font: "n", muted: true });
  if (!svc.ports.length) lines.push({ text: t("canvas.noPorts"), font: "n", muted: true });
  lines.push({ text: svc.selectorText ? t("canvas.selector", { sel: svc.selectorText }) : t("canvas.noSelector"), font: "n", muted: !svc.selectorText });
  const extras = [];
  if (svc.sessionAffinity === "ClientIP") extras.push(t("canvas.affinityClientIP"));
  if (svc.externalTrafficPolicy === "Local") extras.push(t("canvas.etpLocal"));
  if (svc.internalTrafficPolicy === "Local") extras.push(t("canvas.itpLocal"));
  if (extras.length) lines.push({ text: extras.join(" · "), font: "b" });
  return lines;
}

function endpointsLines(svc, detail, rows) {
  const ep = svc.endpoints;
  if (!ep) return [{ text: t("canvas.endpointsNone"), font: "n", muted: true, icon: "endpoints" }];
  const title = {
    text: ep.notReady.length ? t("canvas.endpointsTitleNR", { ready: ep.ready.length, notReady: ep.notReady.length }) : t("canvas.endpointsTitle", { ready: ep.ready.length }),
    font: "b",
    icon: "endpoints",
  };
  if (detail !== "full") return [title];
  const all = [...ep.ready, ...ep.notReady];
  const lines = [title];
  if (!all.length) {
    lines.push({ text: t("canvas.noAddresses"), font: "n", muted: true });
    return lines;
  }
  const show = all.length > rows ? rows - 1 : all.length;
  for (const a of all.slice(0, show)) {
    lines.push({ text: `${a.ip}:${a.ports.join(",")}`, font: "m", icon: a.ready ? "ready" : "notready" });
  }
  if (all.length > show) lines.push({ text: t("canvas.more", { n: all.length - show }), font: "n", muted: true });
  return lines;
}

function sliceTitle(sl) {
  return sl.counts.total === 0 ? t("canvas.sliceEmpty", { name: sl.name }) : t("canvas.sliceTitle", { name: sl.name, n: sl.counts.total });
}

function sliceLines(sl, rows, maxPerSlice) {
  // "3/100": endpoints in this slice against --max-endpoints-per-slice (the split point).
  const lines = [{ text: sl.name, font: "b", icon: "slice", keepEnd: 6, right: `${sl.counts.total}/${maxPerSlice}`, rightShort: String(sl.counts.total) }];
  if (!sl.counts.total) lines.push({ text: t("canvas.slicePlaceholder"), font: "n", muted: true });
  const show = sl.endpoints.length > rows ? rows - 1 : sl.endpoints.length;
  for (const e of sl.endpoints.slice(0, show)) {
    lines.push({ text: `${e.ip}${e.node ? " · " + e.node : ""}`, font: "m", icon: e.state });
  }
  if (sl.endpoints.length > show) lines.push({ text: t("canvas.more", { n: sl.endpoints.length - show }), font: "n", muted: true });
  return lines;
}

function layoutServiceCard(ctx, svc, x, y, w, level, maxPerSlice, out) {
  const { g } = ctx;
  let cy = y;
  const detail = level.detail;
  if (detail === "mini") {
    const ip = svc.headless ? t("canvas.headless") : svc.clusterIP || "—";
    // The slice icon says what the figures are: each slice's fill against the split point.
    const fills = svc.slices.length ? sliceFills(svc, maxPerSlice, 2) : t("canvas.noSlices");
    const b = makeBox(ctx, "service", x, cy, w, [
      { text: svc.name, font: "b", icon: "service" },
      { text: `${svc.type} ${ip}`, font: "n", keepEnd: ip.length + 1 },
      { text: fills, font: "n", icon: "slice", muted: !svc.slices.length },
    ], {
      ref: { kind: "Service", key: svc.key },
      selectable: true,
      label: `${t("kind.Service")} ${svc.name} ${svc.type} ${svc.clusterIP} ${svc.portsText} ${t("canvas.miniFills", { fills })}`,
      dashed: svc.lbPending,
    });
    out.push(b);
    return b.h;
  }
  const sBox = makeBox(ctx, "service", x, cy, w, serviceLines(svc, detail, detail === "full" ? 2 : 1), {
    ref: { kind: "Service", key: svc.key },
    selectable: true,
    label: `${t("kind.Service")} ${svc.name} ${svc.type} ${svc.clusterIP} ${svc.portsText}`,
    dashed: svc.lbPending,
  });
  out.push(sBox);
  cy += sBox.h + Math.round(g / 2);

  if (detail === "compact") {
    const ep = svc.endpoints;
    const text = t(svc.slices.length ? "canvas.compactFills" : "canvas.compactEndpoints", {
      ready: ep ? ep.ready.length : 0,
      total: ep ? ep.total : 0,
      slices: svc.slices.length,
      fills: sliceFills(svc, maxPerSlice),
    });
    // "slices 100/100 · 1/100" stays whole; the ready count gets the ellipsis first.
    const tail = t("canvas.miniFills", { fills: sliceFills(svc, maxPerSlice) });
    const keepEnd = svc.slices.length ? (text.endsWith(tail) ? tail.length : sliceFills(svc, maxPerSlice).length) : 0;
    const b = makeBox(ctx, "endpoints", x + g, cy, w - g, [{ text, font: "n", icon: "slice", keepEnd }], {
      ref: svc.endpoints ? { kind: "Endpoints", key: svc.endpoints.key } : null,
      selectable: Boolean(svc.endpoints),
      label: text,
    });
    out.push(b);
    return cy + b.h - y;
  }

  // The v1 Endpoints object, then the EndpointSlices, indented under their Service.
  const epBox = makeBox(ctx, "endpoints", x + g, cy, w - g, endpointsLines(svc, detail, level.rows || 2), {
    ref: svc.endpoints ? { kind: "Endpoints", key: svc.endpoints.key } : null,
    selectable: Boolean(svc.endpoints),
    label: svc.endpoints ? `${t("kind.Endpoints")} ${svc.name}` : t("canvas.endpointsNone"),
  });
  out.push(epBox);
  cy += epBox.h + Math.round(g / 2);

  if (!svc.slices.length) {
    const b = makeBox(ctx, "slice", x + g, cy, w - g, [{ text: t("canvas.noSlices"), font: "n", muted: true, icon: "slice" }], { dashed: true });
    out.push(b);
    return cy + b.h - y;
  }

  if (detail === "full") {
    for (const sl of svc.slices) {
      const b = makeBox(ctx, "slice", x + g, cy, w - g, sliceLines(sl, level.rows, maxPerSlice), {
        ref: { kind: "EndpointSlice", key: sl.key },
        selectable: true,
        label: `${t("kind.EndpointSlice")} ${sliceTitle(sl)}`,
        gauge: maxPerSlice ? Math.min(1, sl.counts.total / maxPerSlice) : null,
      });
      out.push(b);
      cy += b.h + 3;
    }
    return cy - 3 - y;
  }

  // Tiles: one counted box per slice, in a grid; "+N more slices" when they do not fit.
  const tileMin = ctx.measure("…-xxxxx · 100/100", ctx.fonts.n) + 2 * ctx.padX + 2;
  const iw = w - g;
  const cols = Math.max(1, Math.min(svc.slices.length, Math.floor((iw + 4) / (tileMin + 4))));
  const tw = (iw - (cols - 1) * 4) / cols;
  const th = boxH(ctx, 1);
  const maxRows = level.maxTileRows || 99;
  let shown = svc.slices.length;
  if (Math.ceil(shown / cols) > maxRows) shown = maxRows * cols - 1;
  svc.slices.slice(0, shown).forEach((sl, i) => {
    const col = i % cols;
    const row = Math.floor(i / cols);
    const short = sl.name.startsWith(`${svc.name}-`) ? `…${sl.name.slice(svc.name.length)}` : sl.name;
    const text = t("canvas.sliceTile", { name: short, n: sl.counts.total, max: maxPerSlice });
    out.push(
      makeBox(ctx, "slice", x + g + col * (tw + 4), cy + row * (th + 4), tw, [{ text, font: "n", keepEnd: 10 + String(sl.counts.total).length + String(maxPerSlice).length }], {
        ref: { kind: "EndpointSlice", key: sl.key },
        selectable: true,
        label: `${t("kind.EndpointSlice")} ${sliceTitle(sl)}`,
        gauge: maxPerSlice ? Math.min(1, sl.counts.total / maxPerSlice) : null,
        notReady: sl.counts.notready,
      }),
    );
  });
  let rowsUsed = Math.ceil(shown / cols);
  if (shown < svc.slices.length) {
    const rest = svc.slices.slice(shown);
    const n = rest.reduce((s, sl) => s + sl.counts.total, 0);
    const col = shown % cols;
    const row = Math.floor(shown / cols);
    out.push(
      makeBox(ctx, "more", x + g + col * (tw + 4), cy + row * (th + 4), tw, [{ text: t("canvas.moreSlices", { n: rest.length, endpoints: n }), font: "n", muted: true }], {
        ref: { kind: "Service", key: svc.key },
        selectable: false,
      }),
    );
    rowsUsed = Math.max(rowsUsed, row + 1);
  }
  cy += rowsUsed * (th + 4) - 4;
  return cy - y;
}

/** The apiserver's own default/kubernetes is drawn last: it is rarely what a lesson or a demo is
 *  about, and when space is short the learner's Services are the ones drawn (tables keep kubectl's order). */
export function drawOrder(services) {
  const last = (s) => (s.key === "default/kubernetes" ? 1 : 0);
  return [...services].sort((a, b) => last(a) - last(b));
}

/** Lay out all service cards at one level; returns {items, height, hidden}. */
function layoutServicesBand(ctx, services, x, y, w, level, maxPerSlice, maxH = Infinity) {
  const { g } = ctx;
  let cardMin = ctx.F * 16;
  if (level.detail === "mini") {
    // As narrow as the widest "ClusterIP 10.96.0.10" and slice fills allow (between 10.5 and 16 em).
    let need = 0;
    for (const svc of services) {
      const ip = svc.headless ? t("canvas.headless") : svc.clusterIP || "—";
      need = Math.max(need, ctx.measure(`${svc.type} ${ip}`, ctx.fonts.n), ctx.measure(sliceFills(svc, maxPerSlice, 2), ctx.fonts.n));
    }
    cardMin = clamp(need + 2 * ctx.padX + Math.round(ctx.F * 1.25) + 2, ctx.F * level.cardMin, ctx.F * 16);
  }
  const cols = Math.max(1, Math.min(services.length, Math.floor((w + g) / (cardMin + g))));
  const cw = (w - (cols - 1) * g) / cols;
  const items = [];
  let cy = y;
  let hidden = 0;
  for (let r = 0; r * cols < services.length; r++) {
    const rowItems = [];
    let rowH = 0;
    for (let c = 0; c < cols; c++) {
      const svc = services[r * cols + c];
      if (!svc) break;
      const h = layoutServiceCard(ctx, svc, x + c * (cw + g), cy, cw, level, maxPerSlice, rowItems);
      rowH = Math.max(rowH, h);
    }
    if (cy + rowH - y > maxH && r > 0) {
      hidden = services.length - r * cols;
      break;
    }
    items.push(...rowItems);
    cy += rowH + g;
  }
  return { items, height: Math.max(0, cy - g - y), hidden, cols };
}

// --- Nodes band ---------------------------------------------------------------------------------

// Detail levels, best first, with their worth when trading detail against the Services band.
const NODE_LEVELS = [
  { detail: "full", header: "full", score: 10 },
  { detail: "full", header: "tight", score: 9 },
  { detail: "grid", header: "one", score: 4 },
  { detail: "group", header: "one", score: 2 },
  { detail: "group", header: "mini", score: 1 },
];

function nodeHeaderLines(node, level, showExternal) {
  // kubectl's ",SchedulingDisabled" is too long for a node's header: a cordoned node gets a line
  // of its own that says what cordoning means, and one-line forms the word "cordoned".
  const base = nodeReadiness(node);
  const cordoned = node.schedulable === false;
  const icon = node.ready ? "ready" : "notready";
  const title = { text: `${node.name} · ${base}`, font: "b", icon };
  const cordonLine = cordoned ? [{ text: t("canvas.cordonedLine"), font: "n" }] : [];
  if (level.header === "full") {
    const lines = [title, ...cordonLine, { text: t("canvas.internalIP", { ip: node.internalIP || "—" }), font: "m" }];
    if (showExternal) lines.push({ text: t("canvas.externalIP", { ip: node.externalIP || "—" }), font: "m" });
    return lines;
  }
  if (level.header === "tight") {
    return [title, ...cordonLine, { text: node.externalIP ? `${node.internalIP} · ${node.externalIP}` : node.internalIP || "—", font: "m" }];
  }
  // One line: the state is the icon shape, and words only for what is not the usual Ready.
  const unusual = [node.ready ? "" : base, cordoned ? t("state.cordoned") : ""].filter(Boolean).join(" · ");
  const name = unusual ? `${node.name} ${unusual}` : node.name;
  if (level.header === "mini") {
    // Smallest form (many nodes, small screen): name and counted pods; IPs are in Tables / Inspector.
    const c = node.counts;
    let sum = `${c.total} · ${c.ready} ✓`;
    if (c.notready) sum += ` ${c.notready} ✗`;
    if (c.pending) sum += ` ${c.pending} ○`;
    if (c.terminating) sum += ` ${c.terminating} ▲`;
    return [{ text: name, font: "b", icon }, { text: sum, font: "n" }];
  }
  // A state other than Ready takes the IP's place: a one-line header is too narrow for both, and
  // the IP is in the Inspector.
  return [{ text: unusual ? name : `${name} · ${node.internalIP || "—"}`, font: "b", icon }];
}

function gridGeometry(ctx, innerW, count) {
  const cell = clamp(Math.round(ctx.F * 0.62), 8, 11);
  const gap = 2;
  const cols = Math.max(1, Math.floor((innerW + gap) / (cell + gap)));
  const rows = Math.ceil(count / cols);
  return { cell, gap, cols, rows, height: rows * (cell + gap) - (rows ? gap : 0) };
}

function podColumns(ctx, innerW) {
  return Math.max(1, Math.min(3, Math.floor((innerW + 4) / (ctx.F * 14 + 4))));
}

/** Height a node box needs at a detail level, given its width. */
function nodeNeed(ctx, node, level, nw, hasBadges, showExternal) {
  const { LH, padY } = ctx;
  const header = nodeHeaderLines(node, level, showExternal).length * LH;
  if (level.header === "mini") return padY * 2 + header;
  const badges = hasBadges ? LH : 0;
  const inner = nw - 2 * ctx.padX;
  let body;
  if (level.detail === "full") {
    const rows = Math.ceil(Math.max(1, node.pods.length) / podColumns(ctx, inner));
    body = rows * (LH + 6) + 4;
  } else if (level.detail === "grid") {
    body = LH + 4 + gridGeometry(ctx, inner, node.pods.length).height + 4;
  } else {
    body = LH + 4;
  }
  return padY * 2 + header + badges + body;
}

function chooseNodeGrid(ctx, nodes, w, level, hasBadges, showExternal) {
  const { g } = ctx;
  // Wide enough for the header and the pod summary without truncation (within reason).
  let textW = 0;
  for (const n of nodes) {
    const lines = nodeHeaderLines(n, level, showExternal);
    for (const l of lines) textW = Math.max(textW, ctx.measure(l.text, ctx.fonts[l.font]) + (l.icon ? ctx.F * 1.25 : 0));
    if (level.detail !== "full" && level.header !== "mini") textW = Math.max(textW, ctx.measure(podSummaryShort(n.counts), ctx.fonts.n) + ctx.padX);
  }
  const minW = Math.min(ctx.F * 16, Math.max(ctx.F * (level.detail === "full" ? 13 : level.header === "mini" ? 7 : 9), textW + 2 * ctx.padX + 2));
  let best = null;
  for (let cols = 1; cols <= nodes.length; cols++) {
    const nw = (w - (cols - 1) * g) / cols;
    if (nw < minW && cols > 1) break;
    const rows = Math.ceil(nodes.length / cols);
    const nh = Math.max(...nodes.map((n) => nodeNeed(ctx, n, level, nw, hasBadges, showExternal)));
    const total = rows * nh + (rows - 1) * g;
    // Least height first, then wider boxes.
    if (!best || total < best.total - 0.5) best = { cols, rows, nw, nh, total };
  }
  return best;
}

function layoutNodeBox(ctx, node, x, y, w, h, level, view, showExternal, scene) {
  const detail = level.detail;
  const { LH, padX, padY } = ctx;
  const items = scene.items;
  const box = makeBox(ctx, "node", x, y, w, nodeHeaderLines(node, level, showExternal), {
    ref: { kind: "Node", key: node.key },
    selectable: true,
    label: `${t("kind.Node")} ${node.name} ${node.internalIP} ${nodeStatus(node)} · ${podSummary(node.counts)}`,
    dashed: !node.ready,
  });
  box.h = h;
  items.push(box);
  scene.hits.push(box);
  let cy = y + padY + box.lines.length * LH;
  const headerMid = y + padY + LH / 2;
  scene.anchors.nodes.set(node.name, { x: x + w / 2, y: headerMid, ref: box.ref });
  if (node.internalIP) scene.anchors.byIP.set(node.internalIP, { x: x + w / 2, y: headerMid, ref: box.ref });
  if (node.externalIP) scene.anchors.byIP.set(node.externalIP, { x: x + w / 2, y: headerMid, ref: box.ref });
  scene.refRects.set(refId(box.ref), box);

  if (level.header === "mini") {
    // Smallest form: name, IP and the counted pods (the caption says which NodePorts every node opens).
    const a = { x: x + w / 2, y: y + box.h / 2, ref: box.ref };
    for (const pod of node.pods) {
      scene.anchors.pods.set(pod.key, a);
      if (pod.ip) scene.anchors.byIP.set(pod.ip, a);
    }
    return;
  }
  // NodePorts: the same badges on every node, because kube-proxy opens each one on every node.
  if (view.nodePorts.length) {
    let bx = x + padX;
    const bh = LH - 4;
    const maxX = x + w - padX;
    let shown = 0;
    for (const np of view.nodePorts) {
      const text = `:${np.nodePort}`;
      const bw = ctx.measure(text, ctx.fonts.m) + 12;
      const moreW = ctx.measure("+99", ctx.fonts.n) + 10;
      if (bx + bw > maxX - (shown < view.nodePorts.length - 1 ? moreW : 0)) break;
      const badge = { type: "badge", role: "nodePort", x: bx, y: cy + 2, w: bw, h: bh, text, font: "m", service: np.service };
      items.push(badge);
      scene.anchors.nodePorts.set(`${node.name}:${np.nodePort}`, { x: bx + bw / 2, y: cy + 2 + bh / 2, ref: box.ref });
      bx += bw + 4;
      shown += 1;
    }
    if (shown < view.nodePorts.length) {
      items.push({ type: "text", x: bx, y: cy + 2 + bh / 2, text: `+${view.nodePorts.length - shown}`, font: "n", align: "left", muted: true });
    }
    cy += LH;
  }

  const innerW = w - 2 * padX;
  const px = x + padX;
  if (!node.pods.length) {
    items.push({ type: "text", x: px, y: cy + LH / 2 + 2, text: t("canvas.noPodsOnNode"), font: "n", align: "left", muted: true });
    return;
  }
  if (detail === "full") {
    const podCols = podColumns(ctx, innerW);
    const pw = (innerW - (podCols - 1) * 4) / podCols;
    const ph = LH + 2;
    scene.podRuns.push({ x: px, y: cy + 4, cols: podCols, w: pw, h: ph, stepX: pw + 4, stepY: LH + 6, groups: node.podGroups || [] });
    // Pod names differ at their end (kubia-x7k2p): a label too long keeps its last 5 characters.
    node.pods.forEach((pod, i) => {
      const col = i % podCols;
      const row = Math.floor(i / podCols);
      const pb = makeBox(ctx, "pod", px + col * (pw + 4), cy + 4 + row * (LH + 6), pw, [{ text: `${pod.ip || "—"} ${pod.name}`, font: "m", icon: pod.state, keepEnd: 5 }], {
        ref: { kind: "Pod", key: pod.key },
        selectable: true,
        state: pod.state,
        dashed: pod.state === "terminating",
        label: `${t("kind.Pod")} ${pod.name} ${pod.ip} ${stateText(pod.state)}`,
      });
      pb.h = ph;
      pb.lines[0].y = pb.y + ph / 2;
      items.push(pb);
      scene.hits.push(pb);
      const anchor = { x: pb.x + ctx.padX + ctx.F * 0.6, y: pb.y + ph / 2, ref: pb.ref };
      scene.anchors.pods.set(pod.key, anchor);
      if (pod.ip) scene.anchors.byIP.set(pod.ip, anchor);
      scene.refRects.set(refId(pb.ref), pb);
    });
    return;
  }
  // Counted group, plus a glyph per pod when there is room (shape encodes state, not only colour).
  const summary = podSummaryShort(node.counts);
  const groupBox = makeBox(ctx, "group", px, cy + 2, innerW, [{ text: summary, font: "n" }], {
    ref: { kind: "Node", key: node.key },
    selectable: false,
  });
  groupBox.h = LH;
  groupBox.lines[0].y = cy + 2 + LH / 2;
  items.push(groupBox);
  cy += LH + 4;
  const groupAnchor = { x: px + innerW / 2, y: cy - LH / 2 - 2, ref: box.ref };
  if (detail === "grid") {
    const gg = gridGeometry(ctx, innerW, node.pods.length);
    const grid = { type: "grid", x: px, y: cy, cell: gg.cell, gap: gg.gap, cols: gg.cols, pods: node.pods.map((p) => ({ key: p.key, state: p.state, name: p.name, ip: p.ip })), node: node.key };
    items.push(grid);
    scene.grids.push(grid);
    const step = gg.cell + gg.gap;
    scene.podRuns.push({ x: px, y: cy, cols: gg.cols, w: gg.cell, h: gg.cell, stepX: step, stepY: step, groups: node.podGroups || [] });
    node.pods.forEach((pod, i) => {
      const cx = px + (i % gg.cols) * (gg.cell + gg.gap);
      const cyy = cy + Math.floor(i / gg.cols) * (gg.cell + gg.gap);
      const rect = { x: cx, y: cyy, w: gg.cell, h: gg.cell, ref: { kind: "Pod", key: pod.key } };
      const anchor = { x: cx + gg.cell / 2, y: cyy + gg.cell / 2, ref: rect.ref };
      scene.anchors.pods.set(pod.key, anchor);
      if (pod.ip) scene.anchors.byIP.set(pod.ip, anchor);
      scene.refRects.set(refId(rect.ref), rect);
    });
  } else {
    for (const pod of node.pods) {
      scene.anchors.pods.set(pod.key, groupAnchor);
      if (pod.ip) scene.anchors.byIP.set(pod.ip, groupAnchor);
    }
  }
}

// --- Scene --------------------------------------------------------------------------------------

function newScene(W, H, ctx) {
  return {
    width: W,
    height: H,
    F: ctx.F,
    LH: ctx.LH,
    fonts: ctx.fonts,
    items: [],
    hits: [],
    grids: [],
    podRuns: [], // where each node draws its pods, and their runs by Service (renderer: a selected Service)
    refRects: new Map(),
    anchors: {
      client: null,
      clientEdge: null,
      lbs: new Map(),
      nodes: new Map(),
      nodePorts: new Map(),
      pods: new Map(),
      services: new Map(),
      byIP: new Map(),
    },
    lod: {},
    empty: {},
  };
}

/** Geometry that depends only on the font size: the left column and the cluster frame. */
function frameGeometry(ctx, W, H) {
  const { F, LH } = ctx;
  const pad = Math.round(F * 0.7);
  const LW = Math.round(clamp(W * 0.16, F * 12, F * 17));
  const fx = pad + LW + Math.max(18, F * 1.6);
  const fy = pad;
  const fw = W - fx - pad;
  const fh = H - 2 * pad;
  const ix = fx + 10;
  const iw = fw - 20;
  const iy = fy + LH + 10;
  const ih = fy + fh - 8 - iy;
  return { pad, LW, fx, fy, fw, fh, ix, iw, iy, ih };
}

/**
 * Pick the detail levels (and, if that buys more detail, a smaller font down to 13px) so that the
 * Services band and the Nodes band both fit the frame. Returns {ctx, geo, n, s, squeezed}.
 */
const FONT_WORTH = 0.3; // per px above 13: breaks near-ties, never outweighs a detail level
const FILL_WORTH = 0.4; // share of the frame height the two bands use

function plan(view, W, H, F0, measure) {
  const hasBadges = view.nodePorts.length > 0;
  const showExternal = view.nodes.some((n) => n.externalIP);
  const maxScore = NODE_LEVELS[0].score + SERVICE_LEVELS[0].score;
  let best = null;
  for (let F = F0; F >= 13; F--) {
    const ctx = makeCtx(F, measure);
    const geo = frameGeometry(ctx, W, H);
    const maxPerSlice = Number((view.settings || {}).maxEndpointsPerSlice) || 100;
    const nodeOpts = view.nodes.length
      ? NODE_LEVELS.map((level) => ({ level, ...chooseNodeGrid(ctx, view.nodes, geo.iw, level, hasBadges, showExternal) }))
      : [{ level: NODE_LEVELS[0], total: boxH(ctx, 2), cols: 1, rows: 1, nw: geo.iw, nh: boxH(ctx, 2) }];
    const room = geo.ih - 2 * ctx.LH - ctx.g;
    // A band taller than the room never fits: its layout stops there (much less work at 10,000 pods).
    const bandHeight = (level) => {
      const band = layoutServicesBand(ctx, view.services, geo.ix, 0, geo.iw, level, maxPerSlice, room);
      return band.hidden ? Infinity : band.height;
    };
    const svcOpts = view.services.length
      ? SERVICE_LEVELS.map((level) => ({ level, score: level.score, height: bandHeight(level) }))
      : [{ level: SERVICE_LEVELS[0], score: SERVICE_LEVELS[0].score, height: boxH(ctx, 2) }];
    // Fewer rows that still show every endpoint draw the same picture: same worth.
    for (let i = 1; i < svcOpts.length; i++) {
      if (svcOpts[i].level.detail === "full" && Math.abs(svcOpts[i].height - svcOpts[i - 1].height) < 0.5) svcOpts[i].score = svcOpts[i - 1].score;
    }
    for (const n of nodeOpts) {
      for (const sv of svcOpts) {
        const used = sv.height + n.total;
        if (used > room) continue;
        // Detail first, but a larger font (projectors) and a picture that fills the frame are worth
        // something too: 13px with a third of the canvas empty loses to 16px that uses the space.
        const score = n.level.score + sv.score + FONT_WORTH * (F - 13) + FILL_WORTH * (used / Math.max(1, room));
        if (!best || score > best.score) best = { score, ctx, geo, n, s: sv, maxPerSlice, hasBadges, showExternal };
      }
    }
    // Nothing smaller can beat full detail at the largest font that fits it.
    if (best && best.score >= maxScore + FONT_WORTH * (F - 13)) break;
  }
  if (best) return best;
  // Nothing fits: least detail at 13px; the bands clip their rows ("+N more").
  const ctx = makeCtx(13, measure);
  const geo = frameGeometry(ctx, W, H);
  const level = NODE_LEVELS[NODE_LEVELS.length - 1];
  const n = view.nodes.length ? { level, ...chooseNodeGrid(ctx, view.nodes, geo.iw, level, hasBadges, showExternal) } : { level, total: 0, cols: 1, rows: 1, nw: geo.iw, nh: 0 };
  return { score: 0, ctx, geo, n, s: { level: SERVICE_LEVELS[SERVICE_LEVELS.length - 1], score: 0 }, maxPerSlice: Number((view.settings || {}).maxEndpointsPerSlice) || 100, hasBadges, showExternal, squeezed: true };
}

/**
 * @param view  deriveView() result, or null before the first snapshot
 * @param opts  {width, height, measure?, fontSize?, role?, message?}
 */
export function layoutScene(view, opts) {
  const W = Math.max(320, Math.floor(opts.width));
  const H = Math.max(240, Math.floor(opts.height));
  const F0 = opts.fontSize || chooseFontSize(W, H);
  const viewer = opts.role === "viewer";

  if (!view) {
    const ctx = makeCtx(F0, opts.measure);
    const scene = newScene(W, H, ctx);
    const w = Math.min(W - 2 * ctx.F, ctx.F * 30);
    scene.items.push(makeBox(ctx, "cta", (W - w) / 2, H / 2 - ctx.LH, w, [{ text: opts.message || t("canvas.connecting"), font: "h" }]));
    scene.empty.loading = true;
    return finish(scene);
  }

  const p = plan(view, W, H, F0, opts.measure);
  const { ctx, geo } = p;
  const { F, LH, g } = ctx;
  const { pad, LW } = geo;
  const scene = newScene(W, H, ctx);

  // Left column: outside the cluster.
  let ly = pad;
  scene.items.push({ type: "text", x: pad, y: ly + LH / 2, text: fitText(ctx, t("canvas.outside"), "b", LW), font: "b", align: "left", muted: true });
  ly += LH;
  const client = makeBox(ctx, "client", pad, ly, LW, [{ text: t("canvas.client"), font: "b", icon: "client" }, { text: t("canvas.internet"), font: "n", muted: true }], {
    ref: { kind: "Client", key: "external" },
    selectable: true,
    label: t("canvas.client"),
  });
  scene.items.push(client);
  scene.hits.push(client);
  scene.refRects.set(refId(client.ref), client);
  scene.anchors.client = { x: client.x + LW / 2, y: client.y + client.h / 2, ref: client.ref };
  // Where a request that skips the load balancer (straight to a nodePort) leaves the client: its right
  // edge, so its line never crosses the load balancer boxes stacked under the client.
  scene.anchors.clientEdge = { x: client.x + LW, y: client.y + client.h / 2, ref: client.ref };
  ly += client.h + g * 2;

  const lbServices = view.services.filter((s) => s.type === "LoadBalancer");
  const unschedH = view.unscheduled.length ? boxH(ctx, 2) + g : 0;
  const lbBottom = H - pad - unschedH;
  const fullNeed = lbServices.reduce((sum, svc) => sum + boxH(ctx, 2 + Math.max(1, Math.min(2, svc.ports.length))) + g, 0);
  const lbFull = ly + fullNeed <= lbBottom;
  let lbHidden = 0;
  for (let i = 0; i < lbServices.length; i++) {
    const svc = lbServices[i];
    const ip = svc.lbIPs[0];
    let lines;
    if (lbFull) {
      lines = [{ text: t("canvas.lb"), font: "b", icon: "lb" }, { text: svc.name, font: "n" }];
      if (svc.lbPending) lines.push({ text: t("canvas.lbPending"), font: "m", icon: "pending" });
      else for (const port of svc.ports.slice(0, 2)) lines.push({ text: `${ip}:${port.port}`, font: "m" });
    } else {
      lines = [{ text: svc.lbPending ? `${svc.name} ${t("canvas.lbPending")}` : `${ip} ${svc.name}`, font: "m", icon: svc.lbPending ? "pending" : "lb" }];
    }
    const h = boxH(ctx, lines.length);
    const remaining = lbServices.length - i - 1;
    if (ly + h + (remaining ? LH + g : 0) > lbBottom) {
      lbHidden = lbServices.length - i;
      break;
    }
    const b = makeBox(ctx, "lb", pad, ly, LW, lines, {
      ref: { kind: "Service", key: svc.key },
      selectable: true,
      dashed: svc.lbPending,
      label: `${t("canvas.lb")} ${svc.name} ${svc.lbPending ? t("canvas.lbPending") : svc.lbIPs.join(" ")}`,
    });
    scene.items.push(b);
    scene.hits.push(b);
    const a = { x: b.x + LW / 2, y: b.y + b.h / 2, ref: b.ref };
    scene.anchors.lbs.set(svc.key, a);
    for (const lbip of svc.lbIPs) scene.anchors.byIP.set(lbip, a);
    scene.items.push({ type: "arrow", from: { x: pad + LW, y: b.y + b.h / 2 }, to: { x: geo.fx, y: b.y + b.h / 2 }, dashed: svc.lbPending });
    ly += b.h + g;
  }
  if (lbHidden) {
    scene.items.push({ type: "text", x: pad, y: ly + LH / 2, text: fitText(ctx, t("canvas.moreLBs", { n: lbHidden }), "n", LW), font: "n", align: "left", muted: true });
  }
  // Legend: what the marks mean (shape + word; the glyph squares when pods are drawn as a grid).
  const grids = p.n.level.detail !== "full"; // counted groups use the glyph marks too
  const legendLines = [
    { text: t("canvas.legend"), font: "b" },
    ...["ready", "notready", "pending", "terminating"].map((st) => ({ text: t(`state.${st}`), font: "n", icon: st, glyph: grids ? st : null })),
  ];
  const legendH = boxH(ctx, legendLines.length);
  const legendY = H - pad - unschedH - legendH;
  if (legendY >= ly + g) {
    scene.items.push(makeBox(ctx, "legend", pad, legendY, LW, legendLines, { selectable: false }));
  }
  if (view.unscheduled.length) {
    const b = makeBox(ctx, "group", pad, H - pad - boxH(ctx, 2), LW, [{ text: t("canvas.unscheduled"), font: "b", icon: "pending" }, { text: t("canvas.pods", { n: view.unscheduled.length }), font: "n" }], {
      dashed: true,
      selectable: false,
    });
    scene.items.push(b);
    const a = { x: b.x + LW / 2, y: b.y + b.h / 2, ref: null };
    for (const pod of view.unscheduled) scene.anchors.pods.set(pod.key, a);
  }

  // The cluster frame.
  const { fx, fy, fw, fh, ix, iw } = geo;
  const titleText = t("canvas.cluster", { name: view.cluster.name || view.cluster.id || "" });
  const titleW = Math.min(fw * 0.5, ctx.measure(titleText, ctx.fonts.t) + 4);
  const st = view.settings || {};
  const subText = [st.serviceCIDR && t("canvas.serviceCIDR", { cidr: st.serviceCIDR }), st.nodePortRange && t("canvas.nodePortRange", { range: st.nodePortRange }), st.proxyMode && t("canvas.proxyMode", { mode: st.proxyMode })]
    .filter(Boolean)
    .join(" · ");
  scene.items.push({
    type: "frame",
    x: fx,
    y: fy,
    w: fw,
    h: fh,
    title: { text: fitText(ctx, titleText, "t", fw * 0.5), x: fx + 10, y: fy + LH / 2 + 4, font: "t" },
    sub: { text: fitText(ctx, subText, "n", fw - titleW - 36), x: fx + fw - 10, y: fy + LH / 2 + 4, font: "n" },
  });
  let iy = geo.iy;
  scene.lod = { services: p.s.level.detail, serviceRows: p.s.level.rows || 0, nodes: p.n.level.detail, nodeHeader: p.n.level.header, fontSize: F, squeezed: Boolean(p.squeezed) };

  // Services band.
  scene.items.push({ type: "text", x: ix, y: iy + LH / 2, text: t("canvas.servicesCaption", { n: view.services.length }), font: "b", align: "left", muted: true });
  iy += LH;
  let servicesBottom;
  if (!view.services.length) {
    const lines = ctaLines(ctx, iw, t("canvas.noServices"), "service", viewer ? t("canvas.noServicesViewer") : t("canvas.noServicesHint"));
    const b = makeBox(ctx, "cta", ix, iy, iw, lines, { dashed: true });
    scene.items.push(b);
    scene.empty.services = true;
    servicesBottom = iy + b.h;
  } else {
    // Squeezed: the Services take the room the nodes leave (at least 45 %), not a fixed share.
    const svcMaxH = p.squeezed ? Math.max(boxH(ctx, 3), (geo.ih - 2 * LH) * 0.45, geo.ih - 2 * LH - g - (p.n.total || 0)) : Infinity;
    let order = drawOrder(view.services);
    let band = layoutServicesBand(ctx, order, ix, iy, iw, p.s.level, p.maxPerSlice, svcMaxH);
    // The Service a trace passes is always drawn: when "+N more" would hide it, it moves to the front.
    const focusSvc = new Set((opts.focus && opts.focus.services) || []);
    if (band.hidden && focusSvc.size) {
      const shown = new Set(band.items.filter((it) => it.role === "service" && it.ref).map((it) => it.ref.key));
      if ([...focusSvc].some((k) => !shown.has(k) && view.serviceByKey.has(k))) {
        order = [...order.filter((sv) => focusSvc.has(sv.key)), ...order.filter((sv) => !focusSvc.has(sv.key))];
        band = layoutServicesBand(ctx, order, ix, iy, iw, p.s.level, p.maxPerSlice, svcMaxH);
      }
    }
    for (const it of band.items) {
      scene.items.push(it);
      if (it.selectable) scene.hits.push(it);
      if (it.ref && it.type === "box" && it.role !== "more") {
        const id = refId(it.ref);
        if (!scene.refRects.has(id)) scene.refRects.set(id, it);
      }
      if (it.role === "service" && it.ref) {
        const a = { x: it.x + it.w / 2, y: it.y + it.h / 2, ref: it.ref };
        scene.anchors.services.set(it.ref.key, a);
        const svc = view.serviceByKey.get(it.ref.key);
        if (svc && svc.clusterIP && !svc.headless && !scene.anchors.byIP.has(svc.clusterIP)) scene.anchors.byIP.set(svc.clusterIP, a);
      }
    }
    servicesBottom = iy + band.height;
    if (band.hidden) {
      scene.items.push({ type: "text", x: ix + iw, y: iy - LH / 2, text: t("canvas.moreServices", { n: band.hidden }), font: "b", align: "right", muted: true });
    }
  }

  // Nodes band.
  let ny = servicesBottom + g;
  const openPorts = [...new Set(view.nodePorts.map((np) => np.nodePort))];
  const npText = openPorts.length
    ? t(openPorts.length === 1 ? "canvas.nodesCaptionPort" : "canvas.nodesCaptionPorts", { n: view.nodes.length, ports: openPorts.join(", ") })
    : t("canvas.nodesCaption", { n: view.nodes.length });
  scene.items.push({ type: "text", x: ix, y: ny + LH / 2, text: fitText(ctx, npText, "b", iw), font: "b", align: "left", muted: true });
  ny += LH;
  if (!view.nodes.length) {
    scene.items.push(makeBox(ctx, "cta", ix, ny, iw, ctaLines(ctx, iw, t("canvas.noNodes"), "notready", viewer ? t("canvas.noNodesViewer") : t("canvas.noNodesHint")), { dashed: true }));
    scene.empty.nodes = true;
  } else {
    const n = p.n;
    const avail = fy + fh - 8 - ny;
    const fitRows = Math.max(1, Math.floor((avail + g) / (n.nh + g)));
    const rowsShown = Math.min(n.rows, fitRows);
    const nh = Math.min(n.nh, rowsShown < n.rows ? avail - LH : avail);
    const maxNodes = rowsShown < n.rows ? rowsShown * n.cols - 1 : view.nodes.length;
    // The nodes a trace passes are always drawn, even when the others are summarised.
    const focusNodes = new Set((opts.focus && opts.focus.nodes) || []);
    for (const k of (opts.focus && opts.focus.pods) || []) {
      const pod = view.podByKey.get(k);
      if (pod && pod.node) focusNodes.add(pod.node);
    }
    let nodeOrder = view.nodes;
    if (maxNodes < view.nodes.length && view.nodes.slice(maxNodes).some((nd) => focusNodes.has(nd.name))) {
      nodeOrder = [...view.nodes.filter((nd) => focusNodes.has(nd.name)), ...view.nodes.filter((nd) => !focusNodes.has(nd.name))];
    }
    nodeOrder.slice(0, maxNodes).forEach((node, i) => {
      const col = i % n.cols;
      const row = Math.floor(i / n.cols);
      layoutNodeBox(ctx, node, ix + col * (n.nw + g), ny + row * (nh + g), n.nw, nh, n.level, view, p.showExternal, scene);
    });
    if (!view.pods.length) {
      scene.empty.pods = true;
      const lines = ctaLines(ctx, iw, t("canvas.noPods"), "pending", viewer ? t("canvas.noPodsViewer") : t("canvas.noPodsHint"));
      const cy = ny + Math.min(rowsShown, n.rows) * (nh + g);
      const b = makeBox(ctx, "cta", ix, cy, iw, lines, { dashed: true });
      if (b.y + b.h <= fy + fh - 8) scene.items.push(b);
    }
    if (maxNodes < view.nodes.length) {
      const i = maxNodes;
      // From the place of the next node to the end of its row (empty): the whole sentence, else
      // "(see Tables)" on a line of its own, else the count said shortly above it.
      const width = (n.cols - (i % n.cols)) * (n.nw + g) - g - 8;
      const hidden = view.nodes.length - maxNodes;
      const text = t("canvas.moreNodes", { n: hidden });
      const cut = text.indexOf(" (");
      const forms = cut < 0 ? [[text]] : [[text], [text.slice(0, cut), text.slice(cut + 1)],
        [t("canvas.moreNodesShort", { n: hidden }), text.slice(cut + 1)]];
      const lines = forms.find((f) => f.every((l) => fitText(ctx, l, "b", width) === l)) || forms[forms.length - 1];
      lines.forEach((line, k) => scene.items.push({
        type: "text",
        x: ix + (i % n.cols) * (n.nw + g) + 8,
        y: ny + Math.floor(i / n.cols) * (nh + g) + LH * (k + 1),
        text: fitText(ctx, line, "b", width),
        font: "b",
        align: "left",
        muted: true,
      }));
    }
  }
  return finish(scene);
}

function finish(scene) {
  // Reading order for keyboard navigation: left column, services band, nodes and their pods.
  scene.focusOrder = scene.hits.filter((h) => h.selectable && h.ref);
  return scene;
}

function inside(r, x, y) {
  return x >= r.x && x <= r.x + r.w && y >= r.y && y <= r.y + r.h;
}

/** The object under (x, y) in CSS pixels: a pod glyph, a pod row, a slice, a service, a node… */
export function hitTest(scene, x, y) {
  if (!scene) return null;
  for (const g of scene.grids) {
    const col = Math.floor((x - g.x) / (g.cell + g.gap));
    const row = Math.floor((y - g.y) / (g.cell + g.gap));
    if (col < 0 || row < 0 || col >= g.cols) continue;
    const i = row * g.cols + col;
    const p = g.pods[i];
    if (!p) continue;
    const cx = g.x + col * (g.cell + g.gap);
    const cy = g.y + row * (g.cell + g.gap);
    if (x <= cx + g.cell + 1 && y <= cy + g.cell + 1) return { ref: { kind: "Pod", key: p.key }, label: `${t("kind.Pod")} ${p.name} ${p.ip}` };
  }
  for (let i = scene.hits.length - 1; i >= 0; i--) {
    const h = scene.hits[i];
    if (h.selectable && h.ref && inside(h, x, y)) return { ref: h.ref, label: h.label || "" };
  }
  return null;
}
