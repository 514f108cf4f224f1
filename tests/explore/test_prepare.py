"""Building and preparing a spec from the command line: ``-p`` values read by the constructor
parameter's annotation, and every exception raised while the spec is constructed or prepared
(init, parameter domains, ``Ids``, symmetry) a one-line error naming the spec's file:line, exit
2 -- absurd sizes included."""

from __future__ import annotations

import enum
import re
import textwrap

import pytest
from click.testing import CliRunner

from checker.cli import main
from checker.explore import explore
from checker._target import load_target
from spec import Ids, Spec, SpecError, source_of

from tests.explore import badspecs
from tests.explore.test_errors import BADSPECS, _line_of

HUGE = "99999999999999999999999"


def one_line_error(*args: str) -> str:
    """Run the CLI; it must fail with exit 2 and exactly one line on stderr, which is returned."""
    result = CliRunner().invoke(main, list(args))
    assert result.exit_code == 2, (result.exit_code, result.output)
    assert not isinstance(result.exception, Exception) or isinstance(result.exception, SystemExit), result.exception
    err = result.stderr.strip()
    assert "Traceback" not in result.output and len(err.splitlines()) == 1, result.output
    assert err.startswith("distcheck: error: ")
    return err


# --- -p values by annotation ------------------------------------------------------------------------

PARAMS_MODULE = '''
{future}
import enum
import typing
from typing import Literal, Optional

from spec import Spec, action, invariant, record


class Color(enum.Enum):
    red = 1
    blue = 2


@record
class S:
    x: int


class P(Spec):
    check_deadlock = False

    def __init__(self, i: int = 1, f: float = 0.5, b: bool = False, s: str = "x",
                 oi: int | None = None, oi2: Optional[int] = None, oi3: typing.Union[None, int] = None,
                 of: float | None = None, c: Color = Color.red, lit: Literal["a", "b"] = "a",
                 untyped=3, untyped_none=None, anything: object = None, implicit: int = None,
                 seq: tuple[int, ...] = (), items: list[str] = [], sized: typing.Annotated[int, "RMs"] = 3,
                 quoted: "int" = 1, bug: str | None = None) -> None:
        super().__init__(bug=bug)
        self.got = dict(i=i, f=f, b=b, s=s, oi=oi, oi2=oi2, oi3=oi3, of=of, c=c, lit=lit, untyped=untyped,
                        untyped_none=untyped_none, anything=anything, implicit=implicit, seq=seq, items=items,
                        sized=sized, quoted=quoted)

    def init(self):
        yield S(0)

    @action
    def Stay(self, s):
        return None
'''


@pytest.fixture(params=["", "from __future__ import annotations"], ids=["evaluated", "future-annotations"])
def params_target(request, tmp_path) -> str:
    path = tmp_path / "params_spec.py"
    path.write_text(textwrap.dedent(PARAMS_MODULE.format(future=request.param)))
    return f"{path}:P"


@pytest.mark.parametrize("name, raw, expected", [
    ("i", "5", 5), ("i", "-3", -3), ("i", HUGE, int(HUGE)),
    ("f", "2", 2.0), ("f", "1.5", 1.5), ("f", "1e-3", 0.001),
    ("b", "true", True), ("b", "No", False), ("b", "1", True),
    ("s", "hello world", "hello world"), ("s", "3", "3"),
    ("oi", "none", None), ("oi", "4", 4), ("oi2", "null", None), ("oi2", "7", 7), ("oi3", "8", 8),
    ("of", "None", None), ("of", "2.5", 2.5), ("of", "3", 3.0),
    ("lit", "b", "b"),
    ("untyped", "4", 4), ("untyped_none", "none", None), ("untyped_none", "(1, 2)", (1, 2)),
    ("untyped_none", "text", "text"), ("anything", "[1]", [1]),
    ("implicit", "none", None), ("implicit", "2", 2),
    ("seq", "(1, 2)", (1, 2)), ("seq", "[3]", (3,)), ("items", "['a']", ["a"]),
    ("sized", "4", 4), ("quoted", "5", 5),
    ("bug", "none", None),
])
def test_parameters_are_read_by_their_annotation(params_target, name, raw, expected) -> None:
    spec = load_target(params_target, {name: raw})
    got = spec.bug if name == "bug" else spec.got[name]  # type: ignore[attr-defined]
    assert got == expected and type(got) is type(expected), (got, expected)


