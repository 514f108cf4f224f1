"""An independent reading of a trace's messages, to check ``message_chart`` against.

For each message: its copies are sent where its multiplicity grew (all of the initial state's at
state 1); a step receives the messages its ``received`` hook names (or, by default, its parameters
that are messages in the pre-state), unless it is one of the network's actions; a receipt is
drawn on the receiving step's lane."""

from __future__ import annotations

from collections import Counter
from typing import Any

from spec import Map


def counts(spec: Any, state: Any) -> Counter:
    v = getattr(state, spec.network.field)
    if isinstance(v, Map):
        return Counter({m: c for m, c in v.items() if c > 0})
    return Counter(set(v))


def moves(trace: list, lasso: Any = None) -> list:
    out = [(st.action, dict(st.params), st.state) for st in trace]
    if lasso is not None and lasso.action is not None:
        out.append((lasso.action, dict(lasso.params), trace[lasso.loop_to - 1].state))
    return out


def expected(spec: Any, trace: list, lasso: Any = None) -> tuple[Counter, Counter]:
    """(message, sending step) per copy; (message, receiving step) per receipt."""
    net = spec.network
    sent: Counter = Counter()
    got: Counter = Counter()
    prev = None
    for n, (action, params, state) in enumerate(moves(trace, lasso), 1):
        now = counts(spec, state)
        if prev is None:
            for m, c in now.items():
                sent[(m, n)] += c
        else:
            for m in now:
                if now[m] > prev[m]:
                    sent[(m, n)] += now[m] - prev[m]
            if action not in net.network_actions:
                hook = net.received(action, params, pre) if net.received is not None else None
                cands = list(params.values()) if hook is None else list(hook)
                seen = []
                for m in cands:
                    try:
                        ok = prev[m] > 0
                    except TypeError:
                        continue
                    if ok and m not in seen:
                        seen.append(m)
                for m in seen:
                    got[(m, n)] += 1
        prev, pre = now, state
    return sent, got


def check(spec: Any, trace: list, chart: Any, lasso: Any = None) -> None:
    """Assert the chart agrees with the oracle."""
    sent, got = expected(spec, trace, lasso)
    by_copy: dict[int, list] = {}
    for a in chart.arrows:
        by_copy.setdefault(a.copy, []).append(a)
    drawn_sent = Counter((arrows[0].message, arrows[0].sent) for arrows in by_copy.values())
    assert drawn_sent == sent, ("copies", drawn_sent - sent, sent - drawn_sent)
    drawn_got = Counter((a.message, a.end) for a in chart.arrows if a.kind == "received")
    assert drawn_got == got, ("receipts", drawn_got - got, got - drawn_got)
    steps = {s.n: s for s in chart.steps}
    ms = moves(trace, lasso)
    for a in chart.arrows:
        assert a.end is None or a.end > a.sent, a
        if a.kind == "received":
            # drawn on the lane of the step that took it
            assert steps[a.end].lane is None or a.dest == steps[a.end].lane, a
        src = spec.network.source_of(a.message)
        if src is not None:
            assert a.source is not None and chart.lanes[a.source].key == src, (a, src)
        if a.kind == "lost":
            before = counts(spec, ms[a.end - 2][2])
            after = counts(spec, ms[a.end - 1][2])
            assert after[a.message] < before[a.message], a
        if a.kind == "in-flight":
            assert counts(spec, ms[-1][2])[a.message] > 0, a
