// Pure text for traces: one line per hop, summaries. Shared by the trace log and the inspector.

import { language, t } from "./i18n.js";

/**
 * A sentence of a trace in the page's language. Traces are made once for every viewer, so each
 * English field (hop `text`, trace `reason`, candidate `why`) comes with its translations:
 * `i18n: {ko: {text: "…"}}`. Older traces without them show English.
 */
export function localized(obj, field) {
  if (!obj) return "";
  const other = obj.i18n && obj.i18n[language()];
  return (other && typeof other[field] === "string" && other[field]) || obj[field] || "";
}

export const hopText = (hop) => localized(hop, "text");
export const traceReason = (trace) => localized(trace, "reason");
export const candidateWhy = (candidate) => localized(candidate, "why");

export function hopPlace(hop) {
  const at = hop.at || {};
  const kind = t(`at.${at.kind || "node"}`);
  // The trace names a load balancer "<namespace>/<service> load balancer": the kind word is ours.
  const label = at.kind === "loadbalancer" ? String(at.name || "").replace(/ load balancer$/, "") : at.name;
  const name = label && label !== at.ip ? ` ${label}` : "";
  const ip = at.ip ? ` (${at.ip})` : "";
  return `${kind}${name}${ip}`;
}

/** `3 · node node-1 (10.0.0.11) · DNAT · 10.0.0.11:30123 → 10.244.2.5:8080 · p 0.33` */
export function hopLine(hop, i) {
  const n = (hop.index ?? i) + 1;
  const b = hop.before || {};
  const a = hop.after || b;
  const parts = [`${n}`, hopPlace(hop), hop.action || ""];
  const changed = hop.changed || [];
  if (changed.includes("dst")) parts.push(`dst ${b.dst} → ${a.dst}`);
  if (changed.includes("src")) parts.push(`src ${b.src} → ${a.src}`);
  if (!changed.length && (b.src || b.dst)) parts.push(`${b.src || "?"} → ${b.dst || "?"}`);
  if (hop.rules && hop.rules.length) parts.push(hop.rules[hop.rules.length - 1]);
  if (typeof hop.probability === "number" && hop.probability < 1) parts.push(t("trace.probability", { p: formatProbability(hop.probability) }));
  return parts.filter(Boolean).join(" · ");
}

export function formatProbability(p) {
  if (typeof p !== "number") return "";
  const r = Math.round(p * 10000) / 10000;
  return String(r);
}

export function outcomeText(trace) {
  const o = trace.outcome || "delivered";
  const ep = trace.endpoint;
  if (o === "delivered" && ep) return t("outcome.deliveredTo", { pod: ep.pod, ip: ep.ip, port: ep.port });
  return t(`outcome.${o}`);
}

export function traceTitle(trace) {
  const src = trace.source === "external" || !trace.source ? t("trace.external") : trace.source;
  return t("trace.title", { src, dst: trace.destination || "?" });
}
