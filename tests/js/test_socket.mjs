import { test } from "node:test";
import assert from "node:assert/strict";
import { ClusterSocket, backoffDelay, sequenceEvents, socketUrl } from "../../static/js/socket.js";
import { packObjects } from "../../static/js/snapshotcodec.js";

const ev = (seq) => ({ seq, type: "MODIFIED", kind: "Pod", object: { metadata: { name: `p${seq}` } } });

test("sequenceEvents applies contiguous events and skips duplicates", () => {
  assert.deepEqual(sequenceEvents(10, [ev(9), ev(10), ev(11), ev(12)]).apply.map((e) => e.seq), [11, 12]);
  const r = sequenceEvents(10, [ev(12), ev(11)]);
  assert.deepEqual(r.apply.map((e) => e.seq), [11, 12], "sorted by seq first");
  assert.equal(r.lastSeq, 12);
  assert.equal(r.gap, false);
});

test("sequenceEvents stops at a gap", () => {
  const r = sequenceEvents(10, [ev(11), ev(13), ev(14)]);
  assert.deepEqual(r.apply.map((e) => e.seq), [11]);
  assert.equal(r.lastSeq, 11);
  assert.equal(r.gap, true);
  assert.equal(sequenceEvents(null, [ev(1)]).ignored, true, "no snapshot yet: nothing to apply to");
});

test("backoff grows, is capped and jittered", () => {
  const r = () => 1;
  assert.equal(backoffDelay(0, { random: r }), 500);
  assert.equal(backoffDelay(1, { random: r }), 1000);
  assert.equal(backoffDelay(10, { random: r }), 15000);
  assert.equal(backoffDelay(3, { random: () => 0 }), Math.round(4000 * 0.6));
});

test("socketUrl picks ws: or wss: by page protocol", () => {
  assert.equal(socketUrl("/ws/clusters/1/", { protocol: "http:", host: "h:8000" }), "ws://h:8000/ws/clusters/1/");
  assert.equal(socketUrl("/ws/watch/t/", { protocol: "https:", host: "x.org" }), "wss://x.org/ws/watch/t/");
  assert.equal(socketUrl("wss://a/b", { protocol: "http:", host: "h" }), "wss://a/b");
});

// A fake WebSocket and clock to drive ClusterSocket.
function harness() {
  const sockets = [];
  const timers = [];
  class FakeWS {
    constructor(url) {
      this.url = url;
      this.readyState = 0;
      this.sent = [];
      sockets.push(this);
    }
    send(s) {
      this.sent.push(JSON.parse(s));
    }
    close(code = 1000) {
      this.readyState = 3;
      this.onclose && this.onclose({ code });
    }
    open() {
      this.readyState = 1;
      this.onopen && this.onopen();
    }
    msg(obj) {
      this.onmessage && this.onmessage({ data: JSON.stringify(obj) });
    }
    drop(code = 1006) {
      this.readyState = 3;
      this.onclose && this.onclose({ code });
    }
  }
  const log = { status: [], snapshots: [], events: [], traces: [] };
  const sock = new ClusterSocket(
    "ws://x/ws/clusters/1/",
    {
      onStatus: (s) => log.status.push(s.state),
      onSnapshot: (m) => log.snapshots.push(m.seq),
      onEvents: (evs) => log.events.push(...evs.map((e) => e.seq)),
      onTrace: (t) => log.traces.push(t.id),
    },
    {
      WebSocket: FakeWS,
      setTimeout: (fn, ms) => {
        timers.push({ fn, ms });
        return timers.length;
      },
      clearTimeout: () => {},
      random: () => 1,
    },
  );
  return { sock, sockets, timers, log };
}

