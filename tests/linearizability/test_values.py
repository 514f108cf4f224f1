"""History values keep their types (``true`` is not ``1``, ``1.0`` is not ``1``), as Knossos
(Clojure's ``=``) and Porcupine (Go) compare them; NaN and the infinities are not data."""

from __future__ import annotations

import json
import math
import pickle
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from checker import exitcodes
from checker.cli import main
from checker.linearizability import (
    FrozenDict,
    HistoryError,
    Model,
    Operation,
    check,
    get_model,
    history_from_events,
    parse_history,
)
from checker.linearizability._history import freeze
from checker.linearizability._render import result_json, result_text
from checker.linearizability._values import FALSE, TRUE, BigDecimal, Bool, Float, NotData, Ratio

from .test_models import seq


def test_frozen_values_are_typed() -> None:
    assert freeze(True) is TRUE and freeze(False) is FALSE and Bool(1) is TRUE
    # Python merges these; a history never does
    for a, b in [(True, 1), (False, 0), (1, 1.0), (0, 0.0), (True, 1.0), (False, 0.0),
                 (1, Decimal(1)), (Decimal("0.5"), 0.5), (Fraction(1, 2), 0.5)]:
        assert a == b  # Python
        fa, fb = freeze(a), freeze(b)
        assert fa != fb and fb != fa and not (fa == fb) and not (fb == fa), (a, b)
        assert len({fa, fb}) == 2 and len({fa: 0, fb: 1}) == 2
    # same kind, same value: equal (and equal hashes)
    for a, b in [(1.0, 1.0), (-0.0, 0.0), (Decimal("1.0"), Decimal("1.00")), (True, True)]:
        assert freeze(a) == freeze(b) and hash(freeze(a)) == hash(freeze(b))
    # a typed value equals the plain Python value of its own type, never another type's
    assert TRUE == True and FALSE == False and TRUE != 1 and FALSE != 0  # noqa: E712
    assert Float(0.5) == 0.5 and Float(1.0) != 1 and Float(1.0) != TRUE
    assert bool(TRUE) and not FALSE
    assert freeze(Fraction(4, 2)) == 2 and type(freeze(Fraction(4, 2))) is int  # 2/1 reads as 2
    assert freeze(Fraction(1, 2)) == Ratio(Fraction(1, 2))
    # containers are frozen element by element
    v = freeze({"a": [1, True, 1.0], "b": frozenset([freeze(True), 1])})
    assert v == FrozenDict(a=(1, TRUE, Float(1.0)), b=frozenset({TRUE, 1})) and len(v["b"]) == 2
    assert v["a"] != (1, 1, 1) and v["a"] != (TRUE, TRUE, TRUE)
    # idempotent, and pickled booleans stay the singletons (for workers in other processes)
    assert freeze(v) == v and freeze(TRUE) is TRUE
    assert pickle.loads(pickle.dumps(TRUE)) is TRUE


def test_typed_numbers_keep_their_type_through_arithmetic() -> None:
    half = freeze(0.5)
    assert type(0 + half + half) is Float and 0 + half + half == Float(1.0) != 1
    assert type(half * 2) is Float and type(-half) is Float and type(abs(-half)) is Float
    assert type(1 - half) is Float and type(3 / freeze(2.0)) is Float
    d = freeze(Decimal("0.5"))
    assert type(d + 1) is BigDecimal and d + d != 1 and d + d == Decimal(1)
    r = freeze(Fraction(1, 2))
    assert type(r + Fraction(1, 3)) is Ratio and r + r == 1 and type(r + r) is int


