// Harness only: a stand-in for the server's trace walk, good enough to exercise the front-end
// (LB -> nodePort -> DNAT -> SNAT across nodes -> pod; refused without ready endpoints;
// ClientIP affinity). The real walk lives in cluster/sim on the server.

function parse(addr) {
  const i = addr.lastIndexOf(":");
  return i < 0 ? { host: addr, port: 80 } : { host: addr.slice(0, i), port: Number(addr.slice(i + 1)) };
}

let counter = 0;

export function synthTraces(view, { source = "external", destination, count = 1 }, rand = Math.random) {
  const { host, port } = parse(destination);
  const out = [];
  const affinityPick = new Map();
  for (let n = 0; n < count; n++) out.push(one(view, source, host, port, rand, affinityPick));
  return out;
}

function one(view, source, host, port, rand, affinityPick) {
  counter += 1;
  const id = `h-${Date.now().toString(36)}-${counter}`;
  const hops = [];
  let clientIP = "203.0.113.7";
  let clientNode = null;
  if (source.startsWith("pod/")) {
    const p = view.podByKey.get(source.slice(4));
    clientIP = p ? p.ip : clientIP;
    clientNode = p ? p.node : null;
  } else if (source.startsWith("node/")) {
    const nd = view.nodeByName.get(source.slice(5));
    clientIP = nd ? nd.internalIP : clientIP;
    clientNode = nd ? nd.name : null;
  }
  const cport = 40000 + Math.floor(rand() * 20000);
  let pkt = { src: `${clientIP}:${cport}`, dst: `${host}:${port}`, proto: "TCP" };
  const push = (at, action, after, extra = {}) => {
    const changed = [];
    if (after.src !== pkt.src) changed.push("src");
    if (after.dst !== pkt.dst) changed.push("dst");
    hops.push({ index: hops.length, at, action, before: pkt, after, changed, rules: [], rule_text: "", field: null, candidates: [], chosen: null, probability: 1, text: "", ...extra });
    pkt = after;
  };
  push({ kind: "client", name: source, ip: clientIP }, "send", { ...pkt }, { text: `The client sends TCP to ${host}:${port}.` });

  // Which Service (and how the packet reaches a node)?
  let svc = null;
  let sp = null;
  let entryNode = clientNode ? view.nodeByName.get(clientNode) : null;
  const dns = view.services.find((s) => s.dns === host);
  for (const s of view.services) {
    for (const p of s.ports) {
      if (s.lbIPs.includes(host) && p.port === port) [svc, sp] = [s, p];
      if (s.clusterIP === host && p.port === port) [svc, sp] = [s, p];
      if (p.nodePort === port && view.nodes.some((nd) => nd.internalIP === host || nd.externalIP === host)) [svc, sp] = [s, p];
    }
  }
  if (dns) {
    svc = dns;
    sp = dns.ports.find((p) => p.port === port) || null;
    if (sp) pkt = { ...pkt, dst: `${dns.clusterIP}:${port}` };
  }
  const base = { id, source, destination: `${host}:${port}`, protocol: "TCP", client: { ip: clientIP, port: cport }, service: svc ? svc.key : null, endpoint: null, hops };
  const directPod = view.podByIP.get(host);
  if (!svc && directPod) {
    if (source === "external") return { ...base, outcome: "unroutable", reason: "Pod IPs are not reachable from outside the cluster." };
    push({ kind: "node", name: directPod.node, ip: view.nodeByName.get(directPod.node)?.internalIP }, "route", { ...pkt }, { text: "Routed over the pod network." });
    push({ kind: "pod", name: directPod.name, namespace: directPod.namespace, ip: directPod.ip }, "deliver", { ...pkt }, { text: "Delivered straight to the pod." });
    return { ...base, outcome: "delivered", reason: "", endpoint: { pod: directPod.name, namespace: directPod.namespace, node: directPod.node, ip: directPod.ip, port } };
  }
  if (!svc || !sp) return { ...base, outcome: "unroutable", reason: `Nothing answers at ${host}:${port}.` };
  if (source === "external" && (svc.clusterIP === host || dns)) {
    return { ...base, outcome: "unroutable", reason: "A ClusterIP is only reachable from inside the cluster." };
  }
  if (svc.lbIPs.includes(host)) {
    const nodes = view.nodes;
    entryNode = nodes[Math.floor(rand() * nodes.length)];
    push({ kind: "loadbalancer", name: svc.name, ip: host }, "forward", { ...pkt, dst: `${entryNode.internalIP}:${sp.nodePort}` }, { field: "nodePort", probability: 1 / nodes.length, text: `The load balancer forwards to ${entryNode.name}:${sp.nodePort}.` });
  } else if (!entryNode) {
    entryNode = view.nodes.find((nd) => nd.internalIP === host || nd.externalIP === host) || view.nodes[0];
  }
  const eps = [];
  for (const sl of svc.slices) for (const e of sl.endpoints) eps.push({ ...e, slice: sl.name });
  const ready = eps.filter((e) => e.ready);
  const rulesBase = svc.clusterIP === pkt.dst.split(":")[0] ? ["KUBE-SERVICES"] : ["KUBE-SERVICES", "KUBE-NODEPORTS", "KUBE-EXT-KUBIA"];
  if (!ready.length) {
    push({ kind: "node", name: entryNode.name, ip: entryNode.internalIP }, "reject", { ...pkt }, { rules: ["KUBE-SERVICES"], rule_text: `-A KUBE-SERVICES -d ${svc.clusterIP}/32 -p tcp -m comment --comment "${svc.key}: has no endpoints" -j REJECT --reject-with icmp-port-unreachable`, text: "No ready endpoints: kube-proxy rejects the connection." });
    return { ...base, outcome: "refused", reason: `${svc.key} has no ready endpoints.` };
  }
  let chosen;
  if (svc.sessionAffinity === "ClientIP") {
    if (!affinityPick.has(clientIP)) affinityPick.set(clientIP, ready[Math.floor(rand() * ready.length)]);
    chosen = affinityPick.get(clientIP);
  } else chosen = ready[Math.floor(rand() * ready.length)];
  const podKey = chosen.pod;
  const p = view.podByKey.get(podKey);
  const shown = eps.slice(0, 25);
  if (!shown.includes(chosen)) shown.push(chosen);
  const candidates = shown.map((e) => ({
    pod: e.pod.split("/").pop(),
    node: e.node,
    ip: e.ip,
    port: 8080,
    probability: e.ready ? Math.round((1 / ready.length) * 10000) / 10000 : 0,
    eligible: e.ready,
    why: e.ready ? `ready in ${e.slice}` : e.terminating ? "terminating: kube-proxy skips it while ready endpoints exist" : "not ready: readiness probe failing",
    ready: e.ready,
    serving: e.serving,
    terminating: e.terminating,
    slice: e.slice,
  }));
  push({ kind: "node", name: entryNode.name, ip: entryNode.internalIP }, "DNAT", { ...pkt, dst: `${chosen.ip}:8080` }, {
    rules: [...rulesBase, "KUBE-SVC-KUBIA", `KUBE-SEP-${chosen.ip.replaceAll(".", "")}`],
    rule_text: `-A KUBE-SEP-${chosen.ip.replaceAll(".", "")} -p tcp -m tcp -j DNAT --to-destination ${chosen.ip}:8080`,
    field: "targetPort",
    candidates,
    chosen: candidates.find((c) => c.ip === chosen.ip).pod,
    probability: 1 / ready.length,
    text: `kube-proxy picks ${chosen.ip}:8080 out of ${ready.length} ready endpoints.`,
  });
  if (p && p.node !== entryNode.name && source === "external") {
    push({ kind: "node", name: entryNode.name, ip: entryNode.internalIP }, "SNAT", { ...pkt, src: `${entryNode.internalIP}:${cport + 1}` }, { rules: ["KUBE-POSTROUTING"], rule_text: "-A KUBE-POSTROUTING -j MASQUERADE --random-fully", text: "Masqueraded: the pod will see the node's IP." });
  }
  if (p && p.node !== entryNode.name) {
    const nd = view.nodeByName.get(p.node);
    push({ kind: "node", name: nd.name, ip: nd.internalIP }, "route", { ...pkt }, { text: `Routed to ${nd.name}.` });
  }
  push({ kind: "pod", name: p ? p.name : podKey, namespace: "default", ip: chosen.ip }, "deliver", { ...pkt }, { text: "The pod accepts the connection." });
  return { ...base, outcome: "delivered", reason: "", endpoint: { pod: p ? p.name : podKey, namespace: "default", node: chosen.node, ip: chosen.ip, port: 8080 } };
}
