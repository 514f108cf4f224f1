"""Found by adversarial testing: Ray actors and checkpoints identify the spec by its class and
``param_values()`` (the constructor's arguments), not by the instance explored.  A spec
configured after construction (``sp.limit = 4``), or whose ``__init__`` reads anything else, is
then rebuilt differently in the actors / accepted by ``--resume``:

* ``--backend ray`` gives ``deadlock`` with every state, where one process and forked workers
  give the violation (the actors' ``Small`` is the constructor's, 99);
* resuming a checkpoint of the ``limit=99`` instance with the ``limit=4`` one is accepted and
  reports a violation trace longer than the shortest one (BFS's promise).

Expected: the same result as one process, or a SpecError saying the instance cannot be
rebuilt / the checkpoint is of another run.
"""

from __future__ import annotations

import tempfile

import attrs
import pytest

from checker.explore import _checkpoint, _parallel, explore
from spec import Ids, Ints, RecordOf, Spec, SpecError, TupleOf, action, invariant, record


@record
class Grid:
    xs: tuple[int, ...]


class Counters(Spec):
    """Four counters 0..12; ``Small``: their sum stays below ``limit``."""

    def __init__(self, limit: int = 99) -> None:
        super().__init__()
        self.limit = limit
        self.N = Ids("N", 4)
        self.state_type = RecordOf(Grid, xs=TupleOf(self.N, Ints(0, 12)))

    def init(self):
        yield Grid((0, 0, 0, 0))

    @action(i="N")
    def Inc(self, s: Grid, i: int) -> Grid | None:
        if s.xs[i] >= 12:
            return None
        return Grid(s.xs[:i] + (s.xs[i] + 1,) + s.xs[i + 1:])

    @invariant
    def Small(self, s: Grid) -> bool:
        return sum(s.xs) < self.limit


LIMIT = 30


def configured(limit: int) -> Counters:
    sp = Counters()
    sp.limit = limit  # configured after construction
    return sp


def _same(a, b) -> bool:
    return attrs.evolve(a, seconds=0.0, workers=1) == attrs.evolve(b, seconds=0.0, workers=1)


def test_ray_explores_the_instance_given(monkeypatch: pytest.MonkeyPatch) -> None:
    ray = pytest.importorskip("ray")
    monkeypatch.setattr(_parallel, "HANDOFF_LEVEL", 5)
    ray.init(num_cpus=2, _node_ip_address="127.0.0.1", include_dashboard=False, log_to_driver=False)
    try:
        one = explore(configured(LIMIT))
        try:
            on_ray = explore(configured(LIMIT), workers=2, backend="ray", address="auto")
        except SpecError:
            return  # refusing an instance it cannot rebuild is fine
        assert _same(one, on_ray), (one.render_text(), on_ray.render_text())
    finally:
        ray.shutdown()


def test_resume_with_another_instance_is_refused() -> None:
    written = [0]

    def stop() -> None:
        written[0] += 1
        if written[0] == 3:
            raise _checkpoint.Abandon

    with tempfile.TemporaryDirectory() as d:
        _checkpoint.AFTER_WRITE = stop
        try:
            explore(configured(99), checkpoint=d, checkpoint_every=1e-9)
        except _checkpoint.Abandon:
            pass
        finally:
            _checkpoint.AFTER_WRITE = None
        try:
            resumed = explore(configured(LIMIT), checkpoint=d, checkpoint_every=1e9, resume=True)
        except SpecError:
            return
    assert _same(resumed, explore(configured(LIMIT))), resumed.render_text()