@pytest.mark.parametrize(
    "model,steps,init,expected",
    [
        # the cases: Knossos and Porcupine say illegal
        ("register", [("write", True, True), ("read", None, 1)], None, "illegal"),
        ("register", [("write", True, True), ("read", None, True)], None, "ok"),
        ("cas-register", [("cas", (False, 5), (False, 5))], 0, "illegal"),
        ("cas-register", [("cas", (0, 5), (0, 5)), ("read", None, 5)], 0, "ok"),
        ("etcd", [("write", 1, 1), ("cas", (1.0, 2), (1.0, 2), "fail"), ("read", None, 1)], None, "ok"),
        ("etcd", [("write", 1.0, 1.0), ("read", None, 1)], None, "illegal"),
        ("queue", [("enqueue", 1, 1), ("dequeue", None, True)], None, "illegal"),
        ("set", [("add", 1, 1), ("add", True, True), ("read", None, (1, True))], None, "ok"),
        ("set", [("add", 1, 1), ("read", None, (1, True))], None, "illegal"),
        ("multi-register", [("txn", None, (("write", "x", 0), ("read", "x", False)))], None, "illegal"),
        ("multi-register", [("txn", None, (("write", 1, 5),)), ("txn", None, (("read", True, 5),))], None, "illegal"),
        ("kv", [("put", "1", "1", "ok", "a"), ("get", None, "1", "ok", "a")], None, "ok"),
        # a counter does arithmetic and stays typed: 0 + 0.5 + 0.5 is the float 1.0, not 1
        ("counter", [("add", 0.5, 0.5), ("add", 0.5, 0.5), ("read", None, 1)], None, "illegal"),
        ("counter", [("add", 0.5, 0.5), ("add", 0.5, 0.5), ("read", None, 1.0)], None, "ok"),
        ("counter", [("add", 1, 1), ("read", None, 1.0)], None, "illegal"),
        ("counter", [("add", 1, 1), ("read", None, 1)], 0, "ok"),
        ("counter", [("read", None, 0)], 0.0, "illegal"),
    ],
)
def test_models_compare_typed(model: str, steps: list[tuple[Any, ...]], init: Any, expected: str) -> None:
    m = get_model(model) if init is None else get_model(model, init)
    assert check(seq(*steps), m).verdict == expected


class Lock(Model):
    """A user model that compares with ``==``: type-strict with no effort of its own."""

    name = "lock"

    def step(self, state: Any, op: Operation) -> tuple[bool, Any]:
        if op.f == "lock":
            return state is None, op.input
        return state == op.input, None


def test_user_models_interning_and_memo_are_typed() -> None:
    assert check(seq(("lock", True, None), ("unlock", 1, None)), Lock()).verdict == "illegal"
    assert check(seq(("lock", 1, None), ("unlock", 1, None)), Lock()).verdict == "ok"
    # Operations made by hand are frozen too: a Python True is the history's true
    op = Operation(0, 0, "write", True, True, "ok", 0, 1)
    assert op.input is TRUE and op.signature() != Operation(1, 0, "write", 1, 1, "ok", 0, 1).signature()
    # equal-valued but differently typed indeterminate writes are not interchangeable, and
    # their states are not merged: the read of 1 needs the write of 1, called after the read of
    # true returned
    ops = [
        Operation(0, 0, "write", True, None, "info", 0, math.inf),
        Operation(1, 1, "read", None, True, "ok", 1, 2),
        Operation(2, 2, "write", 1, None, "info", 3, math.inf),
        Operation(3, 3, "read", None, 1, "ok", 4, 5),
    ]
    assert check(ops, "register").verdict == "ok"
    ops[2] = Operation(2, 2, "write", True, None, "info", 3, math.inf)
    assert check(ops, "register").verdict == "illegal"


def test_edn_reads_typed_values() -> None:
    h = parse_history(
        "{:process 0 :type :invoke :f :w :value #{1 true 1.0 1.5M 1/2 2/1 \\a}}\n"
        "{:process 0 :type :ok :f :w :value {1 :a true :b 1.0 :c}}\n"
    )
    (op,) = h.operations
    # edn_format alone would give #{1} and {1 :c}: Python's == merges true, 1 and 1.0
    assert op.input == frozenset({1, TRUE, Float(1.0), freeze(Decimal("1.5")), freeze(Fraction(1, 2)), 2, "a"})
    assert len(op.input) == 7
    assert op.output == FrozenDict({1: "a", TRUE: "b", Float(1.0): "c"}) and len(op.output) == 3
    # keywords and strings are the same value (documented), so are characters
    h = parse_history('{:process 0 :type :invoke :f :w :value [:x "x" \\x]}')
    assert h.operations[0].input == ("x", "x", "x")


def test_jsonl_and_events_read_typed_values() -> None:
    text = ('{"process": 0, "type": "invoke", "f": "write", "value": true}\n'
            '{"process": 0, "type": "ok", "f": "write", "value": true}\n'
            '{"process": 1, "type": "invoke", "f": "read", "value": null}\n'
            '{"process": 1, "type": "ok", "f": "read", "value": 1}\n')
    h = parse_history(text)
    assert h.operations[0].input is TRUE and check(h, "register").verdict == "illegal"
    assert check(parse_history(text.replace('"value": 1}', '"value": true}')), "register").verdict == "ok"
    events = [json.loads(line) for line in text.splitlines()]
    assert check(history_from_events(events), "register").verdict == "illegal"


