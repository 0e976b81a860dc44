// Predict, then reveal: before a hop is shown, the learner
// picks where the packet goes next from 3-4 addresses of their own sandbox; then the answer is
// revealed with the rule that decided it. Pure: a trace + the model (state.js) -> questions,
// answers -> score. No DOM; tested with `node --test` (tests/js/test_quiz.mjs).
//
// Which hops are asked (the ones that teach):
// - every hop that changes the destination: the load balancer's forward to nodeIP:nodePort (`lb`)
//   and kube-proxy's DNAT to podIP:targetPort (`rewrite`);
// - the first hop where kube-proxy's rules match on a node and nothing is rewritten yet (`same`),
//   unless the packet is addressed to the clusterIP already: the book draws a clusterIP hop there;
// - a hop that ends the request: REJECT (connection refused) or DROP (the client times out) (`outcome`).
// Plain forwards, routing, SNAT and delivery are shown without a question.

import { t } from "./i18n.js";
import { hopPlace, localized } from "./tracefmt.js";
import { joinAddr, modelPods, serviceEndpoints, splitAddr, traceFacts } from "./bookview.js";

export const MAX_CHOICES = 4;
export const MIN_CHOICES = 3;
export const KINDS = ["lb", "rewrite", "same", "outcome"];
export const ROLES = ["clusterIP", "nodePort", "node", "pod", "podPort", "lb", "other", "refused", "dropped"];
const ENDINGS = { reject: "refused", drop: "dropped" };
const OUTCOME = "outcome:";

// --- Seeded shuffle: the same trace and hop always give the same order ---------------------------

