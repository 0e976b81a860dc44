// The permalink page of one trace (/traces/<token>/): read-only, the objects as they were when the
// request was sent (rebuilt by the server from the event log), the trace animated on that picture.
// It drives main.js's start() with a transport that loads /traces/<token>.json once.

import { readConfig, start } from "./main.js";
import { t } from "./i18n.js";

export function permalinkTransport(url, { fetchImpl = fetch } = {}) {
  return (handlers) => ({
    connected: false,
    async start() {
      let data = null;
      try {
        const res = await fetchImpl(url, { credentials: "same-origin", headers: { Accept: "application/json" } });
        if (res.ok) data = await res.json();
      } catch {
        data = null;
      }
      if (!data || !data.snapshot) {
        handlers.onStatus && handlers.onStatus({ state: "closed" });
        handlers.onError && handlers.onError(t("permalink.notFound"));
        return;
      }
      handlers.onHello && handlers.onHello({ role: "viewer", cluster: data.snapshot.cluster });
      handlers.onSnapshot(data.snapshot);
      handlers.onTrace(data.trace);
      const conn = document.getElementById("conn-status");
      if (conn) {
        conn.dataset.state = "recorded";
        const icon = conn.querySelector(".conn-icon");
        const text = conn.querySelector(".conn-text");
        if (icon) icon.textContent = "●";
        if (text) text.textContent = t("permalink.recorded");
      }
      window.__servicescope.permalink = { seq: data.seq, rebuilt: data.rebuilt, trace: data.trace.id };
    },
    send() {},
    retryNow() {},
  });
}

const root = document.getElementById("app");
if (root && root.dataset.permalinkUrl) {
  const config = readConfig(root);
  start({ ...config, role: "viewer", historyUrl: "", transport: permalinkTransport(root.dataset.permalinkUrl) });
}
