"""Found by adversarial testing: an ``info`` operation built in Python with a *finite* return
time is accepted by ``check()``, and reaching its return node is taken as success (the search
assumes indeterminate returns sit at +infinity), so a non-linearizable history is called ok.
Both the C and the Python loop do it. Expected: either illegal (the later definite cas can never
succeed: nothing ever writes 0) or a HistoryError refusing the finite return."""

import pytest

from checker.linearizability import History, HistoryError, LinVerdict, Operation, check


def test_info_with_finite_return_is_not_a_free_pass() -> None:
    ops = (
        Operation(id=0, process=0, f="cas", input=(0, 2), output=(0, 2), type="info", call=4, ret=6),
        Operation(id=1, process=1, f="cas", input=(0, 1), output=(0, 1), type="ok", call=10, ret=11),
    )
    # the register starts nil and nothing writes 0: the ok cas(0, 1) can never be legal,
    # whether or not the indeterminate cas(0, 2) took effect
    try:
        verdict = check(History(ops), "etcd").verdict
    except HistoryError:
        return  # refusing the finite return of an indeterminate operation is fine too
    assert verdict == LinVerdict.ILLEGAL
