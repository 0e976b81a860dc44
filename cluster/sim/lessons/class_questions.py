"""Predict-the-next-hop questions built from one trace: where is the packet after the next hop?

Pure: a trace (as the trace walk records it) and a hop index in, a question out. The right choice
is the next hop's place and the packet's destination after it; the wrong ones are places and
addresses of the same trace (the other endpoints kube-proxy could have picked, the address before
a rewrite, places further along or behind). Choices are Kubernetes places and addresses, which
read the same in every language; the question's sentence is the page's to say.
"""

from __future__ import annotations

import random
from typing import Any

Obj = dict[str, Any]

MAX_CHOICES = 4
TERMINAL = {"reject": "REJECT", "drop": "DROP"}


class QuestionError(ValueError):
    """No question can be asked at this hop (the last one, or a trace with too little to choose from)."""


def _place(at: Obj) -> str:
    kind, name = str(at.get("kind") or ""), str(at.get("name") or "")
    return f"{kind} {name}".strip() if name else kind


def hop_label(hop: Obj) -> str:
    """`node node-3 → 10.244.1.2:8080`, or `node node-2: REJECT` for a hop that ends the request."""
    place = _place(hop.get("at") or {})
    action = str(hop.get("action") or "")
    if action in TERMINAL:
        return f"{place}: {TERMINAL[action]}"
    after = (hop.get("after") or {}).get("dst") or (hop.get("before") or {}).get("dst") or "?"
    return f"{place} → {after}"


def _distractors(hops: list[Obj], nxt: int) -> list[str]:
    """Plausible wrong answers, most tempting first."""
    hop = hops[nxt]
    place = _place(hop.get("at") or {})
    before = (hop.get("before") or {}).get("dst")
    out: list[str] = []
    if before:
        out.append(f"{place} → {before}")  # as if nothing were rewritten here
    for h in hops:
        for c in h.get("candidates") or []:
            if c.get("ip") and c.get("port") is not None:
                out.append(f"{place} → {c['ip']}:{c['port']}")  # another endpoint kube-proxy could pick
                if c.get("pod"):
                    out.append(f"pod {c.get('namespace', 'default')}/{c['pod']} → {c['ip']}:{c['port']}")
    out += [hop_label(h) for i, h in enumerate(hops) if i != nxt]
    if str(hop.get("action") or "") not in TERMINAL:
        out.append(f"{place}: REJECT")
    return out


def next_hop_question(trace: Obj, hop: int) -> Obj:
    """{"kind": "next_hop", "hop", "choices", "answer"}: the same trace and hop always give the
    same question (the choices' order is shuffled with the trace id and hop as the seed)."""
    hops = trace.get("hops") or []
    if not 0 <= hop < len(hops) - 1:
        raise QuestionError(f"hop {hop} has no next hop: the trace has {len(hops)} hops (0 to {len(hops) - 1})")
    right = hop_label(hops[hop + 1])
    wrong: list[str] = []
    for label in _distractors(hops, hop + 1):
        if label != right and label not in wrong:
            wrong.append(label)
    if not wrong:
        raise QuestionError("this hop has nothing plausible to choose from")
    rng = random.Random(f"{trace.get('id')}:{hop}")
    tempting, rest = wrong[:2], wrong[2:]
    rng.shuffle(rest)
    choices = [right, *(tempting + rest)[: MAX_CHOICES - 1]]
    rng.shuffle(choices)
    return {"kind": "next_hop", "hop": hop, "choices": choices, "answer": choices.index(right)}
