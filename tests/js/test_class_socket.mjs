import { test } from "node:test";
import assert from "node:assert/strict";
import { ClassSocket, classOrder, classSocketUrl } from "../../static/js/class_socket.js";

test("classOrder: apply the next one, drop what is held, resume on a gap", () => {
  assert.equal(classOrder(null, 5), "apply", "nothing held yet");
  assert.equal(classOrder(4, 5), "apply");
  assert.equal(classOrder(5, 5), "duplicate");
  assert.equal(classOrder(5, 3), "duplicate");
  assert.equal(classOrder(5, 7), "gap");
});

test("classSocketUrl holds what the screen has", () => {
  assert.equal(classSocketUrl("ws://h/ws/classes/ABC234/"), "ws://h/ws/classes/ABC234/");
  assert.equal(
    classSocketUrl("ws://h/ws/classes/ABC234/", { classSeq: 12, eventsSeq: 40, view: "u-1" }),
    "ws://h/ws/classes/ABC234/?since=12&events_since=40&view=u-1",
  );
  assert.equal(classSocketUrl("ws://h/ws/classes/ABC234/", { classSeq: 3, eventsSeq: 40, view: "u", sandbox: false, student: "t k" }),
    "ws://h/ws/classes/ABC234/?sandbox=0&student=t%20k&since=3");
  assert.equal(classSocketUrl("ws://h/x/?name=Ana", { classSeq: 0 }), "ws://h/x/?name=Ana&since=0");
});

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
  }
  const log = { status: [], classes: [], traces: [], snapshots: [], events: [] };
  const sock = new ClassSocket("ws://h/ws/classes/ABC234/", {
    onStatus: (s) => log.status.push(s.state),
    onClass: (m) => log.classes.push(m.type + (m.seq !== undefined ? `#${m.seq}` : "")),
    onTrace: (t) => log.traces.push(t.id),
    onSnapshot: (m) => log.snapshots.push(m.seq),
    onEvents: (evs) => log.events.push(...evs.map((e) => e.seq)),
  }, { env: { WebSocket: FakeWS, setTimeout: (fn, ms) => timers.push({ fn, ms }), clearTimeout: () => {}, random: () => 1 } });
  return { sock, sockets, timers, log };
}

test("class messages in order, each once; a trace goes to the page too", () => {
  const { sock, sockets, log } = harness();
  sock.start();
  const ws = sockets[0];
  ws.open();
  ws.msg({ type: "hello", role: "student", student: { id: 1, name: "Ana", token: "tok" }, cluster: { id: "u" } });
  ws.msg({ type: "class", seq: 4 });
  ws.msg({ type: "snapshot", seq: 10, cluster: { id: "u" }, objects: {} });
  ws.msg({ type: "trace", seq: 5, trace: { id: 9 } });
  ws.msg({ type: "step", seq: 6, trace: 9, hop: 0 });
  ws.msg({ type: "step", seq: 6, trace: 9, hop: 0 }); // repeated: dropped
  ws.msg({ type: "events", events: [{ seq: 11 }] });
  assert.deepEqual(log.classes, ["hello", "class#4", "trace#5", "step#6"]);
  assert.deepEqual(log.traces, [9]);
  assert.deepEqual(log.events, [11]);
});

test("a gap asks for what is missing, once; a reconnect resumes both streams", () => {
  const { sock, sockets, timers, log } = harness();
  sock.start();
  const ws = sockets[0];
  ws.open();
  ws.msg({ type: "hello", role: "student", student: { id: 1, name: "Ana", token: "tok" }, cluster: { id: "u" } });
  ws.msg({ type: "class", seq: 4 });
  ws.msg({ type: "snapshot", seq: 10, cluster: { id: "u" }, objects: {} });
  ws.msg({ type: "step", seq: 6, trace: 9, hop: 1 });
  ws.msg({ type: "step", seq: 7, trace: 9, hop: 2 });
  assert.deepEqual(ws.sent, [{ type: "class_resume", since: 4 }]);
  ws.msg({ type: "step", seq: 5, trace: 9, hop: 0 });
  ws.msg({ type: "step", seq: 6, trace: 9, hop: 1 });
  assert.deepEqual(log.classes.slice(-2), ["step#5", "step#6"]);

  ws.close(1006);
  assert.equal(log.status.at(-1), "waiting");
  timers.at(-1).fn();
  assert.equal(sockets[1].url, "ws://h/ws/classes/ABC234/?student=tok&since=6&events_since=10&view=u");
});

test("refusals are final", () => {
  const { sock, sockets, log } = harness();
  sock.start();
  sockets[0].open();
  sockets[0].msg({ type: "error", code: "full", message: "This class is full" });
  sockets[0].close(4409);
  assert.equal(log.status.at(-1), "denied");
  assert.deepEqual(log.classes, ["error"]);
  sock.retryNow();
  assert.equal(sockets.length, 1);
});

test("question words: the server's plain choices, or quiz.js's detail in the reader's language", async () => {
  const { questionWords, revealWords } = await import("../../static/js/class_question.js");
  const { setLanguage } = await import("../../static/js/i18n.js");
  setLanguage("en");
  const plain = { id: 1, hop: 2, prompt: "", choices: ["node node-1 → 10.244.1.2:8080", "node node-1: REJECT"] };
  assert.equal(questionWords(plain).prompt, "Where is the packet after hop 3?");
  assert.deepEqual(questionWords(plain).choices.map((c) => c.value), plain.choices);
  assert.match(revealWords(plain, 0, 1).verdict, /^The answer is node node-1 → 10.244.1.2:8080, not/);

  const detail = { kind: "rewrite", hop: 4, hops: 7, at: { kind: "node", name: "node-1", ip: "10.0.0.11" }, before: "10.0.0.11:30123",
    choices: [{ value: "10.244.1.2:8080", role: "pod", name: "kubia-a", unchanged: false }, { value: "10.0.0.11:30123", role: "nodePort", name: "node-1", unchanged: true }] };
  const q = { id: 2, hop: 3, prompt: "x", choices: ["10.244.1.2:8080", "10.0.0.11:30123"], detail };
  const words = questionWords(q);
  assert.equal(words.progress, "Hop 5 of 7");
  assert.match(words.prompt, /10\.0\.0\.11:30123/);
  assert.match(words.choices[1].label, /^unchanged/);
  const explained = { ...q, explain: { after: "10.244.1.2:8080", rule: "KUBE-SEP-X", action: "DNAT", chooser: -1 } };
  const r = revealWords(explained, 0, 1);
  assert.equal(r.correct, false);
  assert.match(r.why, /KUBE-SEP-X/);
  setLanguage("ko");
  assert.notEqual(questionWords(q).prompt, words.prompt, "worded again in Korean");
  setLanguage("en");
});
