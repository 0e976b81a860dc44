// Predict, then reveal (static/js/quiz.js): which hops are asked, the choices built from the
// sandbox's own objects, seeded order, reveal texts, rounds and score, where playback stops.
// Real traces of the pure core: fixture_traces.json (make_fixture_traces.py) and the kubia fixture.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { applySnapshot, deriveView, emptyModel, podView, nodeView, serviceView } from "../../static/js/state.js";
import { layoutScene } from "../../static/js/layout.js";
import { buildAnimation } from "../../static/js/anim.js";
import { Player } from "../../static/js/player.js";
import { traceFacts } from "../../static/js/bookview.js";
import {
  MAX_CHOICES,
  MIN_CHOICES,
  ROLES,
  addToScore,
  answerQuestion,
  buildQuiz,
  choiceLabel,
  createRound,
  gateTime,
  hashString,
  hopSentence,
  holdTime,
  liveQuestion,
  nextQuestion,
  questionPlan,
  questionText,
  revealText,
  roundScore,
  seededRandom,
  seededShuffle,
  skipThrough,
  valueText,
} from "../../static/js/quiz.js";
import { CATALOGUE, setLanguage } from "../../static/js/i18n.js";
import { kubiaFixture } from "./helpers.mjs";

const fx = JSON.parse(readFileSync(new URL("./fixture_traces.json", import.meta.url), "utf8"));
const model = applySnapshot(emptyModel(), fx.snapshot);
const trace = (id) => fx.traces.find((tr) => tr.id === id);
const quizOf = (id) => buildQuiz(trace(id), model);
const plan = (id) => quizOf(id).questions.map((q) => `${q.kind}@${q.hop}`);
const values = (q) => q.choices.map((c) => c.value);
const answerOf = (q) => q.choices[q.answer];
const choiceBy = (q, pred) => q.choices.findIndex(pred);
const objects = fx.snapshot.objects;
const svc = (name) => serviceView(objects.Service.find((s) => s.metadata.name === name));

// Every address the sandbox owns: node, pod, clusterIP and load balancer IPs.
const sandboxIPs = new Set([
  ...objects.Node.map(nodeView).flatMap((n) => [n.internalIP, n.externalIP]),
  ...objects.Pod.map(podView).map((p) => p.ip),
  ...objects.Service.map((s) => serviceView(s)).flatMap((s) => [s.clusterIP, ...s.lbIPs]),
]);

test("seeded shuffle: a permutation, the same for the same key, different across keys", () => {
  const items = ["a", "b", "c", "d"];
  const once = seededShuffle(items, "np-iptables#3");
  assert.deepEqual([...once].sort(), items);
  assert.deepEqual(seededShuffle(items, "np-iptables#3"), once);
  assert.deepEqual(items, ["a", "b", "c", "d"], "the input is not changed");
  const orders = new Set(Array.from({ length: 40 }, (_, i) => seededShuffle(items, `t-${i}#1`).join("")));
  assert.ok(orders.size >= 10, `40 keys give many orders (${orders.size})`);
  // Each item lands first about a quarter of the time over many keys.
  const first = { a: 0, b: 0, c: 0, d: 0 };
  for (let i = 0; i < 4000; i++) first[seededShuffle(items, `trace-${i}#2`)[0]] += 1;
  for (const n of Object.values(first)) assert.ok(n > 800 && n < 1200, JSON.stringify(first));
  assert.equal(hashString("abc"), hashString("abc"));
  assert.notEqual(hashString("abc#1"), hashString("abc#2"));
  const r = seededRandom(7);
  for (let i = 0; i < 100; i++) {
    const x = r();
    assert.ok(x >= 0 && x < 1);
  }
});

