// Fixture builders for the node tests (plain ES module).
// bigSnapshot: N pods (app=kubia) spread over M nodes, the three kubia Services, their Endpoints
// and EndpointSlices packed 100 per slice, like the real controller on a fresh Service.

function rng(seed) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

const ALPHABET = "bcdfghjklmnpqrstvwxz2456789";

function suffix(rand, n = 5) {
  let out = "";
  for (let i = 0; i < n; i++) out += ALPHABET[Math.floor(rand() * ALPHABET.length)];
  return out;
}

export function bigSnapshot({ nodes = 20, pods = 1000, perSlice = 100, notReadyEvery = 37, terminatingEvery = 211, seed = 7 } = {}) {
  const rand = rng(seed);
  let rv = 1000;
  const meta = (name, ns, extra = {}) => ({ name, ...(ns ? { namespace: ns } : {}), uid: `uid-${name}`, resourceVersion: String(++rv), ...extra });
  const nodeObjs = [];
  for (let i = 1; i <= nodes; i++) {
    const name = `node-${String(i).padStart(2, "0")}`;
    nodeObjs.push({
      kind: "Node",
      metadata: meta(name, null, { labels: { "topology.kubernetes.io/zone": `zone-${"abc"[i % 3]}` } }),
      spec: { podCIDR: `10.244.${i}.0/24` },
      status: {
        addresses: [
          { type: "InternalIP", address: `10.0.${Math.floor(i / 250)}.${10 + (i % 250)}` },
          { type: "ExternalIP", address: `203.0.113.${10 + (i % 240)}` },
        ],
        conditions: [{ type: "Ready", status: "True" }],
      },
    });
  }
  const podObjs = [];
  const hash = "7d5b8f9c4";
  for (let k = 0; k < pods; k++) {
    const n = (k % nodes) + 1;
    const slot = Math.floor(k / nodes) + 2;
    const ip = `10.244.${n}.${slot % 254}`;
    const ready = k % notReadyEvery !== 5;
    const terminating = k % terminatingEvery === 17;
    podObjs.push({
      kind: "Pod",
      metadata: meta(`kubia-${hash}-${suffix(rand)}`, "default", {
        labels: { app: "kubia", "pod-template-hash": hash },
        ...(terminating ? { deletionTimestamp: "2026-11-25T21:00:00Z" } : {}),
      }),
      spec: { nodeName: nodeObjs[n - 1].metadata.name, containers: [{ name: "kubia", ports: [{ containerPort: 8080, protocol: "TCP" }] }] },
      status: { phase: "Running", podIP: ip, conditions: [{ type: "Ready", status: ready ? "True" : "False" }] },
    });
  }
  const svcDefs = [
    ["kubia", "ClusterIP", "10.111.254.223", null],
    ["kubia-nodeport", "NodePort", "10.96.121.117", 30123],
    ["kubia-loadbalancer", "LoadBalancer", "10.111.241.153", 32143],
  ];
  const services = [];
  const endpoints = [];
  const slices = [];
  for (const [name, type, ip, np] of svcDefs) {
    services.push({
      kind: "Service",
      metadata: meta(name, "default"),
      spec: {
        type,
        clusterIP: ip,
        ports: [{ protocol: "TCP", port: 80, targetPort: 8080, ...(np ? { nodePort: np } : {}) }],
        selector: { app: "kubia" },
        sessionAffinity: "None",
        ...(np ? { externalTrafficPolicy: "Cluster" } : {}),
      },
      status: { loadBalancer: type === "LoadBalancer" ? { ingress: [{ ip: "192.168.1.240" }] } : {} },
    });
    const live = podObjs.filter((p) => !p.metadata.deletionTimestamp);
    const isReady = (p) => p.status.conditions[0].status === "True";
    const addr = (p) => ({ ip: p.status.podIP, nodeName: p.spec.nodeName, targetRef: { kind: "Pod", namespace: "default", name: p.metadata.name } });
    endpoints.push({
      kind: "Endpoints",
      metadata: meta(name, "default"),
      subsets: [{ addresses: live.filter(isReady).map(addr), notReadyAddresses: live.filter((p) => !isReady(p)).map(addr), ports: [{ port: 8080, protocol: "TCP" }] }],
    });
    for (let s = 0; s * perSlice < podObjs.length; s++) {
      slices.push({
        kind: "EndpointSlice",
        metadata: meta(`${name}-${suffix(rand)}`, "default", { labels: { "kubernetes.io/service-name": name } }),
        addressType: "IPv4",
        ports: [{ name: "", port: 8080, protocol: "TCP" }],
        endpoints: podObjs.slice(s * perSlice, (s + 1) * perSlice).map((p) => {
          const terminating = Boolean(p.metadata.deletionTimestamp);
          const serving = isReady(p);
          return {
            addresses: [p.status.podIP],
            conditions: { ready: serving && !terminating, serving, terminating },
            nodeName: p.spec.nodeName,
            targetRef: { kind: "Pod", namespace: "default", name: p.metadata.name },
          };
        }),
      });
    }
  }
  const base = "/clusters/big";
  return {
    type: "snapshot",
    seq: rv,
    cluster: { id: "big", name: `scale-${pods}-pods`, settings: { serviceCIDR: "10.96.0.0/12", nodePortRange: "30000-32767", maxEndpointsPerSlice: perSlice, proxyMode: "iptables", lbPool: ["192.168.1.240-192.168.1.250"] } },
    objects: {
      Namespace: [{ kind: "Namespace", metadata: { name: "default" } }],
      Node: nodeObjs,
      Pod: podObjs,
      Deployment: [{ kind: "Deployment", metadata: meta("kubia", "default"), spec: { replicas: pods, selector: { matchLabels: { app: "kubia" } } }, status: { readyReplicas: podObjs.filter((p) => p.status.conditions[0].status === "True").length } }],
      Service: services,
      Endpoints: endpoints,
      EndpointSlice: slices,
    },
    actions: {
      podReadiness: `${base}/pods/{namespace}/{name}/readiness/`,
      podDelete: `${base}/pods/{namespace}/{name}/delete/`,
      serviceDelete: `${base}/services/{namespace}/{name}/delete/`,
      workloadDelete: `${base}/workloads/{namespace}/{name}/delete/`,
      nodeDelete: `${base}/nodes/{name}/delete/`,
    },
  };
}

/** An empty sandbox: nodes only. */
export function emptySnapshot({ nodes = 3 } = {}) {
  const snap = bigSnapshot({ nodes, pods: 0 });
  snap.cluster.name = "empty-sandbox";
  snap.objects.Service = [];
  snap.objects.Endpoints = [];
  snap.objects.EndpointSlice = [];
  snap.objects.Deployment = [];
  return snap;
}
