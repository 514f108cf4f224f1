"""The declaration decorators check what they are applied to, where they are applied (issue 8,
item 4): ``@action``, ``@invariant``, ``@inductive_invariant``, ``@constraint`` and
``members(...)`` raise :class:`spec.SpecError` as the class body runs, naming the method and its
``file:line``; what needs the class (two actions of one name) is refused when it is bound.  Each
message is pinned whole."""

from __future__ import annotations

import functools
import json
import os
import re
import subprocess
import sys
import textwrap
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from checker.cli import main
from checker.explore import explore
from spec import Ids, Spec, SpecError, action, constraint, inductive_invariant, invariant, members, record, source_of
from spec._lang import _ActionDecl

HERE = __file__
REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def at(marker: str) -> str:
    """``file:line`` of the line of this file holding ``marker`` (a comment)."""
    with open(HERE) as f:
        for i, line in enumerate(f, start=1):
            if line.rstrip().endswith(f"# {marker}"):
                return f"{HERE}:{i}"
    raise AssertionError(marker)


def exactly(message: str) -> str:
    return "^" + re.escape(message) + "$"


@record
class S:
    x: int


class Base(Spec):
    check_deadlock = False

    def init(self):
        yield S(0)


# --- one declaration decorator per method -----------------------------------------------------------

DECORATORS = {"@action": action, "@invariant": invariant, "@inductive_invariant": inductive_invariant,
              "@constraint": constraint}
ANY = " is decorated both {outer} and {inner}: a method is one of an action, an invariant, an inductive invariant, a constraint or a temporal property"


def _pred(self, s):  # PRED
    return True


@pytest.mark.parametrize("inner", DECORATORS)
@pytest.mark.parametrize("outer", DECORATORS)
def test_two_declaration_decorators_on_one_method_are_refused_in_either_order(outer, inner) -> None:
    def fresh(self, s):  # FRESH
        return True

    DECORATORS[inner](fresh)
    if outer == inner:
        expected = f"{at('FRESH')}: {fresh.__qualname__} is decorated {outer} twice"
    else:
        expected = f"{at('FRESH')}: {fresh.__qualname__}" + ANY.format(outer=outer, inner=inner)
        if {outer, inner} == {"@invariant", "@inductive_invariant"}:
            expected += " (an @inductive_invariant is checked by explore too, when named with --invariant)"
    with pytest.raises(SpecError, match=exactly(expected)):
        DECORATORS[outer](fresh)


def test_stacked_decorators_in_a_class_body_are_refused() -> None:
    with pytest.raises(SpecError) as e:
        class C(Base):
            @invariant  # STACKED
            @action
            def Both(self, s):
                return None
    qual = "test_stacked_decorators_in_a_class_body_are_refused.<locals>.C.Both"
    assert str(e.value) == f"{at('STACKED')}: {qual}" + ANY.format(outer="@invariant", inner="@action")


# --- an action's domains name exactly its parameters ------------------------------------------------

def _domains_error(**domains: Any) -> str:
    def Send(self, s, rm, m):  # SEND
        return None

    with pytest.raises(SpecError) as e:
        action(**domains)(Send)
    return str(e.value)


@pytest.mark.parametrize("domains, problem", [
    ({"rm": "RM"}, "parameter m has no domain"),
    ({"rm": "RM", "m": "M", "n": "N"}, "domain n names no parameter"),
    ({"rm": "RM", "n": "N"}, "parameter m has no domain; domain n names no parameter"),
    ({}, "parameters rm, m have no domain"),
    ({"rm": "RM", "m": "M", "k": "K", "n": "N"}, "domains k, n name no parameter"),
])
def test_domains_must_name_exactly_the_parameters(domains, problem) -> None:
    given_for = ", ".join(domains) or "none"
    qual = "_domains_error.<locals>.Send"
    assert _domains_error(**domains) == (f"{at('SEND')}: @action {qual}: {problem} (parameters after self, s: "
                                         f"rm, m; domains for: {given_for})")


