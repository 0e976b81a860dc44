import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { isPacked, packObjects, unpackObjects, unpackSnapshot } from "../../static/js/snapshotcodec.js";
import { applySnapshot, deriveView, emptyModel } from "../../static/js/state.js";
import { bigSnapshot, kubiaFixture } from "./helpers.mjs";

const packedFixture = JSON.parse(readFileSync(new URL("./fixture_packed.json", import.meta.url), "utf8"));

test("objects packed by the server unpack to the same objects, key order and UTF-8 included", async () => {
  const objects = await unpackObjects(packedFixture.packed);
  assert.deepEqual(objects, packedFixture.objects);
  assert.equal(JSON.stringify(objects), JSON.stringify(packedFixture.objects), "same keys in the same order");
  assert.equal(objects.Service[0].metadata.annotations.description, "파드로 가는 길");
});

test("unpack(pack(x)) == x on the kubia snapshot and a 1,000-pod one", async () => {
  for (const snapshot of [kubiaFixture().snapshot, bigSnapshot()]) {
    const packed = await packObjects(snapshot.objects);
    assert.equal(JSON.stringify(await unpackObjects(packed)), JSON.stringify(snapshot.objects));
    assert.ok(packed.length * 4 < JSON.stringify(snapshot.objects).length, "packed is much smaller");
  }
});

test("an unpacked snapshot is the message the page always read, and builds the same model", async () => {
  const plain = kubiaFixture().snapshot;
  const { objects, ...envelope } = plain;
  const msg = { ...envelope, packing: "deflate+base64", packed: await packObjects(objects) };
  assert.ok(isPacked(msg));
  const whole = await unpackSnapshot(msg);
  assert.deepEqual(whole, plain);
  assert.equal(isPacked(whole), false);
  assert.equal(await unpackSnapshot(plain), plain, "a plain snapshot is left as it is");
  assert.deepEqual(applySnapshot(emptyModel(), whole), applySnapshot(emptyModel(), plain));
  assert.deepEqual(deriveView(applySnapshot(emptyModel(), whole)), deriveView(applySnapshot(emptyModel(), plain)));
});

test("an unknown packing or broken data is refused, not misread", async () => {
  await assert.rejects(unpackSnapshot({ type: "snapshot", packing: "zstd", packed: "AAAA" }), /unknown snapshot packing/);
  await assert.rejects(unpackSnapshot({ type: "snapshot", packing: "deflate+base64", packed: "bm90IGRlZmxhdGU=" }));
});
