// The YAML and Console tabs' pure helpers: export URLs, error positions, command history.
import { test } from "node:test";
import assert from "node:assert/strict";
import { objectYamlUrl, offsetOf } from "../../static/js/yaml.js";
import { History } from "../../static/js/console.js";

const urls = { objectUrl: "/clusters/c/objects/{kind}/{namespace}/{name}.yaml", clusterObjectUrl: "/clusters/c/objects/{kind}/{name}.yaml" };

test("a selected object's export URL", () => {
  assert.equal(objectYamlUrl({ kind: "Service", key: "default/kubia" }, urls), "/clusters/c/objects/Service/default/kubia.yaml");
  assert.equal(objectYamlUrl({ kind: "Node", key: "node-1" }, urls), "/clusters/c/objects/Node/node-1.yaml");
  assert.equal(objectYamlUrl(null, urls), "");
});

test("line and column of a YAML error as an offset", () => {
  const text = "a: 1\nb:\n   c: 2\n";
  assert.equal(offsetOf(text, 1, 1), 0);
  assert.equal(offsetOf(text, 3, 4), 11);
  assert.equal(offsetOf(text, 99, 1), text.length);
});

test("history walks back and forth and keeps the draft", () => {
  const h = new History();
  h.push("kubectl get svc");
  h.push("kubectl get pods");
  h.push("kubectl get pods"); // a repeat is kept once
  assert.equal(h.prev("kub"), "kubectl get pods");
  assert.equal(h.prev("kubectl get pods"), "kubectl get svc");
  assert.equal(h.prev("kubectl get svc"), "kubectl get svc");
  assert.equal(h.next(), "kubectl get pods");
  assert.equal(h.next(), "kub");
  assert.equal(h.next(), "kub");
});
