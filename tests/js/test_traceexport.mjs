// Keeping a trace: the permalink URL, file names, the PNG's hop list text; the presenter's keys.
import { test } from "node:test";
import assert from "node:assert/strict";
import { permalinkUrl, traceBlocks, traceFileName, wrapLines } from "../../static/js/traceexport.js";
import { presenterKey } from "../../static/js/presenter.js";
import { setLanguage } from "../../static/js/i18n.js";
import { readFileSync } from "node:fs";

const fixture = JSON.parse(readFileSync(new URL("./fixture_traces.json", import.meta.url), "utf8"));
const traces = Array.isArray(fixture.traces) ? fixture.traces : Object.values(fixture.traces);
const trace = { ...traces[0], id: 42, token: "abc-DEF_123", seq: 25 };

test("the permalink is the token's page, never the id; none without a token", () => {
  assert.equal(permalinkUrl(trace), "/traces/abc-DEF_123/");
  assert.equal(permalinkUrl({ id: 1 }), "");
  assert.equal(traceFileName(trace, "png"), "trace-42-130.211.99.206_30123.png");
});

test("the hop list: title, outcome, one line per hop with its sentence, in the page's language", () => {
  setLanguage("en");
  const en = traceBlocks(trace);
  assert.equal(en.filter((b) => b.font === "m").length, trace.hops.length);
  assert.match(en.map((b) => b.text).join("\n"), /resourceVersion 25/);
  setLanguage("ko");
  const ko = traceBlocks(trace).map((b) => b.text).join("\n");
  assert.match(ko, /[\uac00-\ud7a3]/);
  assert.match(ko, /홉/);
  setLanguage("en");
});

test("wrapLines keeps every character and respects the width", () => {
  const text = "node-2 receives the packet on nodePort 30123, which KUBE-NODEPORTS sends to KUBE-EXT-DROCBMN7UF5OS6UD";
  const lines = wrapLines(text, 20, (s) => s.length);
  assert.ok(lines.every((l) => l.length <= 20), lines.join("|"));
  assert.equal(lines.join("").replace(/\s/g, ""), text.replace(/\s/g, ""));
});

test("presenter keys: a clicker's PageUp/PageDown and the arrows step a hop", () => {
  assert.equal(presenterKey("PageDown"), "forward");
  assert.equal(presenterKey("ArrowRight"), "forward");
  assert.equal(presenterKey("PageUp"), "back");
  assert.equal(presenterKey("ArrowLeft"), "back");
  assert.equal(presenterKey("k"), null);
});
