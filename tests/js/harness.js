// Harness: drives the real front-end (static/js/main.js) from fixtures instead of the server.
//   harness.html?fixture=kubia            the kubia snapshot + one sample trace (default)
//   harness.html?fixture=big&nodes=20&pods=1000
//   harness.html?fixture=empty            nodes only: the empty states
//   &trace=0  no sample trace · &reduced=1  reduced motion · &lang=ko  Korean · &conn=down  no socket
// window.__harness: {app, send(n, destination, source), reload(), events(list)}.

import { start, readConfig } from "../../static/js/main.js";
import { bigSnapshot, emptySnapshot } from "./fixtures.js";
import { synthTraces } from "./fake_server.js";

const params = new URLSearchParams(window.location.search);
const which = params.get("fixture") || "kubia";

async function loadFixture() {
  if (which === "big") {
    return { snapshot: bigSnapshot({ nodes: Number(params.get("nodes") || 20), pods: Number(params.get("pods") || 1000) }), traces: [] };
  }
  if (which === "empty") return { snapshot: emptySnapshot({ nodes: Number(params.get("nodes") || 3) }), traces: [] };
  const res = await fetch(new URL("./fixture_kubia.json", import.meta.url));
  return res.json();
}

let handlers = null;
let app = null;
let seq = 0;

function fakeTransport(h) {
  handlers = h;
  const tr = {
    connected: false,
    start() {
      h.onStatus({ state: "connecting", attempt: 0 });
      if (params.get("conn") === "down") {
        h.onStatus({ state: "waiting", attempt: 3, retryIn: 4000 });
        return;
      }
      loadFixture().then((fx) => {
        tr.connected = true;
        h.onStatus({ state: "open", attempt: 0 });
        h.onHello(fx.hello || { type: "hello", protocol: 1, cluster: { id: fx.snapshot.cluster.id, name: fx.snapshot.cluster.name }, role: document.getElementById("app").dataset.role });
        seq = fx.snapshot.seq;
        h.onSnapshot(fx.snapshot);
        if (params.get("trace") !== "0") setTimeout(() => (fx.traces || []).forEach((t) => h.onTrace(t)), 400);
      });
    },
    send() {
      return true;
    },
    retryNow() {},
  };
  return tr;
}

const api = {
  async postTraces(body) {
    if (!body.destination) return { ok: false, status: 400, data: { detail: "destination: This field is required." } };
    const traces = synthTraces(app.view, body);
    // Like the server: the same traces arrive over the "websocket".
    setTimeout(() => traces.forEach((t) => handlers.onTrace(t)), 20);
    return { ok: true, status: 200, data: { traces } };
  },
};

// Forms: answer like the server would, including an apiserver-worded validation error.
const realFetch = window.fetch.bind(window);
window.fetch = async (url, init = {}) => {
  if ((init.method || "GET").toUpperCase() !== "POST") return realFetch(url, init);
  const json = (status, data) => new Response(JSON.stringify(data), { status, headers: { "Content-Type": "application/json" } });
  const body = init.body instanceof FormData ? init.body : new FormData();
  if (String(url).includes("/services/") && !String(url).includes("/delete/")) {
    const errors = {};
    const name = String(body.get("name") || "");
    if (!name) errors.name = ["metadata.name: Required value"];
    else if (!/^[a-z]([-a-z0-9]*[a-z0-9])?$/.test(name)) {
      errors.name = [
        `metadata.name: Invalid value: "${name}": a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')`,
      ];
    }
    const np = body.get("ports-0-nodePort");
    if (np && (Number(np) < 30000 || Number(np) > 32767)) {
      errors["ports-0-nodePort"] = [`spec.ports[0].nodePort: Invalid value: ${np}: provided port is not in the valid range. The valid range is 30000-32767`];
    }
    if (Object.keys(errors).length) return json(400, { ok: false, errors, non_field_errors: [] });
    return json(200, { ok: true, message: `service/${name} created` });
  }
  return json(200, { ok: true, message: "done" });
};

const root = document.getElementById("app");
app = start({ ...readConfig(root), transport: fakeTransport, api, reducedMotion: params.get("reduced") === "1" ? true : undefined });

window.__harness = {
  get app() {
    return app;
  },
  /** Send n requests as the owner would (through the same API path as the panel). */
  async send(n = 1, destination = "192.168.1.240:80", source = "external") {
    return api.postTraces({ source, destination, count: n });
  },
  /** Feed websocket-style events: [{type, kind, object}] get consecutive seq numbers. */
  events(list) {
    handlers.onEvents(list.map((e) => ({ ...e, seq: ++seq })));
  },
};