def test_a_parameter_called_name_cannot_have_a_domain() -> None:
    def Rename(self, s, name):  # RENAME
        return None

    with pytest.raises(SpecError, match=exactly(
            f"{at('RENAME')}: @action {Rename.__qualname__}: parameter name has no domain; a parameter called "
            "name cannot have one (name= is the action's own name): rename it (parameters after self, s: name; "
            "domains for: none)")):
        action(name="Names")(Rename)


def test_an_action_without_parameters_and_with_a_domain() -> None:
    def Tick(self, s):  # TICK
        return None

    with pytest.raises(SpecError, match=exactly(
            f"{at('TICK')}: @action {Tick.__qualname__}: domain i names no parameter (parameters after self, s: "
            "none; domains for: i)")):
        action(i=range(2))(Tick)


NAMES = ["a", "b", "c", "i", "j", "rm", "fn", "msg"]


@settings(max_examples=200, deadline=None, derandomize=True, database=None)
@given(params=st.lists(st.sampled_from(NAMES), unique=True, max_size=4),
       domains=st.lists(st.sampled_from(NAMES), unique=True, max_size=4))
def test_property_accepted_exactly_when_the_domains_name_the_parameters(params, domains) -> None:
    """Random parameter lists against random domain keywords: ``@action`` accepts exactly when the
    two name the same set, and then the bound action has those parameters, in the function's
    order, each ranging over its own domain; otherwise the message lists what is missing and what
    is extra, in order."""
    namespace: dict[str, Any] = {}
    exec(f"def step(self, s{''.join(', ' + p for p in params)}):\n    return None\n", namespace)  # noqa: S102
    step = namespace["step"]
    sizes = {d: k + 1 for k, d in enumerate(domains)}
    decorate = action(**{d: range(sizes[d]) for d in domains})
    if set(params) == set(domains):
        decorated = decorate(step)
        cls = type("Random", (Base,), {"Step": decorated})
        (bound,) = cls().actions()
        assert bound.param_names == tuple(params)
        assert bound.domains == tuple(tuple(range(sizes[p])) for p in params)
        return
    with pytest.raises(SpecError) as e:
        decorate(step)
    missing = [p for p in params if p not in domains]
    extra = [d for d in domains if d not in params]
    message = str(e.value)
    assert message.startswith(f"{source_of(step)}: @action step: ")
    if missing:
        assert (f"parameter {missing[0]} has no domain" if len(missing) == 1
                else f"parameters {', '.join(missing)} have no domain") in message
    else:
        assert "has no domain" not in message and "have no domain" not in message
    if extra:
        assert (f"domain {extra[0]} names no parameter" if len(extra) == 1
                else f"domains {', '.join(extra)} name no parameter") in message
    else:
        assert "names no parameter" not in message and "name no parameter" not in message
    assert message.endswith(f"(parameters after self, s: {', '.join(params) or 'none'}; "
                            f"domains for: {', '.join(domains) or 'none'})")


# --- an action's signature ---------------------------------------------------------------------------

def _rest(self, s, *rest):  # REST
    return None


def _kwargs(self, **kw):  # KWARGS
    return None


def _keyword_only(self, s, i, *, k):  # KEYWORD-ONLY
    return None


def _no_state(self):  # NO-STATE
    return None


def _nothing():  # NOTHING
    return None


PREFIX = "an action must take (self, s, param, ...), one positional parameter per domain: "


@pytest.mark.parametrize("fn, marker, domains, shown, problem", [
    (_rest, "REST", {}, "(self, s, *rest)", "*rest is not allowed"),
    (_kwargs, "KWARGS", {}, "(self, **kw)", "**kw is not allowed; s, the state, is missing"),
    (_keyword_only, "KEYWORD-ONLY", {"i": "I"}, "(self, s, i, *, k)", "keyword-only parameter k is not allowed"),
    (_no_state, "NO-STATE", {}, "(self)", "s, the state, is missing"),
    (_nothing, "NOTHING", {}, "()", "self and s are missing"),
])
def test_an_action_must_take_self_s_and_positional_parameters(fn, marker, domains, shown, problem) -> None:
    with pytest.raises(SpecError, match=exactly(f"{at(marker)}: @action {fn.__qualname__}{shown}: {PREFIX}{problem}")):
        action(**domains)(fn)