def test_reports_show_the_arguments_given_not_the_defaults(params_target) -> None:
    """P keeps its arguments in a dict, not as attributes: the report must still show them."""
    spec = load_target(params_target, {"f": "1.5", "oi": "4"})
    assert spec.param_values()["f"] == 1.5 and spec.param_values()["oi"] == 4
    assert "f=1.5" in spec.describe() and "oi=4" in spec.describe()
    assert "f=1.5" in explore(spec).render_text().splitlines()[0]


def test_enum_parameters_by_member_name(params_target) -> None:
    got = load_target(params_target, {"c": "blue"}).got["c"]  # type: ignore[attr-defined]
    assert isinstance(got, enum.Enum) and got.name == "blue"
    assert load_target(params_target, {"c": "RED"}).got["c"].name == "red"  # type: ignore[attr-defined]


@pytest.mark.parametrize("name, raw, message", [
    ("i", "three", "parameter i: expected an integer, not 'three'"),
    ("i", "1.5", "parameter i: expected an integer, not '1.5'"),
    ("i", "9" * 5000, f"parameter i: expected an integer, not '{'9' * 40}'... (5,000 characters)"),
    ("f", "abc", "parameter f: expected a number, not 'abc'"),
    ("f", "nan", "parameter f: expected a number, not 'nan'"),
    ("b", "maybe", "parameter b: expected true or false, not 'maybe'"),
    ("oi", "x", "parameter oi: expected an integer or none, not 'x'"),
    ("of", "x", "parameter of: expected a number or none, not 'x'"),
    ("c", "green", "parameter c: expected one of red, blue (a Color), not 'green'"),
    ("lit", "c", "parameter lit: expected one of a, b, not 'c'"),
    ("untyped", "x", "parameter untyped: expected an integer, not 'x'"),
    ("implicit", "x", "parameter implicit: expected an integer or none, not 'x'"),
    ("seq", "1", "parameter seq: expected a tuple[int, ...] (a Python literal such as (1, 2)), not '1'"),
    ("seq", "(1, 'a')", "parameter seq: expected a tuple[int, ...] (a Python literal such as (1, 2)), not \"(1, 'a')\""),
    ("seq", "(True,)", "parameter seq: expected a tuple[int, ...] (a Python literal such as (1, 2)), not '(True,)'"),
    ("items", "a", "parameter items: expected a list[str] (a Python literal such as [1, 2]), not 'a'"),
    ("items", "[1]", "parameter items: expected a list[str] (a Python literal such as [1, 2]), not '[1]'"),
    ("sized", "four", "parameter sized: expected an integer, not 'four'"),
])
def test_bad_parameter_values_are_one_line_errors(params_target, name, raw, message) -> None:
    assert one_line_error("explore", params_target, "-p", f"{name}={raw}") == f"distcheck: error: {message}"


# --- constructing and preparing a spec: one line, the spec's file:line --------------------------------

@pytest.mark.parametrize("n", ["-1", HUGE])
def test_constructor_raising_names_its_line(n) -> None:
    err = one_line_error("explore", "tests.explore.badspecs:ConstructorRaises", "-p", f"n={n}")
    marker = "CONSTRUCTOR-REFUSES" if n == "-1" else "CONSTRUCTOR-RAISES"
    assert f"{BADSPECS}:{_line_of(marker)}: ConstructorRaises(n={n}) raised" in err
    assert ("ValueError: n must be at least 0" in err) if n == "-1" else ("OverflowError" in err or "MemoryError" in err)


def test_a_parameter_without_default_must_be_given(monkeypatch) -> None:
    class Needs(badspecs.ConstructorRaises):
        def __init__(self, n: int) -> None:
            super().__init__(n)

    monkeypatch.setattr(badspecs, "Needs", Needs, raising=False)
    err = one_line_error("explore", "tests.explore.badspecs:Needs")
    assert err.endswith(f"{source_of(Needs.__init__)}: Needs needs a value for n: give -p n=VALUE")
    assert load_target("tests.explore.badspecs:Needs", {"n": "2"}).n == 2  # type: ignore[attr-defined]