test("which hops are asked: rewrites, the first kube-proxy rule hop, endings", () => {
  assert.deepEqual(plan("np-iptables"), ["same@1", "rewrite@3"], "KUBE-EXT (nothing rewritten yet), then KUBE-SEP's DNAT");
  assert.deepEqual(plan("lb-iptables"), ["lb@1", "same@2", "rewrite@4"]);
  assert.deepEqual(plan("np-ipvs"), ["same@1", "rewrite@3"]);
  assert.deepEqual(plan("np-nftables"), ["same@1", "rewrite@3"]);
  assert.deepEqual(plan("local-drop"), ["same@1", "outcome@2"]);
  assert.deepEqual(plan("local-kept"), ["same@1", "rewrite@3"]);
  assert.deepEqual(plan("empty-refused"), ["outcome@1"]);
  assert.deepEqual(plan("nodeport-refused"), ["outcome@1"]);
  // Addressed to the clusterIP from the start: the first rule hop has nothing to unlearn.
  assert.deepEqual(plan("cip-iptables"), ["rewrite@3"]);
  assert.deepEqual(plan("dns-iptables"), ["rewrite@3"]);
  // Nothing rewrites the destination: nothing to predict.
  assert.deepEqual(plan("pod-direct"), []);
  assert.deepEqual(plan("cip-outside"), []);
  // SNAT, routing and delivery are never asked.
  for (const tr of fx.traces) {
    for (const q of buildQuiz(tr, model).questions) assert.ok(!["SNAT", "route", "deliver", "send"].includes(tr.hops[q.hop].action), `${tr.id}@${q.hop}`);
  }
});

test("every question: 3-4 distinct choices from the sandbox, the answer exactly once", () => {
  let count = 0;
  for (const tr of fx.traces) {
    for (const q of buildQuiz(tr, model).questions) {
      count += 1;
      const vals = values(q);
      assert.ok(vals.length >= MIN_CHOICES && vals.length <= MAX_CHOICES, `${tr.id}@${q.hop}: ${vals}`);
      assert.equal(new Set(vals).size, vals.length, `${tr.id}@${q.hop}: distinct ${vals}`);
      assert.equal(vals.filter((v) => v === q.answerValue).length, 1, "the answer once");
      assert.equal(q.choices.filter((c) => c.answer).length, 1);
      assert.equal(answerOf(q).value, q.answerValue);
      for (const c of q.choices) {
        if (c.value.startsWith("outcome:")) assert.ok(["outcome:refused", "outcome:dropped"].includes(c.value));
        else assert.ok(sandboxIPs.has(c.value.slice(0, c.value.lastIndexOf(":"))), `${tr.id}@${q.hop}: ${c.value} is the sandbox's`);
        assert.ok(ROLES.includes(c.role), c.role);
      }
      // The right answer is what the trace did at that hop.
      const hop = tr.hops[q.hop];
      if (q.kind === "same") assert.equal(q.answerValue, hop.before.dst);
      else if (q.kind === "outcome") assert.equal(q.answerValue, hop.action === "reject" ? "outcome:refused" : "outcome:dropped");
      else assert.equal(q.answerValue, hop.after.dst);
    }
  }
  assert.ok(count >= 20, `${count} questions`);
});

test("the same trace gives the same questions in the same order; the answer moves between questions", () => {
  const a = quizOf("lb-iptables");
  const b = buildQuiz(structuredClone(trace("lb-iptables")), applySnapshot(emptyModel(), structuredClone(fx.snapshot)));
  assert.deepEqual(a.questions.map(values), b.questions.map(values));
  assert.deepEqual(a.questions.map((q) => q.answer), b.questions.map((q) => q.answer));
  // Another trace id, same hops: another order (the shuffle is keyed by trace id + hop).
  const renamed = buildQuiz({ ...trace("lb-iptables"), id: "another-id" }, model);
  assert.notDeepEqual(renamed.questions.map(values), a.questions.map(values));
  assert.deepEqual(renamed.questions.map((q) => [...values(q)].sort()), a.questions.map((q) => [...values(q)].sort()), "the same choices");
  const positions = new Set(fx.traces.flatMap((tr) => buildQuiz(tr, model).questions.map((q) => q.answer)));
  assert.ok(positions.size >= 3, `the right answer is not always in one place: ${[...positions]}`);
});