@pytest.mark.parametrize("kind", ["staticmethod", "classmethod", "property"])
def test_a_descriptor_is_not_a_method_either_side_of_the_decorator(kind) -> None:
    wrap = {"staticmethod": staticmethod, "classmethod": classmethod, "property": property}[kind]
    message = (f"{source_of(_pred)}: @invariant _pred: @invariant must decorate a plain method taking (self, s), "
               f"not a {kind}: remove @{kind}")
    # below the decorator: refused when it is applied
    with pytest.raises(SpecError, match=exactly(message)):
        invariant(wrap(_pred))

    # above the decorator: the descriptor hides the declaration from the class; refused when bound
    def Inv(self, s):  # ABOVE
        return True

    cls = type("C", (Base,), {"Step": action(lambda self, s: None), "Inv": wrap(invariant(Inv))})
    with pytest.raises(SpecError, match=exactly(
            f"{at('ABOVE')}: @invariant {Inv.__qualname__}: @invariant must decorate a plain method taking "
            f"(self, s), not a {kind}: remove @{kind}")):
        cls.invariant_names()
    with pytest.raises(SpecError, match=re.escape(f"not a {kind}: remove @{kind}")):
        explore(cls())


def test_staticmethod_under_and_over_action() -> None:
    def step(s):  # STATIC-STEP
        return None

    expected = (f"{at('STATIC-STEP')}: @action {step.__qualname__}: @action must decorate a plain method taking "
                "(self, s, param, ...), not a staticmethod: remove @staticmethod")
    with pytest.raises(SpecError, match=exactly(expected)):
        action(staticmethod(step))

    def Step(self, s):  # STATIC-OVER
        return None

    cls = type("C", (Base,), {"Step": staticmethod(action(Step))})
    with pytest.raises(SpecError, match=exactly(
            f"{at('STATIC-OVER')}: @action {Step.__qualname__}: @action must decorate a plain method taking "
            "(self, s, param, ...), not a staticmethod: remove @staticmethod")):
        cls().actions()


def test_not_a_function_is_refused_at_the_line_applying_the_decorator() -> None:
    with pytest.raises(SpecError, match=exactly(
            f"{at('NOT-A-FUNCTION')}: @action must decorate a function (a def in the class body) taking "
            "(self, s, param, ...), not 3 (an int)")):
        action(3)  # NOT-A-FUNCTION
    with pytest.raises(SpecError, match=exactly(
            f"{at('BUILTIN')}: @constraint must decorate a function (a def in the class body) taking (self, s), "
            "not <built-in function print> (a builtin_function_or_method)")):
        constraint(print)  # BUILTIN


def test_a_domain_given_positionally_is_told_to_be_a_keyword() -> None:
    with pytest.raises(SpecError) as e:
        class C(Base):
            @action("RM")  # POSITIONAL-DOMAIN
            def Prepare(self, s, rm):
                return None
    assert str(e.value) == (f"{at('POSITIONAL-DOMAIN')}: @action must decorate a function (a def in the class "
                            "body) taking (self, s, param, ...), not 'RM' (a str): parameter domains are keyword "
                            "arguments, @action(param='Domain')")
    with pytest.raises(SpecError, match=exactly(
            f"{at('POSITIONAL-NAME')}: @inductive_invariant must decorate a function (a def in the class body) "
            "taking (self, s), not 'Ind' (a str): a name is a keyword argument, @inductive_invariant(name='Ind')")):
        inductive_invariant("Ind")  # POSITIONAL-NAME