def test_constructor_memory_error_is_one_line(monkeypatch) -> None:
    class Hungry(badspecs.ConstructorRaises):
        def __init__(self, n: int = 3) -> None:
            raise MemoryError

    monkeypatch.setattr(badspecs, "Hungry", Hungry, raising=False)
    err = one_line_error("explore", "tests.explore.badspecs:Hungry")
    assert err.endswith("Hungry() raised MemoryError") and f"{__file__}:" in err


@pytest.mark.parametrize("target, n, where", [
    ("twophase", HUGE, "spec/twophase.py:"),
    ("tcommit", HUGE, "spec/tcommit.py:"),
    ("paxos", HUGE, "spec/paxos.py:"),
])
@pytest.mark.parametrize("command", ["explore", "prove"])
def test_absurd_sizes_of_the_bundled_protocols(command, target, n, where) -> None:
    name = {"twophase": "n_rm", "tcommit": "n_rm", "paxos": "n_acceptors"}[target]
    extra = ["--inv", "TCConsistent"] if command == "prove" and target == "tcommit" else []
    err = one_line_error(command, target, "-p", f"{name}={n}", *extra)
    assert where in err, err


@pytest.mark.parametrize("n", ["0", "-1", "-99999999999"])
def test_bundled_protocols_refuse_sizes_below_one(n) -> None:
    err = one_line_error("explore", "twophase", "-p", f"n_rm={n}")
    assert "spec/twophase.py:" in err and "n_rm must be at least 1" in err


def test_init_raising_is_one_line_with_its_line() -> None:
    err = one_line_error("explore", "tests.explore.badspecs:InitRaises")
    assert f"{BADSPECS}:{_line_of('INIT-RAISES')}: InitRaises.init() raised KeyError" in err
    with pytest.raises(SpecError, match="init\\(\\) raised KeyError"):
        explore(badspecs.InitRaises())


def test_a_domain_too_large_to_enumerate() -> None:
    err = one_line_error("explore", "tests.explore.badspecs:DomainRaises", "-p", f"n={HUGE}")
    assert f"{source_of(badspecs.DomainRaises.Inc)}: domain 'N' of Inc(i) cannot be enumerated: OverflowError" in err


def test_a_callable_domain_raising() -> None:
    from spec import action

    class Spec2(badspecs.DomainRaises):
        @action(i=lambda self: [1 // 0])
        def Inc(self, s, i):
            return None

    with pytest.raises(SpecError, match=re.escape(f"{source_of(Spec2.Inc)}: domain of Inc(i) cannot be "
                                                  "enumerated: ZeroDivisionError")):
        explore(Spec2())


# --- Ids --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("args, problem", [
    (("RM", -1), "its size must be a non-negative integer, not -1"),
    (("RM", True), "its size must be a non-negative integer, not True"),
    (("RM", "3"), "its size must be a non-negative integer, not '3'"),
    (("RM", 2.0), "its size must be a non-negative integer, not 2.0"),
    ((3, "RM"), "its name must be a string, not 3"),
])
def test_ids_refuses_bad_sizes_naming_the_line_that_built_it(args, problem) -> None:
    with pytest.raises(SpecError) as info:
        Ids(*args)  # IDS-BUILT-HERE
    assert str(info.value) == f"{__file__}:{_this_line('IDS-BUILT-HERE')}: Ids{args!r}: {problem}"


def test_ids_of_size_zero_and_int_likes() -> None:
    assert list(Ids("RM", 0)) == []

    class IntLike:
        def __index__(self) -> int:
            return 2

    assert list(Ids("RM", IntLike())) == [0, 1] and type(Ids("RM", IntLike()).n) is int


def test_negative_ids_in_a_spec_from_the_cli() -> None:
    err = one_line_error("explore", "tests.explore.badspecs:NegativeIds")
    assert f"{BADSPECS}:{_line_of('NEGATIVE-IDS')}: Ids('N', -1): its size must be" in err


def _this_line(marker: str) -> int:
    with open(__file__) as f:
        return next(i for i, line in enumerate(f, 1) if marker in line and "_this_line" not in line)


