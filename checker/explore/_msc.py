"""A trace as a message-sequence chart: one lane per node, time going down, a message an arrow
from the step that sent it to the step that received it, each step's changed fields beside it.

Two functions, usable by any page (``explore --html`` embeds the chart; a ``distcheck serve``
page can embed the same one):

* :func:`message_chart` ``(spec, trace, lasso=None) -> Chart | None`` reads the trace against
  the spec's :class:`spec.Network` declaration (None when the spec declares none) and says what
  happened to every copy of every message: the arrows of its receipts, lost, or in flight at the
  end.  It only reads states: no spec code runs but the declaration's own functions.
* :func:`chart_svg` ``(chart) -> str`` draws it as one ``<svg>`` element to put inline in an
  HTML page (no ``xmlns``: HTML gives it its namespace, and the page holds no URL at all): no
  script, no style sheet, no external reference, every text escaped.  Its elements carry
  ``data-`` attributes (an arrow's lanes and steps) for the pages' scripts and tests.

How a trace is read (what the declaration leaves to inference) is explained in
``spec._network``.  Copies of a message in a bag are not told apart by the states, so a receipt
or a drop takes the oldest copy in flight -- first in, first out; the chart is then one faithful
reading of the trace, not the only one.  A liveness lasso's closing step (from the last state
back to ``loop_to``) is drawn as one more step, marked, with a bracket back to the state the
behaviour returns to.
"""

from __future__ import annotations

import html
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

import attrs

from checker._sources import spec_source
from checker.report import Step, changed, describe_step, fields_of, shorten, tla_text
from spec import BROADCAST, Ids, Map, Network, SpecError

__all__ = ["Arrow", "Chart", "ChartStep", "Lane", "chart_svg", "message_chart"]


@attrs.frozen
class Lane:
    """One lane: a node id (or another lane a hook or a message named) and its label."""

    key: Any
    label: str


@attrs.frozen
class ChartStep:
    """State ``n`` of the trace (1-based) and the step that reached it: ``lane`` is the index
    of the lane that took it (None: the network's, or the initial state); ``closing`` marks a
    lasso's step back to ``loop_to`` (then ``n`` is one past the last state)."""

    n: int
    text: str
    lane: int | None
    #: the fields the step changed: (name, what is shown, the whole value); the network field
    #: is shown as the messages added and removed
    changes: tuple[tuple[str, str, str], ...]
    closing: bool = False


@attrs.frozen
class Arrow:
    """What happened to one copy of a message, or one receipt of it.

    ``kind`` is ``"received"`` (from step ``sent`` on lane ``source`` to step ``end`` on lane
    ``dest``), ``"lost"`` (removed at step ``end`` without being received there; ``dest`` its
    destination lane where it has one) or ``"in-flight"`` (never received, still in the network
    at the end: ``end`` is None).  ``copy`` numbers the copies: the arrows of one copy share it.
    """

    kind: str
    message: Any
    text: str
    copy: int
    sent: int
    source: int | None
    end: int | None
    dest: int | None
    duplicate: bool = False


@attrs.frozen
class Chart:
    lanes: tuple[Lane, ...]
    steps: tuple[ChartStep, ...]
    arrows: tuple[Arrow, ...]
    #: a lasso's: the state the behaviour goes back to (1-based), and how it does
    loop_to: int | None = None
    loop_text: str | None = None


@attrs.define(eq=False)  # copies of one message are told apart by identity
class _Copy:
    number: int
    message: Any
    sent: int
    source: Any
    dests: tuple[Any, ...]
    duplicate: bool
    receipts: list[tuple[int, Any]] = attrs.Factory(list)


def _counts(network: Any, where: str) -> dict[Any, int]:
    """A network field's multiplicities: a Map's counts, a set's members once, a sequence's
    members as often as they occur."""
    if isinstance(network, Map):
        return {m: c for m, c in network.items() if c > 0}
    if isinstance(network, (frozenset, set)):
        return dict.fromkeys(network, 1)
    if isinstance(network, (tuple, list)):
        return dict(Counter(network))
    raise SpecError(f"{where}: the network field holds {type(network).__name__}, not a frozenset of messages "
                    "or a Map from message to count")