/** FNV-1a, 32 bits. */
export function hashString(s) {
  let h = 0x811c9dc5;
  for (const ch of String(s)) {
    h ^= ch.codePointAt(0);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/** mulberry32: a small PRNG with a 32-bit state, numbers in [0, 1). */
export function seededRandom(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let x = a;
    x = Math.imul(x ^ (x >>> 15), x | 1);
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

/** Fisher-Yates with a PRNG seeded by `key`; returns a new array. */
export function seededShuffle(items, key) {
  const out = items.slice();
  const rand = seededRandom(hashString(key));
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

export function shuffleKey(traceId, hop) {
  return `${traceId}#${hop}`;
}

// --- Which hops ---------------------------------------------------------------------------------

function dst(p) {
  return (p || {}).dst || "";
}

function dstChanged(hop) {
  return (hop.changed || []).includes("dst") || dst(hop.before) !== dst(hop.after || hop.before);
}

/** [{hop, kind}] in hop order (see the top of this file). */
export function questionPlan(trace, facts) {
  const hops = (trace && trace.hops) || [];
  const plan = [];
  let ruleHopSeen = false;
  const laterChange = (i) => hops.slice(i + 1).some((h) => dstChanged(h) || h.action in ENDINGS);
  hops.forEach((hop, i) => {
    if (i === 0) return; // the client sends where the learner asked it to
    const at = hop.at || {};
    if (hop.action in ENDINGS) {
      plan.push({ hop: i, kind: "outcome" });
      return;
    }
    if (dstChanged(hop)) {
      plan.push({ hop: i, kind: at.kind === "loadbalancer" ? "lb" : "rewrite" });
      ruleHopSeen = ruleHopSeen || at.kind === "node";
      return;
    }
    if (!ruleHopSeen && at.kind === "node" && (hop.rules || []).length) {
      ruleHopSeen = true;
      if (!laterChange(i) || (facts.clusterIP && dst(hop.before) === facts.clusterIP)) return;
      plan.push({ hop: i, kind: "same" });
    }
  });
  return plan;
}

// --- What an address is, in this sandbox ------------------------------------------------------------

function targetPortOf(facts) {
  if (facts.endpoint) return facts.endpoint.port;
  const tp = facts.port ? Number(facts.port.targetPort) : NaN;
  return Number.isFinite(tp) ? tp : null;
}

/** {role, name}: clusterIP, lb, nodePort (or node), pod / podPort, other; outcomes by name. */
export function classify(value, facts, pods) {
  if (String(value).startsWith(OUTCOME)) return { role: value.slice(OUTCOME.length), name: "" };
  const { ip, port } = splitAddr(value);
  const svc = facts.service;
  if (svc && ip === svc.clusterIP) return { role: "clusterIP", name: svc.name };
  if ((svc && svc.lbIPs.includes(ip)) || (facts.lb && splitAddr(facts.lb.addr).ip === ip)) return { role: "lb", name: svc ? svc.name : "" };
  const node = facts.nodes.find((n) => n.internalIP === ip || n.externalIP === ip);
  if (node) {
    const isNodePort = svc ? svc.ports.some((p) => p.nodePort === port) : false;
    return { role: isNodePort ? "nodePort" : "node", name: node.name };
  }
  const pod = pods.find((p) => p.ip === ip);
  if (pod) {
    const svcPort = facts.port ? facts.port.port : null;
    const role = port !== targetPortOf(facts) && port === svcPort ? "podPort" : "pod";
    return { role, name: pod.name };
  }
  return { role: "other", name: "" };
}

// --- Questions ----------------------------------------------------------------------------------

function nodeByName(facts, name) {
  return facts.nodes.find((n) => n.name === name) || null;
}

/** The earlier hop that picked the endpoint (KUBE-SVC-…, IPVS scheduling), if any. */
function chooserBefore(hops, i) {
  for (let k = i - 1; k >= 0; k--) {
    const h = hops[k];
    if ((h.candidates || []).length && h.chosen !== null && h.chosen !== undefined) return k;
  }
  return -1;
}

/**
 * One question for hop `i` of `kind`, or null when the sandbox offers too few plausible wrong
 * answers. Choices: [{value, role, name, unchanged, answer}] in a seeded order; `answer` = index.
 */
export function buildQuestion(trace, i, kind, facts, model, pods = modelPods(model)) {
  const hops = trace.hops || [];
  const hop = hops[i];
  if (!hop) return null;
  const at = hop.at || {};
  const before = dst(hop.before);
  const after = dst(hop.after || hop.before);
  const answer = kind === "outcome" ? OUTCOME + ENDINGS[hop.action] : kind === "same" ? before : after;
  // A hop that itself picks at random (the load balancer's node, an endpoint in the DNAT hop) has
  // no fair "another node" / "another pod": the learner could not know which one it would be.
  const randomHere = typeof hop.probability === "number" && hop.probability < 1;
  const svc = facts.service;
  const target = targetPortOf(facts);
  const endpoints = serviceEndpoints(model, svc);
  const ep = facts.endpoint;

  const clientIP = facts.client.ip;
  const podAt = (ip) => (ip && target !== null ? joinAddr(ip, target) : null);
  let chosenPod = ep ? ep.addr : podAt((endpoints[0] || {}).ip);
  if (!chosenPod) {
    // No endpoints (a selector that matches nothing): the pods the learner expected to be chosen.
    const ns = svc ? svc.namespace : "";
    const port = target !== null ? target : null;
    const cands = pods.filter((p) => p.ip && p.ip !== clientIP && (!ns || p.namespace === ns));
    const withPort = cands.find((p) => (port !== null ? p.ports.some((cp) => cp.containerPort === port) : p.ports.length));
    if (withPort) chosenPod = joinAddr(withPort.ip, port !== null ? port : withPort.ports[0].containerPort);
  }
  const otherEp = ep ? endpoints.find((e) => e.ip !== ep.ip) : null;
  const otherPod = otherEp ? podAt(otherEp.ip) : null;
  const podPort = ep && facts.port && facts.port.port !== ep.port ? joinAddr(ep.ip, facts.port.port) : null;
  const nodePortNum = facts.port ? facts.port.nodePort : null;
  let otherNode = null;
  if (nodePortNum) {
    const here = at.kind === "node" ? at.name : "";
    const skip = new Set([here, classify(answer, facts, pods).name]);
    const epNode = ep && ep.node ? nodeByName(facts, ep.node) : null;
    const node = (epNode && !skip.has(epNode.name) ? epNode : null) || facts.nodes.find((n) => !skip.has(n.name) && n.internalIP) || null;
    // The same kind of node address the packet carries: ExternalIP from outside, else InternalIP.
    const external = facts.nodes.some((n) => n.externalIP && n.externalIP === splitAddr(before).ip);
    const ip = node ? (external && node.externalIP) || node.internalIP : "";
    if (ip) otherNode = joinAddr(ip, nodePortNum);
  }
  const clusterIP = facts.clusterIP;

  let pool;
  switch (kind) {
    case "lb":
      pool = [clusterIP, chosenPod, before, podPort];
      break;
    case "same":
      pool = [clusterIP, chosenPod, randomHere ? null : otherNode, podPort];
      break;
    case "outcome": {
      const other = OUTCOME + (ENDINGS[hop.action] === "refused" ? "dropped" : "refused");
      pool = [other, chosenPod, clusterIP !== before ? clusterIP : null, otherPod];
      break;
    }
    default:
      pool = [clusterIP, randomHere ? null : otherPod, podPort, before, randomHere ? null : otherNode];
  }
  const values = [answer];
  for (const v of pool) {
    if (values.length >= MAX_CHOICES) break;
    if (v && !values.includes(v)) values.push(v);
  }
  if (values.length < MIN_CHOICES) return null;

  const traceId = String(trace.id ?? "");
  const choices = seededShuffle(values, shuffleKey(traceId, i)).map((value) => ({
    value,
    ...classify(value, facts, pods),
    unchanged: kind !== "outcome" && value === before,
    answer: value === answer,
  }));
  const rules = hop.rules || [];
  return {
    traceId,
    hop: i,
    hops: hops.length,
    kind,
    at,
    before,
    after,
    answerValue: answer,
    choices,
    answer: choices.findIndex((c) => c.answer),
    rule: rules.length ? rules[rules.length - 1] : "",
    chain: rules.slice(),
    ruleText: hop.rule_text || "",
    text: hop.text || "",
    textI18n: hop.i18n || null, // the trace's own translations of its sentences (tracefmt.localized)
    action: hop.action || "",
    reason: trace.reason || "",
    reasonI18n: trace.i18n || null,
    clusterIP,
    chooser: chooserBefore(hops, i),
    targetPort: target,
    servicePort: facts.port ? facts.port.port : null,
    probability: typeof hop.probability === "number" ? hop.probability : null,
  };
}

/** All the questions of one trace: {traceId, questions, facts}. */
export function buildQuiz(trace, model) {
  const facts = traceFacts(trace, model);
  const pods = modelPods(model);
  const questions = [];
  for (const { hop, kind } of questionPlan(trace, facts)) {
    const q = buildQuestion(trace, hop, kind, facts, model, pods);
    if (q) questions.push(q);
  }
  return { traceId: String((trace && trace.id) ?? ""), questions, facts };
}

// --- Rounds and score ---------------------------------------------------------------------------

export function createRound(quiz) {
  return { traceId: quiz.traceId, questions: quiz.questions, answers: quiz.questions.map(() => null), skipped: quiz.questions.map(() => false) };
}

/** Questions about hops the packet has already passed are not asked (nor counted). */
export function skipThrough(round, hop) {
  round.questions.forEach((q, k) => {
    if (q.hop <= hop && !round.answers[k]) round.skipped[k] = true;
  });
  return round;
}

/** Index of the next question to ask, or -1. */
export function nextQuestion(round) {
  return round.questions.findIndex((q, k) => !round.answers[k] && !round.skipped[k]);
}

/** Record the learner's choice (once: a question is answered only the first time). */
export function answerQuestion(round, k, choice) {
  const q = round.questions[k];
  if (!q || round.skipped[k]) return null;
  if (!round.answers[k]) round.answers[k] = { choice, correct: choice === q.answer };
  const a = round.answers[k];
  return { traceId: round.traceId, hop: q.hop, correct: a.correct, choice: a.choice, answer: q.answer, kind: q.kind, question: q };
}

/** {right, answered, total}: total counts the questions not skipped. */
export function roundScore(round) {
  let right = 0;
  let answered = 0;
  round.answers.forEach((a) => {
    if (!a) return;
    answered += 1;
    if (a.correct) right += 1;
  });
  return { right, answered, total: round.skipped.filter((s) => !s).length };
}

export function addToScore(score, correct) {
  return { right: score.right + (correct ? 1 : 0), total: score.total + 1 };
}

// --- Playback: where to stop ------------------------------------------------------------------------

/** Local time at which the packet leaves for hop `hop` (the departure of the last earlier stop). */
export function gateTime(anim, hop) {
  let last = null;
  for (const s of anim.stops) if (s.hop < hop) last = s;
  return last ? last.depart : 0;
}

/** Local time at which hop `hop` is shown (its last stop, where Player.seekHop puts it), or null. */
export function holdTime(anim, hop) {
  let last = null;
  for (const s of anim.stops) if (s.hop === hop) last = s;
  return last ? last.arrive + Math.min(250, last.dwell / 2) : null;
}

// --- Words --------------------------------------------------------------------------------------

function isOutcome(choice) {
  return choice.role === "refused" || choice.role === "dropped";
}

/** The big text of a choice: the address, or "Nowhere: refused". */
export function valueText(choice) {
  if (isOutcome(choice)) return t(`quiz.outcome.${choice.role}`);
  return choice.value;
}

/** The small line under an address: what it is in this sandbox. */
export function choiceLabel(choice) {
  if (isOutcome(choice)) return t(`quiz.outcomeWhy.${choice.role}`);
  const role = t(`quiz.role.${choice.role}`, { name: choice.name || "" });
  return choice.unchanged ? t("quiz.unchanged", { role }) : role;
}

export function questionText(q) {
  return {
    progress: t("quiz.progress", { hop: q.hop + 1, hops: q.hops }),
    prompt: t(q.kind === "outcome" ? "quiz.prompt.outcome" : "quiz.prompt.where", { place: hopPlace({ at: q.at }), dst: q.before }),
  };
}

/** The hop's own sentence, in the page's language when the trace carries it. */
export function hopSentence(q) {
  return localized({ text: q.text, i18n: q.textI18n }, "text");
}

function reasonOf(q) {
  return localized({ reason: q.reason, i18n: q.reasonI18n }, "reason");
}

/** {verdict, why, hint}: the answer, against the pick, and the rule that decided it. */
export function revealText(q, picked) {
  const right = q.choices[q.answer];
  const mine = q.choices[picked];
  const correct = picked === q.answer;
  let verdict;
  const ending = (c) => t(`quiz.endNoun.${c.role}`);
  if (isOutcome(right)) {
    const answer = t(`quiz.end.${right.role}`);
    if (correct) verdict = t("quiz.rightEnd", { answer });
    else if (mine && isOutcome(mine)) verdict = t("quiz.wrongEndOther", { answer, picked: ending(mine) });
    else verdict = t("quiz.wrongEnd", { answer, picked: mine ? mine.value : "?" });
  } else if (correct) verdict = t("quiz.right", { answer: right.value });
  else if (mine && isOutcome(mine)) verdict = t("quiz.wrongNotEnd", { answer: right.value, picked: ending(mine) });
  else verdict = t("quiz.wrong", { answer: right.value, picked: mine ? mine.value : "?" });
  let why;
  const rule = q.rule;
  switch (q.kind) {
    case "lb":
      why = t("quiz.why.lb", { to: q.after, node: right.name || "" });
      break;
    case "same":
      why = t("quiz.why.same", { rule: rule || q.action, to: q.after });
      break;
    case "outcome":
      if (right.role === "refused") why = rule ? t("quiz.why.reject", { rule, reason: reasonOf(q) }) : t("quiz.why.rejectNoRule", { reason: reasonOf(q) });
      else why = t("quiz.why.drop", { rule: rule || q.action, reason: reasonOf(q) });
      break;
    default:
      why = q.action === "DNAT" ? t("quiz.why.dnat", { rule: rule || "DNAT", from: q.before, to: q.after }) : t("quiz.why.rewrite", { rule: rule || q.action, from: q.before, to: q.after });
  }
  let hint = "";
  if (!correct && mine) {
    if (mine.role === "clusterIP") hint = t("quiz.hint.clusterIP", { clusterIP: mine.value });
    else if (mine.role === "podPort") hint = t("quiz.hint.podPort", { target: q.targetPort ?? "", port: q.servicePort ?? "" });
    else if (mine.role === "nodePort" && !mine.unchanged && q.kind !== "lb") hint = t("quiz.hint.otherNode", { node: mine.name });
    else if (mine.role === "pod" && q.kind !== "outcome" && q.kind !== "rewrite") hint = t("quiz.hint.podEarly");
    else if (mine.role === "pod" && q.kind === "rewrite" && q.chooser >= 0) hint = t("quiz.hint.otherPod", { n: q.chooser + 1, to: q.after });
    else if (mine.role === "pod" && q.kind === "outcome") hint = t("quiz.hint.noPod");
  }
  return { correct, verdict, why, hint };
}

/** One line for screen readers: where we are, the question and the numbered choices. */
export function liveQuestion(q) {
  const { progress, prompt } = questionText(q);
  const choices = q.choices.map((c, k) => `${k + 1}: ${valueText(c)}, ${choiceLabel(c)}`).join("; ");
  return t("quiz.live.question", { progress, prompt, choices });
}
