// Scenes for the projector tests: the kubia fixture plus `extra` ClusterIP Services, one of which
// (`big`) has 101 endpoints split into two slices (100/100 and 1/100).
import { applySnapshot, deriveView, emptyModel } from "../../static/js/state.js";
import { kubiaFixture } from "./helpers.mjs";

export function manyServicesView({ extra = 8, big = true } = {}) {
  const snap = structuredClone(kubiaFixture().snapshot);
  const o = snap.objects;
  const tmplSvc = o.Service.find((s) => s.metadata.name === "kubia");
  const tmplEp = o.Endpoints.find((e) => e.metadata.name === "kubia");
  const tmplSl = o.EndpointSlice.find((e) => e.metadata.labels["kubernetes.io/service-name"] === "kubia");
  for (let i = 0; i < extra; i++) {
    const name = big && i === 0 ? "orders" : `svc-${String(i).padStart(2, "0")}`;
    const svc = structuredClone(tmplSvc);
    svc.metadata = { ...svc.metadata, name, uid: `uid-${name}` };
    svc.spec.clusterIP = `10.96.7.${10 + i}`;
    svc.spec.clusterIPs = [svc.spec.clusterIP];
    o.Service.push(svc);
    const ep = structuredClone(tmplEp);
    ep.metadata = { ...ep.metadata, name, uid: `uid-ep-${name}` };
    o.Endpoints.push(ep);
    const endpoints = big && i === 0 ? Array.from({ length: 101 }, (_, k) => ({ addresses: [`10.244.${Math.floor(k / 200)}.${(k % 200) + 20}`], conditions: { ready: true, serving: true, terminating: false }, nodeName: `node-${(k % 3) + 1}` })) : tmplSl.endpoints;
    const chunks = [];
    for (let k = 0; k < endpoints.length; k += 100) chunks.push(endpoints.slice(k, k + 100));
    chunks.forEach((chunk, j) => {
      const sl = structuredClone(tmplSl);
      sl.metadata = { ...sl.metadata, name: `${name}-${"abcde"[j]}x${j}zq`, uid: `uid-sl-${name}-${j}`, labels: { ...sl.metadata.labels, "kubernetes.io/service-name": name } };
      sl.metadata.ownerReferences = [{ ...sl.metadata.ownerReferences[0], name, uid: `uid-${name}` }];
      sl.endpoints = chunk;
      o.EndpointSlice.push(sl);
    });
  }
  return deriveView(applySnapshot(emptyModel(), snap));
}