def test_constraint_takes_no_arguments() -> None:
    with pytest.raises(SpecError, match=exactly(
            f"{at('CONSTRAINT-PARENS')}: @constraint takes no arguments: write @constraint, without parentheses")):
        constraint()  # CONSTRAINT-PARENS
    with pytest.raises(SpecError, match=exactly(
            f"{at('CONSTRAINT-NAME')}: @constraint takes no arguments: write @constraint, without parentheses")):
        constraint(name="Bound")  # CONSTRAINT-NAME


# --- invariants, inductive invariants and constraints take exactly (self, s) -------------------------

def _only_self(self):  # ONLY-SELF
    return True


def _quantified(self, s, rm):  # QUANTIFIED
    return True


def _defaulted(self, s, rm=0):  # DEFAULTED
    return True


def _star(self, s, *more):  # STAR
    return True


def _state_only(s):  # STATE-ONLY
    return True


QUANTIFY = ("; it is called with the state alone (to quantify over a domain, use forall(self.RM, lambda rm: ...) "
            "inside it)")


@pytest.mark.parametrize("decorator, what", [("@invariant", "an invariant"),
                                             ("@inductive_invariant", "an inductive invariant"),
                                             ("@constraint", "a constraint")])
@pytest.mark.parametrize("fn, marker, shown, hint", [
    (_only_self, "ONLY-SELF", "(self)", ""),
    (_state_only, "STATE-ONLY", "(s)", ""),
    (_quantified, "QUANTIFIED", "(self, s, rm)", QUANTIFY),
    (_defaulted, "DEFAULTED", "(self, s, rm)", QUANTIFY),
    (_star, "STAR", "(self, s, *more)", QUANTIFY),
])
def test_predicates_take_exactly_self_and_s(decorator, what, fn, marker, shown, hint) -> None:
    with pytest.raises(SpecError, match=exactly(
            f"{at(marker)}: {decorator} {fn.__qualname__}{shown}: {what} must take exactly (self, s){hint}")):
        DECORATORS[decorator](fn)


# --- names -----------------------------------------------------------------------------------------

@pytest.mark.parametrize("decorator", ["@action", "@invariant", "@inductive_invariant"])
@pytest.mark.parametrize("name, shown", [("", "'' (a str)"), ("   ", "'   ' (a str)"), ("a\nb", "'a\\nb' (a str)"),
                                         (3, "3 (an int)"), (b"Inc", "b'Inc' (a bytes)")])
def test_a_name_must_be_a_non_empty_string_on_one_line(decorator, name, shown) -> None:
    def Named(self, s):  # NAMED
        return True

    with pytest.raises(SpecError, match=exactly(
            f"{at('NAMED')}: {decorator} {Named.__qualname__}: name= must be a non-empty string on one line, "
            f"not {shown}")):
        DECORATORS[decorator](name=name)(Named)


# --- domains that cannot be domains ----------------------------------------------------------------

NOT_A_DOMAIN = "must be the name of a spec attribute (a str), members('field'), an iterable or a callable, not "


@pytest.mark.parametrize("domain, problem", [
    (None, NOT_A_DOMAIN + "None"),
    (3, NOT_A_DOMAIN + "3 (an int)"),
    (2.5, NOT_A_DOMAIN + "2.5 (a float)"),
    (True, NOT_A_DOMAIN + "True (a bool)"),
    ("range(3)", "is 'range(3)', not the name of an attribute of the spec (a domain given as a str names one, "
                 "such as 'RM')"),
    ((i for i in range(3)), "is an iterator (a generator), which the first spec instance would use up: give a "
                            "tuple, a list or a range"),
    (iter([1, 2]), "is an iterator (a list_iterator), which the first spec instance would use up: give a tuple, "
                   "a list or a range"),
])
def test_obviously_not_a_domain(domain, problem) -> None:
    def Pick(self, s, i):  # PICK
        return None

    with pytest.raises(SpecError, match=exactly(f"{at('PICK')}: @action {Pick.__qualname__}: the domain of i {problem}")):
        action(i=domain)(Pick)