class _Reader:
    """The declaration bound to a spec instance."""

    def __init__(self, spec: Any, net: Network) -> None:
        self.net = net
        nodes = net.nodes if net.nodes is not None else (tuple(spec.symmetry)[:1] or (None,))[0]
        if isinstance(nodes, str):
            if not hasattr(spec, nodes):
                raise SpecError(f"{net.where}: Network(nodes={nodes!r}) is not an attribute of {type(spec).__name__}")
            nodes = getattr(spec, nodes)
        if nodes is not None and not isinstance(nodes, Ids):
            raise SpecError(f"{net.where}: Network(nodes=...) must be an Ids domain, not {nodes!r}")
        self.nodes: Ids | None = nodes
        # the parameters whose declared domain is the nodes, by action
        self.node_params: dict[str, list[str]] = {}
        for _, decl in type(spec)._ordered("__dc_action__"):
            self.node_params[decl.name] = [p for p, d in decl.domains.items() if self._is_nodes(spec, d)]

    def _is_nodes(self, spec: Any, domain: Any) -> bool:
        if self.nodes is None:
            return False
        return domain is self.nodes or (isinstance(domain, str) and getattr(spec, domain, None) is self.nodes)

    def counts(self, state: Any) -> dict[Any, int]:
        if not hasattr(state, self.net.field):
            raise SpecError(f"{self.net.where}: Network({self.net.field!r}): the state "
                            f"({type(state).__name__}) has no field {self.net.field!r}")
        return _counts(getattr(state, self.net.field), self.net.where)

    def dests(self, message: Any) -> tuple[Any, ...]:
        d = self.net.dest_of(message)
        if d is None:
            return ()
        many = (tuple(d) if not isinstance(d, (set, frozenset)) else tuple(sorted(d, key=repr))) \
            if isinstance(d, (tuple, list, set, frozenset)) else (d,)
        out: list[Any] = []
        for lane in many:
            if lane is BROADCAST:
                out += [n for n in (self.nodes or ()) if n not in out]
            elif lane is not None and lane not in out:
                out.append(self.lane_key(lane, f"the destination of {tla_text(message)}"))
        return tuple(out)

    def lane_key(self, lane: Any, what: str) -> Any:
        """``lane`` as a lane: a hashable value that names one (an id, a str); a generator, a
        function or a collection names none, and would draw a lane per call."""
        if isinstance(lane, (Iterator, list, set, dict)) or callable(lane):
            raise SpecError(f"{self.net.where}: {what} is {lane!r}, not a lane (a node id or a name; several "
                            "destinations as a tuple, every node as BROADCAST)")
        hash(lane)
        return lane

    def lane(self, action: str, params: dict[str, Any], s: Any, received: Sequence[Any]) -> Any:
        if self.net.lane is not None:
            lane = self.net.lane(action, params, s)
            if lane is not None:
                return self.lane_key(lane, f"Network(lane=...)'s answer for {action}")
        for p in self.node_params.get(action, ()):
            if p in params:
                return params[p]
        if received:
            d = self.dests(received[0])
            if len(d) == 1:
                return d[0]
        return None

    def received(self, action: str, params: dict[str, Any], s: Any, before: dict[Any, int]) -> list[Any]:
        """The messages the step receives, a message once per copy it takes (``Pair(a, b)``
        with ``a == b`` takes two copies of a bag), never more copies than were in flight."""
        if action in self.net.network_actions:
            return []
        got = self.net.received(action, params, s) if self.net.received is not None else None
        if got is not None:
            if isinstance(got, (str, bytes, Mapping)) or not isinstance(got, Iterable):
                raise SpecError(f"{self.net.where}: Network(received=...) returned {got!r} for {action}: give a "
                                "tuple of the messages the step receives, or None")
            got = list(got)
            for m in got:
                if before.get(m, 0) <= 0:
                    raise SpecError(f"{self.net.where}: Network(received=...) says {describe_step(action, params)} "
                                    f"receives {tla_text(m)}, which is not in the network before it")
        # the default: the parameters that are messages in flight -- not those declared over the
        # nodes, which name who takes the step (an int message equal to a node id is no receipt)
        lanes = set(self.node_params.get(action, ()))
        candidates = got if got is not None else [v for k, v in params.items() if k not in lanes]
        out: list[Any] = []
        for m in candidates:
            try:
                in_flight = before.get(m, 0)
            except TypeError:  # an unhashable parameter is no message
                continue
            if out.count(m) < in_flight:
                out.append(m)
        return out


