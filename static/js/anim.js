// Pure: a trace (README.md, Live updates) + scene anchors -> keyframes; sampling keyframes at a time.
// The packet moves hop by hop: client -> load balancer -> node (the nodePort badge) -> the Service
// (where kube-proxy's DNAT picks an endpoint) -> pod. At each stop it dwells; a stop whose hop
// rewrote the packet dwells longer and carries the changed fields, so the label can highlight them
// at the moment they change.

export const TIMING = { first: 500, travel: 700, dwell: 600, rewrite: 1400, end: 1600 };

function parseAddr(s) {
  const str = String(s || "");
  const i = str.lastIndexOf(":");
  if (i < 0) return { host: str, port: "" };
  return { host: str.slice(0, i), port: str.slice(i + 1) };
}

/** Normalise trace.service ("ns/name", "name" or {namespace, name}) to a service key. */
export function serviceKeyOf(trace) {
  const s = trace && trace.service;
  if (!s) return "";
  if (typeof s === "object") return `${s.namespace || "default"}/${s.name}`;
  if (s.includes("/")) return s;
  const ns = (trace.endpoint && trace.endpoint.namespace) || "default";
  return `${ns}/${s}`;
}

function podKeyFromSource(source) {
  // "pod/<namespace>/<name>"
  const parts = String(source || "").split("/");
  return parts.length >= 3 ? `${parts[1]}/${parts.slice(2).join("/")}` : "";
}

/** Where on the canvas a hop happens. Falls back to `prev` so a packet never flies to (0, 0). */
export function resolveHopPoint(hop, trace, anchors, prev) {
  const at = hop.at || {};
  const byIP = (ip) => (ip ? anchors.byIP.get(ip) : null);
  let p = null;
  switch (at.kind) {
    case "client": {
      const src = String(trace.source || "external");
      if (src.startsWith("pod/")) p = anchors.pods.get(podKeyFromSource(src));
      else if (src.startsWith("node/")) p = anchors.nodes.get(src.slice(5));
      p = p || byIP(at.ip) || anchors.client;
      break;
    }
    case "loadbalancer":
      p = byIP(at.ip) || anchors.lbs.get(serviceKeyOf(trace)) || [...anchors.lbs.values()][0] || null;
      break;
    case "node": {
      const dst = parseAddr((hop.before || {}).dst);
      const badge = anchors.nodePorts.get(`${at.name}:${dst.port}`);
      const nodeAnchor = anchors.nodes.get(at.name) || byIP(at.ip);
      // Arriving on a nodePort addressed to this node: the badge is where it lands.
      const nodeIP = nodeAnchor ? byIP(dst.host) : null;
      p = badge && nodeIP && nodeIP.ref && nodeAnchor.ref && nodeIP.ref.key === nodeAnchor.ref.key ? badge : nodeAnchor;
      break;
    }
    case "pod": {
      // The trace names pods "<namespace>/<name>".
      const ns = at.namespace || (trace.endpoint && trace.endpoint.namespace) || "default";
      const key = String(at.name || "").includes("/") ? at.name : `${ns}/${at.name}`;
      p = anchors.pods.get(key) || byIP(at.ip);
      break;
    }
    default:
      p = byIP(at.ip);
  }
  if (!p) p = prev || anchors.client || { x: 0, y: 0 };
  return { x: p.x, y: p.y, ref: p.ref || null };
}

function isEndpointChoice(hop) {
  if (hop.action !== "DNAT") return false;
  if ((hop.candidates || []).length) return true;
  return (hop.rules || []).some((r) => /^KUBE-(SVC|SVL|SEP)|^service-|IPVS/i.test(r));
}

/**
 * Build the animation for one trace. Stops carry: position, hop index, which packet state to show
 * (before/after), the changed fields, arrive/depart times (ms from the animation start).
 */
export function buildAnimation(trace, anchors, { delay = 0 } = {}) {
  const hops = trace.hops || [];
  const stops = [];
  const svcAnchor = anchors.services.get(serviceKeyOf(trace));
  let usedService = false;
  let prev = null;
  hops.forEach((hop, i) => {
    const p = resolveHopPoint(hop, trace, anchors, prev);
    const changed = hop.changed || [];
    if (!usedService && svcAnchor && isEndpointChoice(hop)) {
      // Node first (packet still addressed to the VIP / nodePort), then the Service, where it is rewritten.
      stops.push({ x: p.x, y: p.y, ref: p.ref, hop: i, show: "before", changed: [], dwell: TIMING.dwell });
      stops.push({ x: svcAnchor.x, y: svcAnchor.y, ref: svcAnchor.ref, hop: i, show: "after", changed, dwell: TIMING.rewrite, via: "service" });
      usedService = true;
    } else {
      const dwell = i === 0 ? TIMING.first : changed.length ? TIMING.rewrite : TIMING.dwell;
      stops.push({ x: p.x, y: p.y, ref: p.ref, hop: i, show: "after", changed, dwell });
    }
    prev = p;
  });
  // An external request that does not go through a load balancer leaves from the client's right edge,
  // so its line does not pass over the load balancer box under the client.
  const first = stops[0];
  const second = hops[1] && hops[1].at ? hops[1].at.kind : "";
  if (first && anchors.clientEdge && anchors.client && first.x === anchors.client.x && first.y === anchors.client.y && second !== "loadbalancer") {
    first.x = anchors.clientEdge.x;
    first.y = anchors.clientEdge.y;
  }
  let t = 0;
  stops.forEach((s, k) => {
    if (k > 0) {
      const a = stops[k - 1];
      const dist = Math.hypot(s.x - a.x, s.y - a.y);
      t += dist < 2 ? 0 : TIMING.travel * Math.max(0.6, Math.min(1.4, dist / 300));
    }
    s.arrive = t;
    s.depart = t + s.dwell;
    t = s.depart;
  });
  // Address chains shown in the packet label: destination rewrites, and source rewrites (SNAT).
  const dst = [];
  const src = [];
  stops.forEach((s) => {
    const pkt = packetAt(hops, s);
    if (pkt.dst && pkt.dst !== dst[dst.length - 1]) dst.push(pkt.dst);
    if (pkt.src && pkt.src !== src[src.length - 1]) src.push(pkt.src);
    s.dstChain = dst.slice();
    s.srcChain = src.slice();
  });
  return {
    id: trace.id,
    trace,
    stops,
    outcome: trace.outcome || "delivered",
    endStart: t,
    duration: t + TIMING.end,
    delay,
  };
}