@pytest.mark.parametrize("field, shown", [(3, "3 (an int)"), ("a.b", "'a.b' (a str)"), ("", "'' (a str)"),
                                          (None, "None"), (frozenset, "<class 'frozenset'> (a type)")])
def test_members_takes_a_field_name_or_a_function_of_the_state(field, shown) -> None:
    with pytest.raises(SpecError, match=exactly(
            f"{at('MEMBERS')}: members({field!r}): give the name of a field of the state (a str "
            f"identifier, such as 'msgs') or a function of the state (lambda s: ...), not {shown}")):
        members(field)  # MEMBERS


# --- what is still accepted --------------------------------------------------------------------------

def _logged(fn):
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        return fn(*args, **kwargs)
    return wrapper


class EveryForm(Base):
    """Every form of declaration the language accepts, bound and explored."""

    def __init__(self) -> None:
        super().__init__()
        self.N = Ids("N", 2)
        self.Values = (0, 1)

    def init(self):
        yield S(0)

    @action(i="N", j=range(2), k=[0], m=frozenset({1}), n=lambda self: self.Values, o=members("xs"), p=Ids("P", 1))
    def Many(self, s, i, j, k, m, n, o, p):
        return None

    @action(i=range(2))
    @_logged
    def Wrapped(self, s, i):  # (*args, **kwargs) wrapper: its signature is the wrapped function's
        return S(1) if s.x == 0 and i == 1 else None

    @action(name="Positional only")
    def Slashed(self, s, /):
        return None

    @action(i=range(1))
    def Defaults(self, s=None, i=0):
        return None

    Closure = action(lambda self, s: None)

    @invariant(name="<constraint 0>")
    def Odd(self, s):
        return True

    @inductive_invariant
    def Ind(self, s=None):
        return True

    @constraint
    def Small(self, s):
        return s.x < 5


def test_every_accepted_form_binds_and_explores() -> None:
    actions = EveryForm().actions()
    assert [a.name for a in actions] == ["Many", "Wrapped", "Positional only", "Defaults", "Closure"]  # a lambda is named by its attribute
    assert actions[0].param_names == ("i", "j", "k", "m", "n", "o", "p")
    assert actions[0].domains == ((0, 1), (0, 1), (0,), (1,), (0, 1), members("xs"), (0,))
    assert actions[1].param_names == ("i",) and actions[1].static == ((0,), (1,))
    assert EveryForm.invariant_names() == ["<constraint 0>"] and EveryForm.invariant_names(inductive=True) == ["Ind"]
    result = explore(type("NoMembers", (EveryForm,), {"Many": None})())
    assert (result.verdict, result.distinct_states) == ("ok", 2)


def test_one_decorator_object_may_declare_several_actions() -> None:
    per_rm = action(rm="RM")

    class C(Base):
        RM = (0, 1)

        @per_rm
        def Prepare(self, s, rm):
            return None

        @per_rm
        def Commit(self, s, rm):
            return None

    assert [(a.name, a.static) for a in C().actions()] == [("Prepare", ((0,), (1,))), ("Commit", ((0,), (1,)))]


def test_a_subclass_overriding_an_action_is_not_a_second_action() -> None:
    class A(Base):
        @action
        def Inc(self, s):
            return None

    class B(A):
        @action
        def Inc(self, s):
            return S(1) if s.x == 0 else None

    assert [a.fn.__func__ for a in B().actions()] == [B.Inc]
    assert explore(B()).distinct_states == 2


# --- bind time: names must tell actions, and invariants, apart -----------------------------------------

def test_two_actions_of_one_name_are_refused_naming_both() -> None:
    class C(Base):
        @action  # FIRST-INC
        def Inc(self, s):
            return None

        @action(name="Inc")  # SECOND-INC
        def Inc2(self, s):
            return None

    qual = "test_two_actions_of_one_name_are_refused_naming_both.<locals>.C"
    message = exactly(f"{at('SECOND-INC')}: action {qual}.Inc2 is named 'Inc', as is action {qual}.Inc "
                      f"({at('FIRST-INC')}): a trace could not say which one ran; give one of them another name=")
    with pytest.raises(SpecError, match=message):
        C().actions()
    with pytest.raises(SpecError, match=message):
        explore(C())