test("ClusterSocket: snapshot, events, gap -> resume once, reconnect with ?since=lastSeq", () => {
  const { sock, sockets, timers, log } = harness();
  sock.start();
  const ws = sockets[0];
  ws.open();
  assert.deepEqual(ws.sent, [], "no state yet: no resume on first connect");
  ws.msg({ type: "snapshot", seq: 5, objects: {} });
  ws.msg({ type: "events", events: [ev(6), ev(7)] });
  assert.deepEqual(log.events, [6, 7]);
  ws.msg({ type: "events", events: [ev(9)] });
  ws.msg({ type: "events", events: [ev(10)] });
  assert.deepEqual(ws.sent, [{ type: "resume", since: 7 }], "one resume per gap");
  ws.msg({ type: "events", events: [ev(8), ev(9), ev(10)] });
  assert.deepEqual(log.events, [6, 7, 8, 9, 10]);
  ws.msg({ type: "trace", trace: { id: "t1" } });
  assert.deepEqual(log.traces, ["t1"]);

  ws.drop();
  assert.equal(log.status.at(-1), "waiting");
  const retry = timers.at(-1);
  assert.equal(retry.ms, 500);
  retry.fn();
  const ws2 = sockets[1];
  ws2.open();
  assert.equal(ws2.url, "ws://x/ws/clusters/1/?since=10", "reconnects asking only for what it missed");
  assert.deepEqual(ws2.sent, []);
  assert.equal(log.status.at(-1), "open");
  ws2.msg({ type: "events", events: [ev(9), ev(10), ev(11)] });
  assert.deepEqual(log.events, [6, 7, 8, 9, 10, 11], "replayed duplicates ignored");
});

test("ClusterSocket: backoff grows across failed attempts; fatal close codes stop retrying", () => {
  const { sock, sockets, timers, log } = harness();
  sock.start();
  sockets[0].drop();
  timers.at(-1).fn();
  sockets[1].drop();
  assert.deepEqual(timers.map((t) => t.ms), [500, 1000]);
  timers.at(-1).fn();
  sockets[2].open();
  sockets[2].drop(4403);
  assert.equal(log.status.at(-1), "denied");
  assert.equal(timers.length, 2, "no retry after 4403");
});

test("ClusterSocket: a message sent in parts is joined, then read as one", () => {
  const { sock, sockets, log } = harness();
  sock.start();
  const ws = sockets[0];
  ws.open();
  const text = JSON.stringify({ type: "snapshot", seq: 42, objects: { Pod: [{ metadata: { name: "a\"b" } }] } });
  const cut = [text.slice(0, 10), text.slice(10, 25), text.slice(25)];
  cut.forEach((data, n) => ws.msg({ type: "part", n, of: cut.length, data }));
  assert.deepEqual(log.snapshots, [42]);
  ws.msg({ type: "part", n: 1, of: 2, data: "stray" }); // a part without its first: dropped
  ws.msg({ type: "events", events: [ev(43)] });
  assert.deepEqual(log.events, [43], "the stream goes on");
});

test("ClusterSocket: a packed snapshot is unpacked first; what came meanwhile follows it in order", async () => {
  const { sock, sockets, log } = harness();
  sock.start();
  const ws = sockets[0];
  ws.open();
  const objects = { Pod: [{ metadata: { name: "p", namespace: "default" } }] };
  const packed = await packObjects(objects);
  let seen = null;
  sock.h.onSnapshot = (m) => {
    seen = m;
    log.snapshots.push(m.seq);
  };
  ws.msg({ type: "snapshot", seq: 5, cluster: { id: "1" }, packing: "deflate+base64", packed });
  ws.msg({ type: "events", events: [ev(6)] });
  ws.msg({ type: "snapshot", seq: 7, cluster: { id: "1" }, packing: "deflate+base64", packed });
  ws.msg({ type: "events", events: [ev(8)] });
  assert.deepEqual(log.snapshots, [], "nothing is read before the snapshot is unpacked");
  await until(() => log.events.length === 2);
  assert.deepEqual(log.snapshots, [5, 7]);
  assert.deepEqual(log.events, [6, 8]);
  assert.deepEqual(seen, { type: "snapshot", seq: 7, cluster: { id: "1" }, objects });
});

test("ClusterSocket: an unreadable packed snapshot closes the socket, which reconnects", async () => {
  const { sock, sockets, timers, log } = harness();
  sock.start();
  sockets[0].open();
  sockets[0].msg({ type: "snapshot", seq: 5, packing: "deflate+base64", packed: "bm90IGRlZmxhdGU=" });
  await until(() => sockets[0].readyState === 3);
  assert.deepEqual(log.snapshots, []);
  assert.equal(log.status.at(-1), "waiting");
  timers.at(-1).fn();
  assert.equal(sockets[1].url, "ws://x/ws/clusters/1/", "no seq held: a fresh snapshot");
});

async function until(done) {
  for (let i = 0; i < 200 && !done(); i++) await new Promise((resolve) => setTimeout(resolve, 5));
  assert.ok(done(), "in time");
}
