"""The spec--prover contract (``spec.contract``): what it names is what the prover implements and
what the spec language consults, and the checker reaches the language only through public names."""

from __future__ import annotations

import ast
import inspect
import pathlib
from typing import Any

import pytest

import spec
from spec import OneOf, SetOf, Union, contract, record
from spec import _helpers
from spec.contract import SymbolicInterpretation, interpreted

ROOT = pathlib.Path(__file__).resolve().parents[2]


def _protocol_methods() -> dict[str, inspect.Signature]:
    return {n: inspect.signature(f) for n, f in vars(SymbolicInterpretation).items()
            if not n.startswith("_") and callable(f)}


def test_every_helper_is_a_hook_of_the_contract() -> None:
    assert set(_helpers.__all__) <= set(_protocol_methods())
    assert set(_protocol_methods()) - set(_helpers.__all__) == {"type_contains"}


def test_the_prover_implements_every_hook_with_the_contract_signature() -> None:
    from checker.prove._hooks import HOOKS

    for name, sig in _protocol_methods().items():
        impl = getattr(HOOKS, name)
        assert list(inspect.signature(impl).parameters) == list(sig.parameters)[1:], name


class _Recorder:
    """An interpretation that records each hook called and answers a marker."""

    def __init__(self) -> None:
        self.calls: list[str] = []

    def __getattr__(self, name: str) -> Any:
        if name not in _protocol_methods():
            raise AttributeError(name)

        def hook(*args: Any) -> Any:
            self.calls.append(name)
            return ("answer", name)
        return hook


@pytest.mark.parametrize("helper, args", [
    ("size", ((1, 2),)), ("exists", ((1,), bool)), ("forall", ((1,), bool)), ("count", ((1,), bool)),
    ("select", ((1,), bool)), ("image", ((1,), str)), ("union_all", ((frozenset(),),)),
    ("maximum", ((1, 2),)), ("replace_at", ((1, 2), 0, 5)), ("ite", (True, 1, 2)), ("implies", (True, False)),
    ("choose", ((1, 2), bool)),
])
def test_each_helper_asks_the_active_interpretation(helper: str, args: tuple[Any, ...]) -> None:
    rec = _Recorder()
    with interpreted(rec):  # type: ignore[arg-type]
        assert getattr(spec, helper)(*args) == ("answer", helper)
    assert rec.calls == [helper]
    assert getattr(spec, helper)(*args) != ("answer", helper)  # and plain Python once it is gone
    assert contract.active is None


@pytest.mark.parametrize("t, value", [(OneOf(1, 2), 1), (SetOf(OneOf(1)), frozenset({1})),
                                      (Union(OneOf(1), OneOf(2)), 2)])
def test_type_membership_asks_the_active_interpretation(t: Any, value: Any) -> None:
    rec = _Recorder()
    with interpreted(rec):  # type: ignore[arg-type]
        assert (value in t) is True  # `in` coerces the marker to bool
    assert rec.calls == ["type_contains"]


def test_evolve_builds_a_new_record_while_an_interpretation_is_active() -> None:
    @record
    class R:
        x: int

    r = R(1)
    assert r.evolve(x=1) is r  # plain Python: nothing changed, the same record
    with interpreted(_Recorder()):  # type: ignore[arg-type]
        again = r.evolve(x=1)
    assert again is not r and again == r


def test_concretely_switches_the_interpretation_off_and_back() -> None:
    rec = _Recorder()
    with interpreted(rec):  # type: ignore[arg-type]
        with contract.concretely():
            assert contract.active is None
        assert contract.active is rec
    assert contract.active is None


def test_the_checker_imports_no_private_module_of_the_spec_language() -> None:
    offenders = []
    for path in sorted((ROOT / "checker").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                     else [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            if isinstance(node, ast.ImportFrom) and node.module == "spec":
                names += [f"spec.{a.name}" for a in node.names]
            offenders += [f"{path.relative_to(ROOT)}:{node.lineno}: {n}" for n in names
                          if n.startswith("spec._")]
    assert offenders == []


def test_language_files_are_the_language_not_the_protocols() -> None:
    names = {pathlib.Path(f).name for f in contract.LANGUAGE_FILES}
    on_disk = {p.name for p in (ROOT / "spec").glob("*.py")}
    assert names <= on_disk
    assert {"twophase.py", "tcommit.py", "paxos.py", "catalog.py"}.isdisjoint(names)
    assert {p for p in on_disk if p.startswith("_") or p == "contract.py"} == names


def test_where_code_comes_from() -> None:
    from checker import _sources

    assert _sources.code_kind(_sources.__file__) == "internal"
    assert _sources.code_kind(inspect.getfile(spec.Spec)) == "internal"
    assert _sources.code_kind(__file__) == "user"
    assert _sources.is_spec_file(__file__)
    assert _sources.is_spec_file(inspect.getfile(spec.twophase if hasattr(spec, "twophase") else
                                                 __import__("spec.twophase").twophase))
    assert _sources.code_kind(inspect.getfile(inspect)) == "library"
    assert _sources.code_kind("<distcheck successor_states>") == "internal"
    assert _sources.code_kind("<string>") == "user"
