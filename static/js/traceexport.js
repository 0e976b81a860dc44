// Keep a trace: its permalink (a read-only page that replays it on the objects as they were), an
// annotated PNG (the canvas with the path drawn, the hop list beside it, in the page's language,
// made here with toBlob) and the JSON as stored.

import { t } from "./i18n.js";
import { hopLine, hopText, outcomeText, traceReason, traceTitle } from "./tracefmt.js";

export function permalinkUrl(trace) {
  return trace && trace.token ? `/traces/${encodeURIComponent(trace.token)}/` : "";
}

export function traceFileName(trace, ext) {
  const id = trace && trace.id !== undefined && trace.id !== null ? String(trace.id) : "trace";
  const dst = String((trace && trace.destination) || "").replace(/[^A-Za-z0-9._-]+/g, "_").slice(0, 40);
  return `trace-${id}${dst ? "-" + dst : ""}.${ext}`;
}

/** Greedy line breaking with a measure function; words longer than a line are cut by characters. */
export function wrapLines(text, maxW, measure) {
  const out = [];
  for (const para of String(text || "").split("\n")) {
    let line = "";
    for (const token of para.split(/(\s+)/)) {
      if (!token) continue;
      if (measure(line + token) <= maxW) {
        line += token;
        continue;
      }
      if (line.trim()) out.push(line.trimEnd());
      line = "";
      if (/^\s+$/.test(token)) continue;
      for (const ch of token) {
        if (line && measure(line + ch) > maxW) {
          out.push(line);
          line = "";
        }
        line += ch;
      }
    }
    if (line.trim()) out.push(line.trimEnd());
  }
  return out;
}

/** The text blocks of the hop list: [{text, font: "h"|"b"|"n"|"m", muted?}]. */
export function traceBlocks(trace) {
  const blocks = [
    { text: traceTitle(trace), font: "h" },
    { text: outcomeText(trace), font: "b" },
  ];
  if (trace.reason && trace.outcome !== "delivered") blocks.push({ text: traceReason(trace), font: "n" });
  blocks.push({ text: t("export.hops"), font: "b", gap: true });
  (trace.hops || []).forEach((hop, i) => {
    blocks.push({ text: hopLine(hop, i), font: "m", gap: i > 0 });
    const words = hopText(hop);
    if (words) blocks.push({ text: words, font: "n", muted: true });
  });
  const when = trace.seq !== undefined && trace.seq !== null ? t("export.footer", { seq: trace.seq }) : "";
  if (when) blocks.push({ text: when, font: "n", muted: true, gap: true });
  return blocks;
}

function fonts(scale, family) {
  const px = (n) => `${Math.round(n * scale)}px`;
  return {
    h: `700 ${px(17)} ${family}`,
    b: `700 ${px(14)} ${family}`,
    n: `${px(13)} ${family}`,
    // Latin in a monospace face; Hangul falls back to the page's faces (the web font included).
    m: `${px(13)} "DejaVu Sans Mono", "Liberation Mono", ${family}`,
  };
}

/** Draw the picture and the hop list on a new canvas: beside it when the picture is wide, else below. */
export function composeTraceImage(source, trace, { family = "sans-serif", scale = 1 } = {}) {
  const W0 = source.width;
  const H0 = source.height;
  const besides = W0 / Math.max(1, H0) >= 1.2;
  const pad = Math.round(16 * scale);
  const textW = besides ? Math.round(Math.max(380 * scale, W0 * 0.34)) : W0;
  const f = fonts(scale, family);
  const probe = document.createElement("canvas").getContext("2d");
  const lines = [];
  for (const b of traceBlocks(trace)) {
    probe.font = f[b.font];
    if (b.gap) lines.push({ gap: true });
    for (const text of wrapLines(b.text, textW - 2 * pad, (s) => probe.measureText(s).width)) lines.push({ text, font: b.font, muted: b.muted });
  }
  const lh = (font) => Math.round((font === "h" ? 24 : 19) * scale);
  const textH = pad * 2 + lines.reduce((s, l) => s + (l.gap ? Math.round(8 * scale) : lh(l.font)), 0);
  const out = document.createElement("canvas");
  out.width = besides ? W0 + textW : W0;
  out.height = besides ? Math.max(H0, textH) : H0 + textH;
  const ctx = out.getContext("2d");
  ctx.fillStyle = "#ffffff";
  ctx.fillRect(0, 0, out.width, out.height);
  ctx.drawImage(source, 0, 0);
  const x0 = besides ? W0 : 0;
  const y0 = besides ? 0 : H0;
  ctx.fillStyle = "#f8fafc";
  ctx.fillRect(x0, y0, textW, out.height - y0);
  ctx.strokeStyle = "#94a3b8";
  ctx.lineWidth = Math.max(1, scale);
  ctx.beginPath();
  if (besides) {
    ctx.moveTo(x0 + 0.5, 0);
    ctx.lineTo(x0 + 0.5, out.height);
  } else {
    ctx.moveTo(0, y0 + 0.5);
    ctx.lineTo(out.width, y0 + 0.5);
  }
  ctx.stroke();
  ctx.textBaseline = "top";
  let y = y0 + pad;
  for (const l of lines) {
    if (l.gap) {
      y += Math.round(8 * scale);
      continue;
    }
    ctx.font = f[l.font];
    ctx.fillStyle = l.muted ? "#334155" : "#0f172a";
    ctx.fillText(l.text, x0 + pad, y);
    y += lh(l.font);
  }
  return out;
}

export function saveBlob(blob, filename, doc = document) {
  const url = URL.createObjectURL(blob);
  const a = doc.createElement("a");
  a.href = url;
  a.download = filename;
  a.hidden = true;
  doc.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}

const nextFrame = () => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)));

/**
 * els: {box, permalink, png, json}; opts: {canvas, onShow(cb), seekEnd(trace), announce(msg)}.
 * The buttons follow the trace the log shows.
 */
export function wireTraceExport(els, { canvas, onShow, seekEnd, announce = () => {} }) {
  if (!els.box) return null;
  let current = null;
  const show = (trace) => {
    current = trace || null;
    els.box.hidden = !current;
    const url = permalinkUrl(current);
    if (els.permalink) {
      els.permalink.hidden = !url;
      if (url) els.permalink.href = url;
    }
  };
  onShow(show);
  if (els.json) {
    els.json.addEventListener("click", () => {
      if (!current) return;
      saveBlob(new Blob([JSON.stringify(current, null, 2)], { type: "application/json" }), traceFileName(current, "json"));
    });
  }
  if (els.png) {
    els.png.addEventListener("click", async () => {
      const trace = current;
      if (!trace || !canvas) return;
      if (seekEnd) seekEnd(trace); // the whole path drawn, the packet at its last hop
      await nextFrame();
      const family = getComputedStyle(document.body).fontFamily || "sans-serif";
      const scale = canvas.width / Math.max(1, canvas.getBoundingClientRect().width || canvas.width);
      const image = composeTraceImage(canvas, trace, { family, scale });
      image.toBlob((blob) => {
        if (blob) saveBlob(blob, traceFileName(trace, "png"));
        else announce(t("export.failed"));
      }, "image/png");
    });
  }
  return { show };
}
