"""The fast EDN path (``_formats._edn_fast``) against ``edn_format``, the oracle: on every line
it accepts it must give exactly what ``edn_format`` and ``freeze`` give, types included, and it
must accept the shape of Porcupine's kv logs (else it would be no fast path)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import attrs
from hypothesis import example, given, settings
from hypothesis import strategies as st

from checker.linearizability import FrozenDict, freeze
from checker.linearizability._formats import _edn
from checker.linearizability._formats._edn_fast import EMPTY, NO, parse_value

KV = Path(__file__).resolve().parent.parent / "data" / "porcupine" / "kv"


def typed(v: Any) -> Any:
    """``v`` with every value tagged by its type, and maps in order: ``TRUE == True`` and
    ``FrozenDict`` equality ignore both, this comparison does not."""
    if isinstance(v, tuple):
        return ("vector", tuple(typed(x) for x in v))
    if isinstance(v, FrozenDict):
        return ("map", tuple((typed(k), typed(x)) for k, x in v.items()))
    if isinstance(v, frozenset):
        return ("set", frozenset(typed(x) for x in v))
    return (type(v), v)


def oracle(text: str) -> Any:
    """What the slow path makes of ``text``: the frozen value of its one form, or ``NO``."""
    try:
        values = _edn._loads(_edn._typed_loads_all, text)
        if len(values) != 1:
            return NO
        return freeze(values[0])
    except Exception:  # noqa: BLE001 -- invalid EDN, a NaN, too deep: not a value
        return NO


KEYWORD_CHARS = "abcxyz_019.*+!?$%&=<>-:#/@'"
keywords = st.text(KEYWORD_CHARS, min_size=0, max_size=6).map(lambda s: ":" + s)
strings = st.lists(
    st.sampled_from(list('ab 0,;{}[]#\\"\'\t\r\u00e9\u2028\xa0') + ["\\n", '\\"', "\\u0041", "\\\\", "\\x"]),
    max_size=8,
).map(lambda s: '"' + "".join(s) + '"')
integers = st.one_of(
    st.integers(-(10**30), 10**30).map(str),
    st.sampled_from(["-0", "+5", "007", "0x1F", "5N", "1.5", "-2.0e3", "1/2", "3M", "1e5"]),
)
words = st.sampled_from(["nil", "true", "false", "nilx", "truthy", "\\a", "\\newline", "##NaN", "sym", "a/b"])
atoms = st.one_of(keywords, strings, integers, words)
gaps = st.sampled_from([" ", ", ", ",", "\t", "  ", "", "\r", "\xa0", " ;c\n", "\n"])


def forms(inner: Any) -> Any:
    def joined(parts: list[tuple[str, str]]) -> str:
        return "".join(g + p for p, g in parts)

    seq = st.lists(st.tuples(inner, gaps), max_size=5).map(joined)
    return st.one_of(
        seq.map(lambda s: "[" + s + "]"),
        seq.map(lambda s: "{" + s + "}"),
        seq.map(lambda s: "#{" + s + "}"),
        seq.map(lambda s: "(" + s + ")"),
        st.tuples(st.sampled_from(["#_", "#inst ", "#foo "]), inner).map("".join),
    )


values = st.recursive(atoms, forms, max_leaves=12)
op_fields = st.sampled_from([":process", ":type", ":f", ":key", ":value", ":index", ":time", ":error"])
op_maps = st.lists(st.tuples(op_fields, gaps, values, gaps), max_size=7).map(
    lambda fs: "{" + "".join(k + (g1 or " ") + v + g2 for k, g1, v, g2 in fs) + "}"
)
# mostly inside the subset, so that nested vectors and maps are accepted and compared too
plain_gaps = st.sampled_from([" ", ", ", ",", "\t"])
plain_atoms = st.one_of(st.text("abz_-?", min_size=1, max_size=4).map(lambda s: ":" + s),
                        st.text("ab x,", max_size=4).map(lambda s: '"' + s + '"'),
                        st.integers(-(10**18), 10**18).map(str), st.sampled_from(["nil", "true", "false"]))


def plain_forms(inner: Any) -> Any:
    seq = st.lists(st.tuples(inner, plain_gaps), max_size=4).map(lambda ps: "".join(p + g for p, g in ps))
    return st.one_of(seq.map(lambda s: "[" + s + "]"), seq.map(lambda s: "{" + s + "}"))


plain_values = st.recursive(plain_atoms, plain_forms, max_leaves=10)
plain_op_maps = st.lists(st.tuples(op_fields, plain_gaps, plain_values), max_size=6).map(
    lambda fs: "{" + ", ".join(k + g + v for k, g, v in fs) + "}")
lines = st.tuples(gaps, st.one_of(op_maps, values, plain_op_maps, plain_values), gaps).map("".join)


@settings(max_examples=400, deadline=None)
@given(lines)
@example('{:process 0, :type :invoke, :f :get, :key "1", :value nil}')
@example('{:process -12, :type :ok, :f :put, :key "", :value "x 9 0 y"}')
@example('{:a [1 [true false] {:b nil}], :c ""}')
@example('{:a 1 :a 2}')
@example('{:a 1 "a" 2}')
@example('{:a 01}')
@example('{:a "x\\"y"}')
@example('{:a 1} {:b 2}')
@example('{:a [1 2}')
@example('{:a/b 1}')
@example('  ,')
def test_fast_path_agrees_with_edn_format(line: str) -> None:
    fast = parse_value(line)
    if fast is EMPTY:
        assert line.strip(" \t,") == ""
        return
    if fast is not NO:
        assert typed(fast) == typed(oracle(line)), line


def test_fast_path_takes_porcupine_lines() -> None:
    for path in sorted(KV.glob("*.txt")):
        for i, line in enumerate(path.read_text().splitlines()):
            value = parse_value(line)
            assert value is not NO, line
            if i % 10 == 0:  # edn_format is the slow part: a sample of the lines
                assert typed(value) == typed(oracle(line))


@settings(max_examples=100, deadline=None)
@given(st.lists(st.one_of(op_maps, st.just("")), min_size=1, max_size=6))
def test_read_edn_same_history_either_way(maps: list[str]) -> None:
    """A whole stream: the fast path, where it applies, reads the same operations."""
    text = "\n".join(["{:process 0, :type :invoke, :f :w, :value 1}"] + maps)
    fast = _edn._fast_events(text)
    if fast is None:
        return

    def read(with_fast: bool) -> Any:
        try:
            if with_fast:
                h = _edn.read_edn(text, "h")
            else:
                orig = _edn._fast_events
                _edn._fast_events = lambda t: None
                try:
                    h = _edn.read_edn(text, "h")
                finally:
                    _edn._fast_events = orig
        except ValueError as e:
            return str(e)
        return [typed(attrs.astuple(o, recurse=False)) for o in h.operations]

    assert read(True) == read(False)