def message_chart(spec: Any, trace: Sequence[Step], lasso: Any = None,
                  first_label: str | None = None) -> Chart | None:
    """The chart of ``trace`` (a list of :class:`checker.report.Step`), or None when ``spec``
    declares no ``network``.  ``lasso`` (an ``ExploreResult.lasso``: ``loop_to``, ``action``,
    ``params``) adds the closing step of a liveness counterexample; ``first_label`` names a
    first state that is not an initial one (its messages are drawn as there already).  A declaration that does not
    fit the states is a :class:`SpecError` naming where it was written."""
    net = getattr(spec, "network", None)
    if net is None or not trace:
        return None
    if not isinstance(net, Network):
        raise SpecError(f"{spec_source(spec)}: {type(spec).__name__}.network must be a spec.Network(...), "
                        f"not {net!r}")
    try:
        return _chart(spec, net, trace, lasso, first_label)
    except SpecError:
        raise
    except Exception as e:  # noqa: BLE001 -- the declaration's functions are spec code
        raise SpecError(f"{net.where}: the network declaration cannot read this trace: "
                        f"{type(e).__name__}: {e}") from None


def _chart(spec: Any, net: Network, trace: Sequence[Step], lasso: Any, first_label: str | None) -> Chart:
    reader = _Reader(spec, net)
    moves: list[tuple[str | None, dict[str, Any], Any, bool]] = [
        (st.action, dict(st.params), st.state, False) for st in trace]
    if lasso is not None and lasso.action is not None and 1 <= lasso.loop_to <= len(trace):
        moves.append((lasso.action, dict(lasso.params), trace[lasso.loop_to - 1].state, True))

    copies: list[_Copy] = []
    outstanding: dict[Any, list[_Copy]] = {}
    lost: list[tuple[_Copy, int]] = []
    steps: list[tuple[int, str, Any, tuple[tuple[str, str, str], ...], bool]] = []
    previous_fields: dict[str, Any] | None = None
    previous_state: Any = None
    before: dict[Any, int] = {}

    def send(m: Any, n: int, lane: Any, duplicate: bool) -> None:
        src = net.source_of(m)
        if src is not None:
            src = reader.lane_key(src, f"the source of {tla_text(m)}")
        c = _Copy(len(copies), m, n, lane if src is None else src, reader.dests(m), duplicate)
        copies.append(c)
        outstanding.setdefault(m, []).append(c)

    for n, (action, params, state, closing) in enumerate(moves, 1):
        fields = dict(fields_of(state))
        after = reader.counts(state)
        changes = tuple((k, _network_change(before, after) if k == net.field and previous_fields is not None
                         else tla_text(fields[k]), tla_text(fields[k])) for k in changed(previous_fields, fields))
        if action is None or previous_state is None:  # an initial state: its messages are sent in it
            steps.append((n, first_label or describe_step(action, params), None, changes, closing))
            for m, c in after.items():
                for _ in range(c):
                    send(m, n, None, False)
        else:
            received = reader.received(action, params, previous_state, before)
            lane = reader.lane(action, params, previous_state, received)
            steps.append((n, describe_step(action, params), lane, changes, closing))
            took: list[_Copy] = []
            for m in received:  # the oldest copy in flight this step has not taken yet
                c = next((c for c in outstanding[m] if c not in took), outstanding[m][0])
                c.receipts.append((n, lane if lane is not None else (c.dests[0] if len(c.dests) == 1 else None)))
                took.append(c)
            for m in list(before) + [m for m in after if m not in before]:
                delta = after.get(m, 0) - before.get(m, 0)
                if delta < 0:
                    queue = outstanding[m]
                    # a copy received here is the one consumed; else the oldest goes, lost
                    order = [c for c in queue if c in took] + [c for c in queue if c not in took]
                    for c in order[:-delta]:
                        queue.remove(c)
                        if not c.receipts:  # lost: it left without ever being received
                            lost.append((c, n))
                    if not queue:
                        del outstanding[m]
                elif delta > 0:
                    for _ in range(delta):
                        send(m, n, lane, before.get(m, 0) > 0)
        previous_fields, previous_state, before = fields, state, after

    # the lanes: the extra ones first (declared, then as met), then the nodes
    node_keys = list(reader.nodes) if reader.nodes is not None else []
    extra: list[Any] = []
    for k in net.lanes:
        if k not in node_keys and k not in extra:
            extra.append(k)

    def meet(key: Any) -> None:
        if key is not None and key not in node_keys and key not in extra:
            extra.append(key)

    for _, _, lane, _, _ in steps:
        meet(lane)
    for c in copies:
        meet(c.source)
        for d in c.dests:
            meet(d)
        for _, lane in c.receipts:
            meet(lane)
    # Lanes are told apart by equality, as the states and parameters that name them are compared
    # (an IntEnum member equal to node 0 is node 0's lane).
    keys = extra + node_keys
    index = {k: i for i, k in reversed(list(enumerate(keys)))}
    lanes = tuple(Lane(k, _lane_label(k, reader.nodes, k in node_keys)) for k in keys)

    def at(key: Any) -> int | None:
        return None if key is None else index[key]

    arrows: list[Arrow] = []
    lost_at = {c.number: n for c, n in lost}
    for c in copies:
        text = tla_text(c.message)
        one_dest = at(c.dests[0]) if len(c.dests) == 1 else None
        for n, lane in c.receipts:
            arrows.append(Arrow("received", c.message, text, c.number, c.sent, at(c.source), n, at(lane), c.duplicate))
        if c.number in lost_at:
            arrows.append(Arrow("lost", c.message, text, c.number, c.sent, at(c.source), lost_at[c.number],
                                one_dest, c.duplicate))
        elif not c.receipts:
            arrows.append(Arrow("in-flight", c.message, text, c.number, c.sent, at(c.source), None, one_dest,
                                c.duplicate))
    chart_steps = tuple(ChartStep(n, text, at(lane), changes, closing) for n, text, lane, changes, closing in steps)
    loop_to = loop_text = None
    if lasso is not None:
        loop_to, loop_text = lasso.loop_to, lasso.render_text()
    return Chart(lanes, chart_steps, tuple(arrows), loop_to, loop_text)