def test_rendering_shows_values_as_before() -> None:
    ops = seq(("write", True, True), ("write", 1.0, 1.0), ("write", False, False), ("read", None, 1))
    r = check(ops, "register")
    text = "\n".join(result_text(r))
    assert "write(true)" in text and "write(1.0)" in text and "write(false)" in text
    assert "illegal in false" in text and "TRUE" not in text and "Float" not in text
    j = json.loads(json.dumps(result_json(r)))
    steps = j["failures"][0]["linearized"]
    assert [s["input"] for s in steps] == [True, 1.0, False]
    assert type(steps[1]["input"]) is float and [s["state_after"] for s in steps] == ["true", "1.0", "false"]
    assert j["failures"][0]["stuck"][0]["output"] == 1
    from checker.linearizability import edn_text as show

    assert show(freeze(Decimal("1.5"))) == "1.5M" and show(freeze(Fraction(1, 2))) == "1/2"
    assert show(freeze({"a": (True, None, 2.5)})) == '{"a" [true nil 2.5]}'


# --- NaN and the infinities: input errors with file:line ------------------------------------

NOT_DATA = [
    ("edn", '{:process 0 :type :invoke :f :write :value 1}\n{:process 0 :type :ok :f :write :value ##NaN}\n', 2),
    ("edn", '{:process 0 :type :invoke :f :write :value ##Inf}\n', 1),
    ("edn", '[{:process 0 :type :invoke :f :write :value 1}\n {:process 1 :type :invoke :f :w :value {:a [1 {:b ##-Inf}]}}]', 2),
    ("edn", '{:process 0 :type :invoke :f :write :value #{1 ##NaN}}\n', 1),
    ("edn", '{:process :nemesis :type :info :f :start :value ##NaN}\n{:process 0 :type :invoke :f :r}\n', 1),
    ("jsonl", '{"process": 0, "type": "invoke", "f": "write", "value": NaN}\n', 1),
    ("jsonl", '{"process": 0, "type": "invoke", "f": "w", "value": 1}\n{"process": 0, "type": "ok", "f": "w", "value": {"a": [Infinity]}}\n', 2),
    ("jsonl", '{"process": 0, "type": "invoke", "f": "write", "value": -Infinity}\n', 1),
    ("jsonl", '{"process": 0, "type": "invoke", "f": "write", "value": 1e400}\n', 1),
    ("jsonl", '{"process": 0, "f": "write", "input": [NaN], "call": 0, "return": 1}\n', 1),
    ("jsonl", '{"process": 0, "f": "read", "output": {"x": NaN}, "call": 0, "return": 1}\n', 1),
    ("jsonl", '{"process": 0, "f": "read", "output": 1, "call": NaN, "return": 1}\n', 1),
    ("jepsen-log", "INFO  jepsen.util - 0\t:invoke\t:write\t##NaN\n", 1),
    ("jepsen-log", "INFO  jepsen.util - 0\t:invoke\t:write\t1\nINFO  jepsen.util - 0\t:ok\t:write\t[1 ##Inf]\n", 2),
]


@pytest.mark.parametrize("fmt,text,line", NOT_DATA)
def test_nan_and_infinities_are_input_errors(fmt: str, text: str, line: int, tmp_path: Path) -> None:
    with pytest.raises(HistoryError) as e:
        parse_history(text, fmt, source="h")
    assert e.value.line == line and str(e.value).startswith(f"h:{line}: ")
    assert "not a value" in str(e.value) or "finite" in str(e.value)
    f = tmp_path / "h"
    f.write_text(text)
    r = CliRunner().invoke(main, ["lin", str(f), "-m", "register"])
    assert r.exit_code == exitcodes.USAGE and isinstance(r.exception, SystemExit)
    assert r.stderr.startswith(f"distcheck: error: {f}:{line}: ") and r.stderr.count("\n") == 1


def test_nan_elsewhere_is_refused_too() -> None:
    with pytest.raises(NotData, match="NaN is not a value"):
        Operation(0, 0, "write", float("nan"), None, "ok", 0, 1)
    with pytest.raises(NotData, match="-Infinity is not a value"):
        freeze({"a": [Decimal("-Infinity")]})
    with pytest.raises(HistoryError, match=r"^<events>:2: Infinity is not a value"):
        history_from_events([{"process": 0, "type": "invoke", "f": "w", "value": 1},
                             {"process": 0, "type": "ok", "f": "w", "value": math.inf}])
    for init in ("NaN", "##NaN", "[1 ##Inf]", "-Infinity", "[" * 5000 + "]" * 5000):
        r = CliRunner().invoke(main, ["lin", "nowhere.edn", "-m", "register", "--init", init])
        assert r.exit_code == exitcodes.USAGE and r.stderr.startswith("distcheck: error: --init: "), r.stderr