function packetAt(hops, stop) {
  const hop = hops[stop.hop] || {};
  if (stop.show === "before") return hop.before || {};
  return hop.after || hop.before || {};
}

function ease(f) {
  return f < 0.5 ? 2 * f * f : 1 - (-2 * f + 2) ** 2 / 2;
}

/** Index of the last stop that has been reached at local time lt. */
export function stopIndexAt(anim, lt) {
  let k = 0;
  for (let i = 0; i < anim.stops.length; i++) if (anim.stops[i].arrive <= lt + 1e-6) k = i;
  return k;
}

/**
 * Where the packet is at local time lt (ms since this animation started). Null outside its life.
 * reducedMotion: no tweening (the packet jumps stop to stop), no pulsing, no fading.
 */
export function sampleAnimation(anim, lt, reducedMotion = false) {
  if (!anim.stops.length || lt < 0 || lt > anim.duration) return null;
  const k = stopIndexAt(anim, lt);
  const s = anim.stops[k];
  const hops = anim.trace.hops || [];
  const base = {
    stopIndex: k,
    hopIndex: s.hop,
    packet: packetAt(hops, s),
    dstChain: s.dstChain,
    srcChain: s.srcChain,
    changed: [],
    highlight: 0,
    alpha: 1,
    badge: null,
    phase: "dwell",
    x: s.x,
    y: s.y,
  };
  if (lt < s.depart) {
    const since = lt - s.arrive;
    base.changed = s.changed;
    if (s.changed.length) base.highlight = reducedMotion ? 1 : Math.min(1, since / 180);
    return base;
  }
  if (k < anim.stops.length - 1) {
    const n = anim.stops[k + 1];
    const span = n.arrive - s.depart;
    const f = span > 0 ? (lt - s.depart) / span : 1;
    base.phase = "travel";
    if (!reducedMotion) {
      const e = ease(Math.max(0, Math.min(1, f)));
      base.x = s.x + (n.x - s.x) * e;
      base.y = s.y + (n.y - s.y) * e;
    }
    return base;
  }
  // Ending: bounce back (refused), fade (dropped/unroutable), or rest at the pod (delivered).
  const e = Math.max(0, Math.min(1, (lt - anim.endStart) / TIMING.end));
  base.phase = "end";
  base.badge = anim.outcome;
  const prev = anim.stops[k - 1] || s;
  if (anim.outcome === "refused") {
    const f = reducedMotion ? 0.35 : 0.35 * Math.min(1, e * 2.5);
    base.x = s.x + (prev.x - s.x) * f;
    base.y = s.y + (prev.y - s.y) * f;
    base.alpha = reducedMotion || e < 0.75 ? 1 : 1 - (e - 0.75) / 0.25;
  } else if (anim.outcome === "dropped" || anim.outcome === "unroutable") {
    base.alpha = reducedMotion ? 1 : Math.max(0.15, 1 - e);
  } else {
    base.alpha = reducedMotion || e < 0.8 ? 1 : 1 - (e - 0.8) / 0.2;
  }
  return base;
}

/**
 * The local time in `next` (the same trace laid out on a new picture, e.g. after a resize) that
 * shows the packet where it is at `lt` in `prev`: at the same stop, or the same fraction of the
 * way between two stops. Travel times change with distances, so the raw time would not.
 */
export function remapLocalTime(prev, next, lt) {
  if (lt <= 0 || prev.stops.length !== next.stops.length || !prev.stops.length) return lt;
  if (lt >= prev.endStart) return next.endStart + (lt - prev.endStart);
  const k = stopIndexAt(prev, lt);
  const a = prev.stops[k];
  const b = next.stops[k];
  if (lt < a.depart) return b.arrive + Math.min(lt - a.arrive, b.dwell);
  const span = prev.stops[k + 1].arrive - a.depart;
  const f = span > 0 ? (lt - a.depart) / span : 1;
  return b.depart + f * (next.stops[k + 1].arrive - b.depart);
}

/** The full path (for drawing the route of the focused packet). */
export function pathPoints(anim) {
  return anim.stops.map((s) => ({ x: s.x, y: s.y }));
}
