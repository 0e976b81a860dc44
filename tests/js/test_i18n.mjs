import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, readdirSync } from "node:fs";
import { CATALOGUE, pickLanguage, setLanguage, t } from "../../static/js/i18n.js";

const dir = new URL("../../static/js/", import.meta.url);

test("every key has an English and a Korean text with the same placeholders", () => {
  const { en, ko } = CATALOGUE;
  assert.deepEqual(Object.keys(ko).sort(), Object.keys(en).sort());
  for (const k of Object.keys(en)) {
    const ph = (s) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
    assert.deepEqual(ph(ko[k]), ph(en[k]), k);
  }
});

test("every literal key used in the modules exists", () => {
  for (const f of readdirSync(dir).filter((n) => n.endsWith(".js"))) {
    const src = readFileSync(new URL(f, dir), "utf8");
    for (const m of src.matchAll(/\bt\("([A-Za-z0-9_.]+)"/g)) assert.ok(m[1] in CATALOGUE.en, `${f}: ${m[1]}`);
  }
});

test("dynamic key families are complete", () => {
  const need = [
    ...["client", "loadbalancer", "node", "pod"].map((k) => `at.${k}`),
    ...["connecting", "open", "waiting", "reconnecting", "denied", "closed"].map((k) => `conn.${k}`),
    ...["delivered", "refused", "dropped", "unroutable"].flatMap((k) => [`outcome.${k}`, `outcome.short.${k}`]),
    ...["lb", "nodePort", "clusterIP", "dns", "pod"].map((k) => `req.group.${k}`),
    ...["ready", "notready", "pending", "terminating"].map((k) => `state.${k}`),
  ];
  for (const k of need) assert.ok(k in CATALOGUE.en, k);
});

test("language choice and interpolation", () => {
  assert.equal(pickLanguage("ko-KR"), "ko");
  assert.equal(pickLanguage("en-us"), "en");
  setLanguage("ko");
  assert.equal(t("canvas.pods", { n: 3 }), "파드 3개");
  setLanguage("en");
  assert.equal(t("canvas.pods", { n: 3 }), "3 pods");
  assert.equal(t("no.such.key"), "no.such.key");
});

test("n === 1 picks the `.one` text when there is one", () => {
  setLanguage("en");
  assert.equal(t("req.tallyTitle", { n: 1 }), "Where the request went");
  assert.equal(t("req.tallyTitle", { n: 20 }), "Where the last 20 requests went");
  assert.equal(t("canvas.more", { n: 1 }), "+ 1 more", "no `.one` text: the plain one");
});