test("NodePort DNAT: podIP:targetPort against clusterIP:port, podIP:port and another pod", () => {
  const [same, dnat] = quizOf("np-iptables").questions;
  const tr = trace("np-iptables");
  const np = svc("kubia-nodeport");
  const pod = `${tr.endpoint.ip}:8080`;
  assert.equal(dnat.answerValue, pod);
  assert.deepEqual([...values(dnat)].sort(), [pod, `${np.clusterIP}:80`, `${tr.endpoint.ip}:80`, "10.244.1.6:8080"].sort());
  assert.equal(answerOf(dnat).role, "pod");
  assert.equal(dnat.choices[choiceBy(dnat, (c) => c.value === `${np.clusterIP}:80`)].role, "clusterIP");
  assert.equal(dnat.choices[choiceBy(dnat, (c) => c.value === `${tr.endpoint.ip}:80`)].role, "podPort");
  assert.match(dnat.rule, /^KUBE-SEP-/);
  assert.equal(dnat.chooser, 2, "KUBE-SVC picked the endpoint one hop earlier: another pod is a fair wrong answer");
  // The first rule hop: still the nodeIP:nodePort; not the clusterIP, not yet a pod, not another node.
  assert.equal(same.answerValue, tr.destination);
  assert.ok(answerOf(same).unchanged);
  assert.equal(answerOf(same).role, "nodePort");
  const other = same.choices.find((c) => c.role === "nodePort" && !c.unchanged);
  assert.equal(other.value, "130.211.97.55:30123", "the pod's node, at its ExternalIP like the packet's address");
  assert.ok(values(same).includes(`${np.clusterIP}:80`));
});

test("a hop that picks at random offers no other node or pod it might have picked", () => {
  const lb = quizOf("lb-iptables").questions[0];
  assert.equal(lb.kind, "lb");
  assert.ok(lb.probability < 1);
  assert.equal(lb.choices.filter((c) => c.role === "nodePort").length, 1, "only the node it chose");
  assert.equal(answerOf(lb).role, "nodePort");
  assert.ok(lb.choices.some((c) => c.role === "lb" && c.unchanged), "the load balancer's own address, unchanged");
  // The kubia fixture's trace picks the endpoint in the DNAT hop itself (p 1/3): no other pod.
  const kubia = kubiaFixture();
  const m = applySnapshot(emptyModel(), kubia.snapshot);
  const [, dnat] = buildQuiz(kubia.traces[0], m).questions;
  assert.equal(dnat.kind, "rewrite");
  assert.equal(dnat.chooser, -1);
  const pods = dnat.choices.filter((c) => c.role === "pod");
  assert.deepEqual(pods.map((c) => c.value), [`${kubia.traces[0].endpoint.ip}:8080`]);
});

test("externalTrafficPolicy Local on a node without a pod: dropped, not refused, not sent on", () => {
  const [same, end] = quizOf("local-drop").questions;
  assert.equal(same.kind, "same");
  assert.equal(end.kind, "outcome");
  assert.equal(end.answerValue, "outcome:dropped");
  assert.ok(values(end).includes("outcome:refused"));
  assert.ok(end.choices.some((c) => c.role === "pod"), "a pod on another node: what Cluster would have done");
  setLanguage("en");
  const picked = choiceBy(end, (c) => c.role === "refused");
  const r = revealText(end, picked);
  assert.equal(r.correct, false);
  assert.equal(r.verdict, "The packet is dropped here, not refused.");
  assert.match(r.why, /^KUBE-EXTERNAL-SERVICES drops the packet\. node-4 has no local endpoint/);
  const pod = end.choices[choiceBy(end, (c) => c.role === "pod")];
  assert.equal(revealText(end, end.choices.indexOf(pod)).verdict, `The packet is dropped here; it does not go on to ${pod.value}.`);
  assert.equal(revealText(end, end.answer).verdict, "Right: the packet is dropped here.");
});