# --- symmetry setup ---------------------------------------------------------------------------------

def test_an_ambiguous_union_is_refused_when_symmetry_is_set_up() -> None:
    from spec import Ints, RecordOf, Union

    class Ambiguous(badspecs.LeavesItsType):
        def __init__(self) -> None:
            super().__init__()
            self.N = Ids("N", 3)
            self.symmetry = (self.N,)
            self.state_type = RecordOf(badspecs.Pair, x=Union(self.N, Ints(0, 5)), tag=badspecs.OneOf(None, "a"))

    with pytest.raises(SpecError) as info:
        explore(Ambiguous(), symmetry=True)
    assert str(info.value) == (f"{source_of(Ambiguous.__init__)}: symmetry over N: 0 is a value of both N and "
                               "0..5 in N \\cup 0..5, which rename N differently")
    assert explore(Ambiguous()).verdict == "violation"  # without symmetry, nothing to rename


def test_a_symmetry_that_is_not_an_id_domain() -> None:
    class NotIds(badspecs.LeavesItsType):
        symmetry = (range(3),)

    with pytest.raises(SpecError, match="symmetry holds range\\(0, 3\\), not an Ids domain"):
        explore(NotIds(), symmetry=True)


def test_a_symmetry_that_is_one_domain_not_a_sequence() -> None:
    class OneDomain(badspecs.LeavesItsType):
        symmetry = Ids("N", 3)  # iterating it would give its ids

    with pytest.raises(SpecError, match="symmetry is one Ids domain; it must be a sequence of them"):
        explore(OneDomain(), symmetry=True)


def test_a_state_type_that_is_not_a_type() -> None:
    class NotAType(badspecs.LeavesItsType):
        def __init__(self) -> None:
            super().__init__()
            self.state_type = "Pair"  # type: ignore[assignment]

    with pytest.raises(SpecError, match="state_type is 'Pair', not a distcheck type"):
        explore(NotAType())


def test_spec_base_class_description() -> None:
    class Documented(Spec):
        """Does ``this`` with :class:`spec.Ids` and *emphasis*.

        Details that are not the summary."""

    class Described(Documented):
        description = "Plain   text,\n one line"

    class Undocumented(Spec):
        pass

    assert Documented.summary() == "Does this with spec.Ids and emphasis."
    assert Described.summary() == "Plain text, one line"
    assert Undocumented.summary() == ""


# --- spec code that tries to end the process: an input error, never exit 0 ---------------------------

@pytest.mark.parametrize("command", [["explore"], ["explore", "--mode", "dfs"], ["explore", "--mode", "simulate"],
                                     ["prove", "--inv", "Small"], ["prove", "--bmc", "4"]])
def test_sys_exit_in_spec_code_is_an_error_naming_its_line(command) -> None:
    err = one_line_error(*command, "tests.explore.badspecs:CallsSysExit")
    assert f"{BADSPECS}:{_line_of('EXITS-HERE')}: the spec CallsSysExit called sys.exit(0)" in err, err


def test_sys_exit_in_a_constructor_is_an_error(monkeypatch) -> None:
    class ExitsEarly(badspecs.CallsSysExit):
        def __init__(self) -> None:
            badspecs._cannot_happen()

    monkeypatch.setattr(badspecs, "ExitsEarly", ExitsEarly, raising=False)
    err = one_line_error("explore", "tests.explore.badspecs:ExitsEarly")
    assert "the constructor of ExitsEarly called sys.exit(0)" in err, err


@pytest.mark.parametrize("mode", ["bfs", "dfs", "simulate"])
def test_a_time_limit_holds_when_each_step_is_slow(mode) -> None:
    """The clock is looked at about every 20 ms of work, not every 1,024 states: 500 steps of
    20 ms each would overrun a 0.3 s limit tenfold."""
    import time

    start = time.perf_counter()
    result = explore(badspecs.SlowSteps(), mode=mode, timeout=0.3)
    assert result.verdict == "unknown" and "time limit" in result.limit, result.render_text()
    assert time.perf_counter() - start < 2.0  # generous on a loaded machine; unbounded before