def _network_change(before: dict[Any, int], after: dict[Any, int]) -> str:
    """What a step did to the network, as ``+m`` and ``-m`` (a count past one as ``+2 m``):
    the whole set is on hover, and it grows long."""
    parts = []
    for m in list(before) + [m for m in after if m not in before]:
        d = after.get(m, 0) - before.get(m, 0)
        if d:
            parts.append(("+" if d > 0 else "-") + (f"{abs(d)} " if abs(d) > 1 else "") + tla_text(m))
    return " ".join(parts) or "(same messages)"


def _lane_label(key: Any, nodes: Ids | None, is_node: bool) -> str:
    if is_node and nodes is not None:
        return f"{nodes.name} {key}"
    return key if isinstance(key, str) else tla_text(key)


# --- drawing ---------------------------------------------------------------------------------------

_LABEL_W = 230      # the steps' column
_LANE_W = 120       # one lane
_HEAD_H = 34        # the lanes' names
_LINE_H = 14        # one line of changes
_MAX_LINES = 5      # changes shown per step (all of them on hover)
_CHANGES_W = 520    # the changes' column
_LOOP_W = 46        # the lasso's bracket, between the lanes and the changes


def _esc(text: str) -> str:
    """``text`` as XML character data or attribute value: a lone surrogate as its Python
    escape, control characters (not allowed in XML) as ``\\xNN`` text, markup escaped."""
    text = text.encode("utf-8", "backslashreplace").decode("utf-8")
    text = "".join(c if c >= " " or c in "\t\n" else f"\\x{ord(c):02x}" for c in text)
    return html.escape(text, quote=True)