test("a Service whose selector matches nothing: refused, though the pods the learner expected exist", () => {
  const [q] = quizOf("empty-refused").questions;
  assert.equal(q.answerValue, "outcome:refused");
  const pod = q.choices.find((c) => c.role === "pod");
  assert.ok(pod, "a kubia pod at the targetPort is offered");
  assert.notEqual(pod.value.split(":")[0], trace("empty-refused").client.ip, "not the client pod itself");
  setLanguage("en");
  const r = revealText(q, q.choices.indexOf(pod));
  assert.equal(r.verdict, `The packet is refused here; it does not go on to ${pod.value}.`);
  assert.match(r.why, /^KUBE-SERVICES rejects the connection\. default\/kubia-empty has no endpoints/);
  assert.match(r.hint, /No pod gets it/);
  const [np] = quizOf("nodeport-refused").questions;
  assert.match(revealText(np, np.answer).why, /^No rule matches this port, so the node refuses the connection\./);
});

test("the reveal says where it went, not where the learner thought, and the rule that decided it", () => {
  setLanguage("en");
  const dnat = quizOf("dns-iptables").questions[0];
  const cip = choiceBy(dnat, (c) => c.role === "clusterIP");
  const r = revealText(dnat, cip);
  const to = trace("dns-iptables").hops[3].after.dst;
  const clusterIP = `${svc("kubia").clusterIP}:80`;
  assert.equal(r.verdict, `The packet went to ${to}, not ${clusterIP}.`);
  assert.match(r.why, new RegExp(`^KUBE-SEP-\\w+ rewrote the destination from ${clusterIP} to ${to} in one step \\(DNAT\\)\\.$`));
  assert.match(r.hint, /No hop ever goes to the clusterIP/);
  assert.equal(revealText(dnat, dnat.answer).verdict, `Right: the packet went to ${to}.`);
  assert.equal(revealText(dnat, dnat.answer).hint, "", "no hint when right");

  const [same, rw] = quizOf("np-iptables").questions;
  assert.match(revealText(same, choiceBy(same, (c) => c.role === "nodePort" && !c.unchanged)).hint, /Every node opens the nodePort/);
  assert.match(revealText(same, choiceBy(same, (c) => c.role === "pod")).hint, /Not yet/);
  assert.match(revealText(same, same.answer).why, /^KUBE-EXT-\w+ matched, but it only jumps to the next chain/);
  assert.equal(revealText(rw, choiceBy(rw, (c) => c.role === "podPort")).hint, "The DNAT uses the targetPort (8080), not the Service port (80).");
  const otherPod = choiceBy(rw, (c) => c.role === "pod" && !c.answer);
  assert.equal(revealText(rw, otherPod).hint, `The endpoint was already chosen at hop 3: the DNAT sends the packet to ${rw.answerValue}.`);
  const lb = quizOf("lb-iptables").questions[0];
  assert.match(revealText(lb, lb.answer).why, /^The load balancer knows only nodes: it forwards to nodeIP:nodePort 10\.0\.0\.\d+:32143 \(node-\d\)/);
});

