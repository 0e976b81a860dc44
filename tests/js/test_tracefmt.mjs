// The page shows a trace's sentences in its own language: Korean beside English in every trace.
import { test } from "node:test";
import assert from "node:assert/strict";
import { setLanguage } from "../../static/js/i18n.js";
import { candidateWhy, hopText, localized, traceReason } from "../../static/js/tracefmt.js";

const trace = {
  outcome: "refused",
  reason: "default/empty has no endpoints, so the connection is refused immediately.",
  reason_message: { id: "no_endpoints.end", params: { service: "default/empty" } },
  i18n: { ko: { reason: "default/empty 서비스에 엔드포인트가 없어서 연결이 즉시 거부됩니다." } },
  hops: [
    {
      text: "Pod default/client (10.244.1.7) opens a TCP connection to 10.96.100.17:80.",
      message: { id: "send", params: {} },
      i18n: { ko: { text: "default/client 파드(10.244.1.7)가 10.96.100.17:80 주소로 TCP 연결을 엽니다." } },
      candidates: [{ why: "Not used by this chain.", i18n: { ko: { why: "이 체인에서는 쓰이지 않습니다." } } }],
    },
  ],
};

test("a Korean page shows the Korean sentences of a trace", () => {
  setLanguage("ko");
  try {
    assert.equal(hopText(trace.hops[0]), "default/client 파드(10.244.1.7)가 10.96.100.17:80 주소로 TCP 연결을 엽니다.");
    assert.equal(traceReason(trace), "default/empty 서비스에 엔드포인트가 없어서 연결이 즉시 거부됩니다.");
    assert.equal(candidateWhy(trace.hops[0].candidates[0]), "이 체인에서는 쓰이지 않습니다.");
  } finally {
    setLanguage("en");
  }
});

test("an English page shows the English fields", () => {
  setLanguage("en");
  assert.equal(hopText(trace.hops[0]), trace.hops[0].text);
  assert.equal(traceReason(trace), trace.reason);
  assert.equal(candidateWhy(trace.hops[0].candidates[0]), "Not used by this chain.");
});

test("a trace stored before translations existed falls back to English", () => {
  setLanguage("ko");
  try {
    assert.equal(hopText({ text: "The request reached pod default/kubia-a at 10.244.1.5:8080." }), "The request reached pod default/kubia-a at 10.244.1.5:8080.");
    assert.equal(localized({ why: "Ready.", i18n: { ko: {} } }, "why"), "Ready.");
    assert.equal(localized(null, "text"), "");
  } finally {
    setLanguage("en");
  }
});