def chart_svg(chart: Chart, *, id_prefix: str = "msc") -> str:
    """The chart as one inline ``<svg>`` element (see the module docstring); ``id_prefix``
    keeps its ids apart from another chart's on the same page."""
    lanes, steps = chart.lanes, chart.steps
    lane_x = [_LABEL_W + _LANE_W * i + _LANE_W // 2 for i in range(len(lanes))]
    lanes_end = _LABEL_W + _LANE_W * max(len(lanes), 1)
    changes_x = lanes_end + _LOOP_W + 8
    row_y: dict[int, int] = {}
    row_h: dict[int, int] = {}
    y = _HEAD_H + 18
    for st in steps:
        h = 14 + _LINE_H * max(1, min(len(st.changes), _MAX_LINES + 1))
        row_y[st.n], row_h[st.n] = y + 10, h
        y += max(h, 34)
    bottom = y + 24
    width = changes_x + _CHANGES_W
    p = id_prefix
    out: list[str] = [
        f'<svg class="msc" id="{_esc(p)}" width="{width}" height="{bottom}" '
        f'viewBox="0 0 {width} {bottom}" font-family="ui-monospace, monospace" font-size="11">',
        "<defs>",
        f'<marker id="{_esc(p)}-head" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" '
        'orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#1565c0"/></marker>',
        f'<marker id="{_esc(p)}-open" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" '
        'orient="auto"><path d="M0,0 L10,5 L0,10" fill="none" stroke="#8d6e00" stroke-width="1.5"/></marker>',
        f'<marker id="{_esc(p)}-loop" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="8" markerHeight="8" '
        'orient="auto"><path d="M0,0 L10,5 L0,10 z" fill="#6a1b9a"/></marker>',
        "</defs>",
    ]
    # lanes: name and lifeline
    for i, lane in enumerate(lanes):
        x = lane_x[i]
        out.append(f'<g class="msc-lane" data-lane="{i}" data-x="{x}"><title>{_esc(lane.label)}</title>'
                   f'<text x="{x}" y="{_HEAD_H - 12}" text-anchor="middle" font-weight="bold" '
                   f'font-family="system-ui, sans-serif" font-size="12">{_esc(shorten(lane.label, 16))}</text>'
                   f'<line class="msc-lifeline" x1="{x}" y1="{_HEAD_H}" x2="{x}" y2="{bottom - 10}" '
                   'stroke="#bbb" stroke-dasharray="4 3"/></g>')
    # steps: number and action on the left, a dot on the lane, the changes on the right
    for st in steps:
        y = row_y[st.n]
        cls = "msc-step closing" if st.closing else "msc-step"
        if chart.loop_to == st.n:
            cls += " loop-to"
        label = ("↺ " if st.closing else f"{st.n}: ") + st.text
        fill = "#6a1b9a" if st.closing else "#222"
        out.append(f'<g class="{cls}" data-n="{st.n}" data-lane="{"" if st.lane is None else st.lane}">')
        if chart.loop_to == st.n:
            out.append(f'<rect x="2" y="{y - 11}" width="{_LABEL_W - 8}" height="16" fill="#e3f2fd"/>')
        out.append(f'<text x="6" y="{y}" fill="{fill}"><title>{_esc(label)}</title>{_esc(shorten(label, 32))}</text>')
        if st.lane is not None:
            out.append(f'<circle cx="{lane_x[st.lane]}" cy="{y - 4}" r="4" fill="{fill}"/>')
        shown = st.changes if len(st.changes) <= _MAX_LINES + 1 else st.changes[:_MAX_LINES]
        for j, (name, text, whole) in enumerate(shown):
            line = f"{name} = {text}" if text == whole else f"{name}: {text}"
            out.append(f'<text class="msc-change" x="{changes_x}" y="{y + j * _LINE_H}" data-field="{_esc(name)}">'
                       f'<title>{_esc(f"{name} = {whole}")}</title>{_esc(shorten(line, 80))}</text>')
        if len(shown) < len(st.changes):
            rest = "\n".join(f"{k} = {v}" for k, _, v in st.changes[len(shown):])
            out.append(f'<text class="msc-more" x="{changes_x}" y="{y + len(shown) * _LINE_H}" fill="#777">'
                       f'<title>{_esc(rest)}</title>… {len(st.changes) - len(shown)} more</text>')
        if not st.changes and st.n > 1:
            out.append(f'<text x="{changes_x}" y="{y}" fill="#999">(no change)</text>')
        out.append("</g>")
    # arrows
    for k, a in enumerate(chart.arrows):
        out.append(_arrow_svg(k, a, lane_x, row_y, bottom, p))
    # the lasso: a bracket from the closing step back up to the state it returns to
    if chart.loop_to is not None and chart.loop_to in row_y:
        last = steps[-1].n
        x0, x1 = lanes_end + 6, lanes_end + _LOOP_W - 10
        y_to, y_from = row_y[chart.loop_to] - 4, row_y[last] - 4
        if y_from == y_to:  # stuttering for ever: a loop on the last state
            path = f"M{x0},{y_from - 6} C{x1 + 8},{y_from - 14} {x1 + 8},{y_from + 14} {x0},{y_from + 6}"
        else:
            path = f"M{x0},{y_from} L{x1},{y_from} L{x1},{y_to} L{x0},{y_to}"
        out.append(f'<g class="msc-loop" data-from="{last}" data-to="{chart.loop_to}"><title>{_esc(chart.loop_text or "")}'
                   f'</title><path d="{path}" fill="none" stroke="#6a1b9a" stroke-width="2" '
                   f'marker-end="url(#{_esc(p)}-loop)"/>'
                   f'<text x="{x1 + 3}" y="{(y_from + y_to) // 2}" fill="#6a1b9a" font-size="10">loop</text></g>')
    out.append("</svg>")
    return "\n".join(out)


def _arrow_svg(k: int, a: Arrow, lane_x: list[int], row_y: dict[int, int], bottom: int, p: str) -> str:
    y0 = row_y[a.sent] - 4
    x0 = lane_x[a.source] if a.source is not None else _LABEL_W - 10
    label = {"received": "", "lost": " (lost)", "in-flight": " (in flight at the end)"}[a.kind]
    title = ("duplicate of " if a.duplicate else "") + a.text + label
    if a.kind == "in-flight":
        y1 = bottom - 14
        x1 = lane_x[a.dest] if a.dest is not None else x0 + 36
    else:
        y1 = row_y[a.end] - 4  # type: ignore[index]
        x1 = lane_x[a.dest] if a.dest is not None else x0 + 36
    if x0 == x1:  # to its own lane: a loop out to the right
        bend = 34
        d = f"M{x0},{y0} C{x0 + bend},{y0} {x1 + bend},{y1} {x1},{y1}"
        lx, ly = x0 + bend - 4, (y0 + y1) // 2
    else:
        d = f"M{x0},{y0} L{x1},{y1}"
        lx, ly = (x0 + x1) // 2, (y0 + y1) // 2 - 3
    style = {"received": f'stroke="#1565c0" marker-end="url(#{_esc(p)}-head)"',
             "lost": 'stroke="#c62828" stroke-dasharray="5 3"',
             "in-flight": f'stroke="#8d6e00" stroke-dasharray="2 3" marker-end="url(#{_esc(p)}-open)"'}[a.kind]
    parts = [f'<g class="msc-arrow {a.kind}" data-kind="{a.kind}" data-copy="{a.copy}" data-sent="{a.sent}" '
             f'data-end="{"" if a.end is None else a.end}" '
             f'data-from-lane="{"" if a.source is None else a.source}" '
             f'data-to-lane="{"" if a.dest is None else a.dest}">',
             f"<title>{_esc(title)}</title>",
             f'<path class="msc-line" d="{d}" fill="none" stroke-width="1.4" {style}/>']
    if a.kind == "lost":
        parts.append(f'<path d="M{x1 - 5},{y1 - 5} L{x1 + 5},{y1 + 5} M{x1 - 5},{y1 + 5} L{x1 + 5},{y1 - 5}" '
                     'stroke="#c62828" stroke-width="2"/>')
    parts.append(f'<text x="{lx}" y="{ly}" text-anchor="middle" font-size="9" fill="#444" stroke="#fff" '
                 f'stroke-width="3" paint-order="stroke">{_esc(shorten(a.text, 26))}</text>')
    parts.append("</g>")
    return "".join(parts)