def test_two_renamed_actions_of_one_name() -> None:
    class C(Base):
        @action(name="Step")  # RENAMED-A
        def a(self, s):
            return None

        @action(name="Step")  # RENAMED-B
        def b(self, s):
            return None

    qual = "test_two_renamed_actions_of_one_name.<locals>.C"
    with pytest.raises(SpecError, match=exactly(
            f"{at('RENAMED-B')}: action {qual}.b is named 'Step', as is action {qual}.a ({at('RENAMED-A')}): a "
            "trace could not say which one ran; give one of them another name=")):
        C().actions()


@pytest.mark.parametrize("first", ["a", "b"])
def test_an_action_named_like_another_actions_method(first) -> None:
    """a is named "b" while the method b is an action named "c": a trace step "b" would read as
    method b.  a is blamed, whichever of the two comes first in the source."""
    if first == "a":
        def a(self, s):  # A-FIRST
            return None

        def b(self, s):  # B-SECOND
            return None
        where_a, where_b = at("A-FIRST"), at("B-SECOND")
    else:
        def b(self, s):  # B-FIRST
            return None

        def a(self, s):  # A-SECOND
            return None
        where_a, where_b = at("A-SECOND"), at("B-FIRST")
    cls = type("C", (Base,), {"a": action(name="b")(a), "b": action(name="c")(b)})
    with pytest.raises(SpecError, match=exactly(
            f"{where_a}: action {a.__qualname__} is named 'b', the method name of action {b.__qualname__} "
            f"({where_b}), which is named 'c': a trace naming it would point to the other method; give "
            "one of them another name=")):
        cls().actions()


def test_a_subclass_action_named_like_an_inherited_one() -> None:
    class A(Base):
        @action  # INHERITED
        def Inc(self, s):
            return None

    class B(A):
        @action(name="Inc")  # SUBCLASS
        def Bump(self, s):
            return None

    with pytest.raises(SpecError, match=exactly(
            f"{at('SUBCLASS')}: action {B.Bump.__qualname__} is named 'Inc', as is action {A.Inc.__qualname__} "
            f"({at('INHERITED')}): a trace could not say which one ran; give one of them another name=")):
        B().actions()


def test_two_invariants_of_one_name_are_refused() -> None:
    class C(Base):
        @action
        def Step(self, s):
            return None

        @invariant  # SAFETY
        def Safe(self, s):
            return True

        @inductive_invariant(name="Safe")  # INDUCTIVE
        def Ind(self, s):
            return True

    message = exactly(f"{at('INDUCTIVE')}: inductive invariant {C.Ind.__qualname__} is named 'Safe', as is "
                      f"invariant {C.Safe.__qualname__} ({at('SAFETY')}): a report, --invariant or --property could not say "
                      "which one is meant; give one of them another name=")
    with pytest.raises(SpecError, match=message):
        C.invariant_names()
    with pytest.raises(SpecError, match=message):
        C().invariants()
    with pytest.raises(SpecError, match=message):
        explore(C())


def test_an_invariant_named_like_another_invariants_method() -> None:
    class C(Base):
        @invariant(name="Other")  # INV-A
        def Mine(self, s):
            return True

        @invariant(name="Third")  # INV-B
        def Other(self, s):
            return True

    with pytest.raises(SpecError, match=exactly(
            f"{at('INV-A')}: invariant {C.Mine.__qualname__} is named 'Other', the method name of invariant "
            f"{C.Other.__qualname__} ({at('INV-B')}), which is named 'Third': a report, --invariant or --property naming it "
            "would point to the other method; give one of them another name=")):
        C.invariant_names()