test("question words: where the packet is, what each choice is in this sandbox", () => {
  setLanguage("en");
  const [same] = quizOf("np-iptables").questions;
  const { progress, prompt } = questionText(same);
  assert.equal(progress, "Hop 2 of 7");
  assert.equal(prompt, `At node node-2 (10.0.0.12) the packet is addressed to ${trace("np-iptables").destination}. Where is it addressed after this hop?`);
  assert.equal(choiceLabel(answerOf(same)), "unchanged: nodeIP:nodePort on node-2");
  const cip = same.choices.find((c) => c.role === "clusterIP");
  assert.equal(choiceLabel(cip), "clusterIP:port of kubia-nodeport");
  const live = liveQuestion(same);
  assert.ok(live.startsWith("Hop 2 of 7. At node node-2"));
  assert.match(live, /Choices: 1: [\d.:]+, [^;]+; 2: /);
  const [end] = quizOf("empty-refused").questions;
  assert.equal(valueText(end.choices[end.answer]), "Nowhere: refused");
  assert.match(questionText(end).prompt, /Where does it go from here\?$/);
  setLanguage("ko");
  assert.equal(questionText(same).progress, "홉 2/7");
  assert.match(choiceLabel(cip), /kubia-nodeport의 clusterIP:port/);
  const r = revealText(end, end.answer);
  assert.equal(r.verdict, "정답: 패킷은 여기서 거부됩니다.");
  setLanguage("en");
});

test("every quiz text exists in English and Korean, placeholders filled", () => {
  const keys = Object.keys(CATALOGUE.en).filter((k) => k.startsWith("quiz."));
  assert.ok(keys.length > 40);
  for (const role of ROLES.filter((r) => r !== "refused" && r !== "dropped")) assert.ok(`quiz.role.${role}` in CATALOGUE.en, role);
  for (const end of ["refused", "dropped"]) for (const f of ["outcome", "outcomeWhy", "end", "endNoun"]) assert.ok(`quiz.${f}.${end}` in CATALOGUE.ko);
  for (const lang of ["en", "ko"]) {
    setLanguage(lang);
    for (const tr of fx.traces) {
      for (const q of buildQuiz(tr, model).questions) {
        const texts = [questionText(q).prompt, liveQuestion(q), ...q.choices.map(choiceLabel), ...q.choices.flatMap((_, k) => Object.values(revealText(q, k)).filter((v) => typeof v === "string"))];
        for (const s of texts) assert.doesNotMatch(s, /\{\w+\}|quiz\./, `${lang} ${tr.id}@${q.hop}: ${s}`);
      }
    }
  }
  setLanguage("en");
});

test("a round: answers count once, passed hops are skipped, the score adds up", () => {
  const quiz = quizOf("lb-iptables");
  const round = createRound(quiz);
  assert.equal(nextQuestion(round), 0);
  const first = answerQuestion(round, 0, quiz.questions[0].answer);
  assert.deepEqual({ traceId: first.traceId, hop: first.hop, correct: first.correct, kind: first.kind }, { traceId: "lb-iptables", hop: 1, correct: true, kind: "lb" });
  const again = answerQuestion(round, 0, (quiz.questions[0].answer + 1) % quiz.questions[0].choices.length);
  assert.equal(again.correct, true, "the first answer stands");
  assert.equal(nextQuestion(round), 1);
  const wrong = (quiz.questions[1].answer + 1) % quiz.questions[1].choices.length;
  assert.equal(answerQuestion(round, 1, wrong).correct, false);
  assert.deepEqual(roundScore(round), { right: 1, answered: 2, total: 3 });
  answerQuestion(round, 2, quiz.questions[2].answer);
  assert.equal(nextQuestion(round), -1);
  assert.deepEqual(roundScore(round), { right: 2, answered: 3, total: 3 });

  // Joining a request half-way: the hops already shown are not asked.
  const late = skipThrough(createRound(quiz), 2);
  assert.equal(nextQuestion(late), 2);
  assert.equal(answerQuestion(late, 0, 0), null);
  assert.deepEqual(roundScore(late), { right: 0, answered: 0, total: 1 });

  let score = { right: 0, total: 0 };
  score = addToScore(score, true);
  score = addToScore(score, false);
  assert.deepEqual(score, { right: 1, total: 2 });
  assert.deepEqual(roundScore(createRound(quizOf("pod-direct"))), { right: 0, answered: 0, total: 0 });
});

