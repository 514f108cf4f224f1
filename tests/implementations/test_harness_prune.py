"""Leaving out the indeterminate writes nobody observed (implementations/harness/_prune.py):
sound -- the verdict is the same with and without them, against the brute-force oracle of the
linearizability tests on random small histories -- and what decides a real run with hundreds of
timeouts."""

from __future__ import annotations

import gzip
from pathlib import Path

import attrs
from hypothesis import given, settings
from hypothesis import strategies as st

from checker.linearizability import NEVER, LinVerdict, Operation, check, get_model, load_history
from implementations.harness._prune import prune_unobserved

from tests.linearizability.oracle import brute_force_linearizable

DATA = Path(__file__).resolve().parents[1] / "data" / "harness"


@st.composite
def histories(draw) -> list[Operation]:
    """Harness-shaped kv histories: unique tokens "p.n;", reads of any mix of them, cas
    expecting what may or may not be there, any completion type."""
    ops, n = [], draw(st.integers(1, 7))
    tokens = [f"{i}.0;" for i in range(n)]
    for i in range(n):
        f = draw(st.sampled_from(["get", "put", "append", "cas"]))
        key = draw(st.sampled_from(["k0", "k1"]))
        call = draw(st.integers(0, 20))
        typ = draw(st.sampled_from(["ok", "ok", "info", "info", "fail"]))
        ret = NEVER if typ == "info" else call + draw(st.integers(0, 6))
        if f == "get":
            seen = draw(st.lists(st.sampled_from(tokens), max_size=2, unique=True))
            inp, out = None, "".join(seen)
            typ = "ok" if typ == "fail" else typ
        elif f == "cas":
            old = draw(st.sampled_from([*tokens, ""]))  # (mostly a token: an observation)
            inp = out = (old, tokens[i])
        else:
            inp = out = tokens[i]
        ops.append(Operation(0, i, f, inp, out if typ != "info" else None, typ, call, ret, key))
    ops.sort(key=lambda o: o.call)
    return [attrs.evolve(o, id=i) for i, o in enumerate(ops)]


@settings(max_examples=400, deadline=None)
@given(histories())
def test_leaving_out_unobserved_info_writes_keeps_the_verdict(ops) -> None:
    pruned, n = prune_unobserved(ops)
    assert n == len(ops) - len(pruned)
    model = get_model("kv")
    assert brute_force_linearizable(list(pruned), model) == brute_force_linearizable(ops, model)


W = Operation(0, 0, "put", "0.0;", None, "info", 0, NEVER, "k")


def test_an_observed_info_write_is_kept() -> None:
    """Each way of observing a token keeps its write (and leaving it out would change the verdict:
    each history is linearizable only with the write)."""
    model = get_model("kv")
    for observer in (Operation(1, 1, "get", None, "0.0;", "ok", 5, 6, "k"),
                     Operation(1, 1, "cas", ("0.0;", "1.0;"), ("0.0;", "1.0;"), "ok", 5, 6, "k")):
        ops = [W, observer]
        assert prune_unobserved(ops)[1] == 0 and brute_force_linearizable(ops, model)
        assert not brute_force_linearizable([observer], model)
    # an info cas that expected it, then a read of what that cas wrote
    ops = [W, Operation(1, 1, "cas", ("0.0;", "1.0;"), None, "info", 2, NEVER, "k"),
           Operation(2, 2, "get", None, "1.0;", "ok", 5, 6, "k")]
    assert prune_unobserved(ops)[1] == 0 and brute_force_linearizable(ops, model)
    # unobserved, or written twice: left out / kept
    assert prune_unobserved([W, Operation(1, 1, "get", None, "", "ok", 5, 6, "k")])[1] == 1
    assert prune_unobserved([W, attrs.evolve(W, id=1, process=1)])[1] == 0


def test_a_run_with_hundreds_of_timeouts_is_decided(tmp_path) -> None:
    path = tmp_path / "history.jsonl"
    path.write_bytes(gzip.decompress((DATA / "raftkv-seed13-many-info.jsonl.gz").read_bytes()))
    h = load_history(path)
    ops, n = prune_unobserved(h.operations)
    assert len(h) == 2526 and n > 100
    r = check(attrs.evolve(h, operations=ops), "kv", timeout=60)
    assert r.verdict is LinVerdict.OK, r.reason