def test_the_bind_time_check_of_domains_remains_for_a_declaration_made_by_hand() -> None:
    """``@action`` now refuses a domain mismatch where it is applied; binding checks it again, with
    the same message, for a declaration that did not come through the decorator."""

    def Step(self, s, j):  # BY-HAND
        return None

    Step.__dc_action__ = _ActionDecl(Step, {"i": range(2)}, "Step")
    cls = type("C", (Base,), {"Step": Step})
    message = exactly(f"{at('BY-HAND')}: @action {Step.__qualname__}: parameter j has no domain; domain i names no "
                      "parameter (parameters after self, s: j; domains for: i)")
    with pytest.raises(SpecError, match=message):
        cls().actions()

    def Decorated(self, s, j):  # BY-DECORATOR
        return None

    with pytest.raises(SpecError, match=exactly(
            f"{at('BY-DECORATOR')}: @action {Decorated.__qualname__}: parameter j has no domain; domain i names no "
            "parameter (parameters after self, s: j; domains for: i)")):
        action(i=range(2))(Decorated)


# --- the command line: an error in the class body is one line, exit code 2 ---------------------------

BAD_SPEC = textwrap.dedent('''\
    from spec import Spec, action, invariant, record


    @record
    class S:
        x: int


    class Bad(Spec):
        def init(self):
            yield S(0)

        @action(i="I")
        def Inc(self, s, j):
            return None
    ''')

DUPLICATE_SPEC = textwrap.dedent('''\
    from spec import Spec, action, record


    @record
    class S:
        x: int


    class Dup(Spec):
        def init(self):
            yield S(0)

        @action
        def Inc(self, s):
            return None

        @action(name="Inc")
        def Inc2(self, s):
            return None
    ''')


def _bad_message(path: str) -> str:
    return (f"{path}:13: @action Bad.Inc: parameter j has no domain; domain i names no parameter "
            "(parameters after self, s: j; domains for: i)")


@pytest.mark.parametrize("command", ["explore", "prove"])
def test_cli_reports_a_decoration_error_as_one_line_exit_2(tmp_path, command) -> None:
    path = tmp_path / "bad.py"
    path.write_text(BAD_SPEC)
    result = CliRunner().invoke(main, [command, f"{path}:Bad"])
    assert result.exit_code == 2, result.output
    assert result.stderr == f"distcheck: error: {_bad_message(str(path))}\n"
    assert result.stdout == ""

    result = CliRunner().invoke(main, [command, f"{path}:Bad", "--json"])
    assert result.exit_code == 2
    assert json.loads(result.stdout) == {"verdict": "error", "error": {"message": _bad_message(str(path)),
                                                                       "location": f"{path}:13"}}


def test_cli_reports_a_decoration_error_in_a_real_process(tmp_path) -> None:
    """``module:Class`` imported from the current directory, in a process of its own: one line on
    stderr, no traceback, exit code 2."""
    (tmp_path / "badspec_decorators.py").write_text(BAD_SPEC)
    env = {**os.environ, "PYTHONPATH": REPO}
    done = subprocess.run([sys.executable, "-m", "checker", "explore", "badspec_decorators:Bad"], cwd=tmp_path,
                          env=env, capture_output=True, text=True)
    assert done.returncode == 2
    assert done.stderr == f"distcheck: error: {_bad_message(str(tmp_path / 'badspec_decorators.py'))}\n"
    assert done.stdout == ""


def test_cli_reports_two_actions_of_one_name_as_one_line_exit_2(tmp_path) -> None:
    path = tmp_path / "dup.py"
    path.write_text(DUPLICATE_SPEC)
    result = CliRunner().invoke(main, ["explore", f"{path}:Dup"])
    assert result.exit_code == 2
    assert result.stderr == (f"distcheck: error: {path}:17: action Dup.Inc2 is named 'Inc', as is action Dup.Inc "
                             f"({path}:13): a trace could not say which one ran; give one of them another name=\n")