test("playback stops before the asked hop, then holds where Player.seekHop shows it", () => {
  const view = deriveView(model);
  const scene = layoutScene(view, { width: 1000, height: 560 });
  for (const id of ["np-iptables", "lb-iptables", "cip-iptables", "local-drop"]) {
    const tr = trace(id);
    const anim = buildAnimation(tr, scene.anchors);
    for (const q of buildQuiz(tr, model).questions) {
      const gate = gateTime(anim, q.hop);
      const before = anim.stops.filter((s) => s.hop < q.hop).at(-1);
      const firstOfHop = anim.stops.find((s) => s.hop === q.hop);
      assert.equal(gate, before.depart, `${id}@${q.hop}`);
      assert.ok(gate <= firstOfHop.arrive, "it leaves no later than it arrives at the asked hop");
      const hold = holdTime(anim, q.hop);
      const lastOfHop = anim.stops.filter((s) => s.hop === q.hop).at(-1);
      assert.ok(hold >= lastOfHop.arrive && hold < lastOfHop.depart);
      const player = new Player();
      player.seekHop(anim, q.hop);
      assert.equal(player.clock - anim.start, hold, "the quiz holds exactly where stepping to that hop does");
      player.seekHop(anim, q.hop - 1);
      assert.ok(player.clock - anim.start < gate, "the stop before the question is shown before the gate");
    }
  }
  assert.equal(holdTime({ stops: [] }, 2), null);
  assert.equal(gateTime({ stops: [] }, 2), 0);
});

test("the model's own objects are what the choices come from: scale the Service's pods, the choices follow", () => {
  const tr = trace("np-iptables");
  const facts = traceFacts(tr, model);
  assert.deepEqual(questionPlan(tr, facts).map((p) => p.kind), ["same", "rewrite"]);
  // Without the other endpoints (a one-pod Service), the DNAT question has no "another pod".
  const slices = objects.EndpointSlice.map((s) => {
    if (s.metadata.labels["kubernetes.io/service-name"] !== "kubia-nodeport") return s;
    return { ...s, endpoints: s.endpoints.filter((e) => e.addresses[0] === tr.endpoint.ip) };
  });
  const one = applySnapshot(emptyModel(), { ...fx.snapshot, objects: { ...objects, EndpointSlice: slices } });
  const [, dnat] = buildQuiz(tr, one).questions;
  assert.equal(dnat.choices.filter((c) => c.role === "pod").length, 1);
  assert.ok(dnat.choices.length >= MIN_CHOICES);
});

test("the reveal speaks the page's language: the trace's own Korean for its reason and sentence", () => {
  const [, end] = quizOf("local-drop").questions;
  const tr = trace("local-drop");
  assert.ok(tr.i18n && tr.i18n.ko && tr.i18n.ko.reason, "the core sends its sentences in Korean too");
  setLanguage("ko");
  const r = revealText(end, end.answer);
  assert.equal(r.verdict, "정답: 패킷은 여기서 버려집니다.");
  assert.ok(r.why.startsWith("KUBE-EXTERNAL-SERVICES 규칙이 패킷을 버립니다. "), r.why);
  assert.ok(r.why.endsWith(tr.i18n.ko.reason), r.why);
  assert.equal(hopSentence(end), tr.hops[end.hop].i18n.ko.text);
  setLanguage("en");
  assert.ok(revealText(end, end.answer).why.endsWith(tr.reason));
  assert.equal(hopSentence(end), tr.hops[end.hop].text);
  // A trace without translations (an older one) reads in English in either language.
  const older = structuredClone(tr);
  delete older.i18n;
  for (const h of older.hops) delete h.i18n;
  const [, plain] = buildQuiz(older, model).questions;
  setLanguage("ko");
  assert.equal(hopSentence(plain), tr.hops[plain.hop].text);
  assert.ok(revealText(plain, plain.answer).why.endsWith(tr.reason));
  setLanguage("en");
});
