// Pure: which objects a trace passes (its Service, nodes and pods), so the layout draws them even
// when the picture folds the others into "+N more", and which traces belong to one request.

function podKey(name, namespace) {
  const n = String(name || "");
  if (!n) return "";
  return n.includes("/") ? n : `${namespace || "default"}/${n}`;
}

/** The Service, node names and pod keys ("namespace/name") one trace passes. */
export function tracePasses(tr) {
  const services = new Set();
  const nodes = new Set();
  const pods = new Set();
  if (!tr) return { services, nodes, pods };
  if (tr.service) services.add(tr.service);
  const ns = (tr.endpoint && tr.endpoint.namespace) || "default";
  const src = String(tr.source || "");
  if (src.startsWith("pod/")) pods.add(src.slice(4));
  else if (src.startsWith("node/")) nodes.add(src.slice(5));
  for (const h of tr.hops || []) {
    const at = h.at || {};
    if (at.kind === "node" && at.name) nodes.add(at.name);
    else if (at.kind === "pod" && at.name) pods.add(podKey(at.name, at.namespace || ns));
  }
  if (tr.endpoint) {
    if (tr.endpoint.node) nodes.add(tr.endpoint.node);
    if (tr.endpoint.pod) pods.add(podKey(tr.endpoint.pod, tr.endpoint.namespace));
  }
  return { services, nodes, pods };
}

/**
 * What every given trace passes, together: {key, services, nodes, pods}. `key` changes exactly when
 * the set changes, so the page lays the picture out again only then.
 */
export function traceFocus(traces) {
  const services = new Set();
  const nodes = new Set();
  const pods = new Set();
  for (const tr of traces || []) {
    const p = tracePasses(tr);
    for (const s of p.services) services.add(s);
    for (const n of p.nodes) nodes.add(n);
    for (const k of p.pods) pods.add(k);
  }
  const list = (set) => [...set].sort();
  const focus = { services: list(services), nodes: list(nodes), pods: list(pods) };
  focus.key = `${focus.services.join(",")}|${focus.nodes.join(",")}|${focus.pods.join(",")}`;
  return focus;
}

/** The objects of `focus` the scene does not draw (a new layout must bring them in). */
export function missingFromScene(focus, anchors) {
  return [
    ...focus.services.filter((k) => !anchors.services.has(k)).map((k) => `Service:${k}`),
    ...focus.nodes.filter((n) => !anchors.nodes.has(n)).map((n) => `Node:${n}`),
  ];
}

/** Traces of one request (one "Send" of N) share their source and destination. */
export function requestKey(tr) {
  return tr ? `${tr.source || ""}→${tr.destination || ""}/${tr.protocol || ""}` : "";
}
