"""``--checkpoint DIR`` / ``--resume DIR``: a run killed part-way and resumed gives the whole
result an uninterrupted run gives (counts, depth, verdict, trace), and a checkpoint that is not
this run's, or not intact, is refused with exit 2 -- never resumed into a wrong verdict.

The kills are real: a CLI process SIGKILLed at a moment of the test's choosing (after its
first checkpoint, at a random point of what follows, maybe while it writes the next one), or,
for many random specs in one process, a run stopped right after its k-th checkpoint.  The
uninterrupted result is computed in this process, without checkpoints or spilling.
"""

from __future__ import annotations

import io
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from typing import Any

import attrs
import pytest
from hypothesis import HealthCheck, assume, given, settings, strategies as st
from click.testing import CliRunner

from checker.cli import main
from checker.explore import _checkpoint, _seen, _spill, explore
from checker.explore.result import ExploreResult
from spec import Spec, SpecError, action, invariant, record
from spec.twophase import TwoPhase

from tests.explore import oracle
from tests.explore.test_oracle_random_specs import RandomSpec, _constraint, assert_agrees_with_oracle, random_specs

SETTINGS = settings(max_examples=15, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])


def _json(result: ExploreResult | dict[str, Any]) -> dict[str, Any]:
    doc = result.to_json() if isinstance(result, ExploreResult) else dict(result)
    doc.pop("seconds")
    return doc


def _cli(*args: str) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": os.getcwd()}
    code = "import sys; from checker.cli import main; sys.argv[0] = 'distcheck'; main()"
    return subprocess.Popen([sys.executable, "-c", code, "explore", *args, "--json", "-q"], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


# --- a real SIGKILL, then --resume --------------------------------------------------------------

@pytest.mark.parametrize(("spec", "args"), [
    (TwoPhase(n_rm=5), ["twophase", "-p", "n_rm=5"]),
    (TwoPhase(n_rm=5, bug="abort-after-prepare"), ["twophase", "-p", "n_rm=5", "-p", "bug=abort-after-prepare"]),
])
def test_sigkilled_run_resumes_to_the_uninterrupted_result(tmp_path: Any, spec: Spec, args: list[str]) -> None:
    expected = explore(spec)
    where = tmp_path / "ck"
    proc = _cli(*args, "--checkpoint", str(where), "--checkpoint-every", "0.05")
    deadline = time.monotonic() + 60
    while not (where / "checkpoint").exists() and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)
    assert (where / "checkpoint").exists(), proc.communicate()
    time.sleep(random.Random(str(args)).uniform(0, 0.05))  # anywhere in what follows, a write too
    proc.send_signal(signal.SIGKILL)
    proc.communicate()
    assert proc.returncode == -signal.SIGKILL, "the run ended before it could be killed: use a larger spec"
    resumed = _cli(*args, "--resume", str(where))
    out, err = resumed.communicate(timeout=120)
    assert resumed.returncode == expected.exit_code, err
    assert _json(json.loads(out)) == _json(expected)


# --- many specs: stopped after a checkpoint, resumed, in this process ---------------------------

_Killed = _checkpoint.Abandon


def _stop_after(k: int) -> Any:
    writes = iter(range(k, 0, -1))

    def after() -> None:
        if next(writes, 0) == 1:
            raise _Killed

    return after


def _killed_and_resumed(spec: Spec, k: int, frame: int | None = None, **kw: Any) -> tuple[ExploreResult, bool]:
    """The result of a run checkpointed often, stopped after its k-th checkpoint (if it gets that
    far), and resumed (with the frontier spilled past ``frame`` states, if given); and whether
    it was stopped."""
    with tempfile.TemporaryDirectory() as d, _knobs(frame, _stop_after(k)):
        try:
            return explore(spec, checkpoint=d, checkpoint_every=1e-9, **kw), False
        except _Killed:
            pass
        _checkpoint.AFTER_WRITE = None
        return explore(spec, checkpoint=d, checkpoint_every=1e-9, resume=True, **kw), True


class _knobs:
    def __init__(self, frame: int | None, after: Any) -> None:
        self.frame, self.after = frame, after

    def __enter__(self) -> None:
        _spill.FORCE_FRAME, _checkpoint.AFTER_WRITE = self.frame, self.after

    def __exit__(self, *exc: object) -> None:
        _spill.FORCE_FRAME = _checkpoint.AFTER_WRITE = None


def _same(a: ExploreResult, b: ExploreResult) -> bool:
    return attrs.evolve(a, seconds=0.0) == attrs.evolve(b, seconds=0.0)


@SETTINGS
@given(random_specs, st.integers(1, 2), st.sampled_from([None, 1, 2]))
def test_random_specs_resume_to_the_uninterrupted_result(spec: RandomSpec, k: int, frame: int | None) -> None:
    assume(oracle.reachable(spec, _constraint(spec)))
    plain = explore(spec)
    resumed, _stopped = _killed_and_resumed(spec, k, frame)
    assert _same(plain, resumed), f"{plain.render_text()}\n{resumed.render_text()}"
    assert_agrees_with_oracle(spec, resumed)


@pytest.mark.parametrize(("n_rm", "bug", "kw", "k", "frame"), [
    (4, "abort-after-prepare", {}, 1, 7), (5, None, {"symmetry": True, "invariants": ("TPTypeOK", "TCConsistent")}, 1, None), (5, None, {"max_depth": 11}, 2, 7),
    (5, None, {"max_states": 5000}, 1, 3),
])
def test_twophase_resumes_with_options_and_limits(n_rm: int, bug: str | None, kw: dict[str, Any], k: int,
                                                  frame: int | None) -> None:
    spec = TwoPhase(n_rm=n_rm, bug=bug)
    plain = explore(spec, **kw)
    resumed, stopped = _killed_and_resumed(spec, k, frame, **kw)
    assert stopped
    assert _same(plain, resumed), f"{plain.render_text()}\n{resumed.render_text()}"


def test_a_time_limit_leaves_a_checkpoint_the_run_goes_on_from(tmp_path: Any) -> None:
    """The time limit counts the whole run: what went before is counted on resume.  (6 RMs:
    the run must outlast 0.2 s on a fast machine too -- 5 RMs take about 0.15 s.)"""
    spec = TwoPhase(n_rm=6)
    stopped = explore(spec, checkpoint=tmp_path, timeout=0.2)
    assert stopped.verdict == "unknown" and "time limit" in (stopped.limit or "")
    again = explore(spec, checkpoint=tmp_path, resume=True, timeout=0.2)  # no time left: stops at its first look
    assert again.verdict == "unknown" and "time limit" in (again.limit or "")
    assert again.seconds >= stopped.seconds
    done = explore(spec, checkpoint=tmp_path, resume=True)
    assert _same(done, explore(spec))
    assert done.seconds > stopped.seconds


# --- refusals -----------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def checkpointed() -> Iterator[str]:
    """A directory with a checkpoint of TwoPhase(n_rm=4) part-way."""
    with tempfile.TemporaryDirectory() as d, _knobs(5, _stop_after(1)):
        with pytest.raises(_Killed):
            explore(TwoPhase(n_rm=4), checkpoint=d, checkpoint_every=1e-9)
        yield d


@pytest.mark.parametrize(("args", "differs"), [
    (["-p", "n_rm=3"], "parameters"),
    (["-p", "bug=early-commit"], "parameters"),
    # (the invariants named, as the checkpoint's run checked them: --symmetry refuses TwoPhase's
    # temporal property Termination otherwise)
    (["--symmetry", "--inv", "TPTypeOK", "--inv", "TCConsistent"], "symmetry"),
    (["--inv", "TCConsistent"], "invariants"),
    (["--no-deadlock"], "deadlock check"),
    (["--max-depth", "5"], "max_depth"),
])
def test_resuming_another_run_is_refused(checkpointed: str, args: list[str], differs: str) -> None:
    r = CliRunner().invoke(main, ["explore", "twophase", "-p", "n_rm=4", *args, "--resume", checkpointed, "--json"])
    assert r.exit_code == 2, r.output
    message = json.loads(r.stdout)["error"]["message"]
    assert "checkpoint is of another run" in message and f"its {differs} is" in message


def test_resuming_another_spec_class_is_refused(checkpointed: str) -> None:
    r = CliRunner().invoke(main, ["explore", "tcommit", "--resume", checkpointed])
    assert r.exit_code == 2 and "spec class" in r.stderr


def test_the_same_run_resumes_with_other_limits(checkpointed: str, tmp_path: Any) -> None:
    copy = tmp_path / "ck"
    copy.mkdir()
    (copy / "checkpoint").write_bytes(open(os.path.join(checkpointed, "checkpoint"), "rb").read())
    r = CliRunner().invoke(main, ["explore", "twophase", "-p", "n_rm=4", "--resume", str(copy), "--json",
                                  "--timeout", "100", "--max-states", "100000"])
    assert r.exit_code == 0, r.output
    assert _json(json.loads(r.stdout)) == _json(explore(TwoPhase(n_rm=4)))


def test_corrupt_or_truncated_checkpoints_are_refused(checkpointed: str, tmp_path: Any) -> None:
    data = open(os.path.join(checkpointed, "checkpoint"), "rb").read()
    rng = random.Random(0)
    bad = [data[:n] for n in (0, 10, 30, len(data) // 2, len(data) - 1)] + [data + b"x"]
    for at in [0, 25, 40, len(data) // 3, len(data) // 2, len(data) - 40, len(data) - 1, *rng.sample(range(len(data)), 12)]:
        bad.append(data[:at] + bytes([data[at] ^ (1 << rng.randrange(8))]) + data[at + 1:])
    for i, corrupt in enumerate(bad):
        d = tmp_path / str(i)
        d.mkdir()
        (d / "checkpoint").write_bytes(corrupt)
        with pytest.raises(SpecError, match="corrupt or incomplete|another run|format version") as e:
            explore(TwoPhase(n_rm=4), checkpoint=d, resume=True)
        assert str(d) in str(e.value)
    r = CliRunner().invoke(main, ["explore", "twophase", "-p", "n_rm=4", "--resume", str(tmp_path / "3")])
    assert r.exit_code == 2 and "corrupt or incomplete" in r.stderr


def test_usage_errors(tmp_path: Any, checkpointed: str) -> None:
    cases = [
        (["--mode", "dfs", "--checkpoint", str(tmp_path / "a")], "--mode bfs only"),
        (["--mode", "simulate", "--resume", checkpointed], "--mode bfs only"),
        (["--resume", str(tmp_path / "none")], "no such directory"),
        (["--resume", str(tmp_path)], "holds no checkpoint"),
        (["--checkpoint", checkpointed], "already holds a checkpoint"),
        (["--checkpoint", str(tmp_path / "a"), "--resume", checkpointed], "different directories"),
    ]
    for args, message in cases:
        r = CliRunner().invoke(main, ["explore", "twophase", *args])
        assert r.exit_code == 2 and message in r.stderr, (args, r.output)


def test_states_of_a_class_defined_in_a_function_are_refused(tmp_path: Any) -> None:
    @record
    class Local:
        x: int

    class InFunction(Spec):
        def init(self) -> Any:
            yield Local(0)

        @action()
        def step(self, s: Local) -> Local | None:
            return Local(s.x + 1) if s.x < 3 else None

        @invariant
        def Small(self, s: Local) -> bool:
            return s.x < 10

    with pytest.raises(SpecError, match="at module level"):
        explore(InFunction(), checkpoint=tmp_path)
    _spill.FORCE_FRAME = 1  # (spilling alone needs no such thing: it stays in this process)
    try:
        assert _same(explore(InFunction()), explore(InFunction(), memory_limit=2**40))
    finally:
        _spill.FORCE_FRAME = None


def test_a_full_disk_ends_the_run_unknown(tmp_path: Any, monkeypatch: Any) -> None:
    def no_space(fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", no_space)
    r = explore(TwoPhase(n_rm=5), checkpoint=tmp_path, checkpoint_every=1e-9)
    assert r.verdict == "unknown" and "could not write the checkpoint" in (r.limit or "")
    assert "No space left on device" in (r.limit or "")


# --- the seen-set's dump format, shared by the C table and the fallback -------------------------

def _implementations() -> list[type]:
    impls: list[type] = [_seen.PySeenSet]
    try:
        from checker.explore._cseen import SeenSet  # type: ignore[import-not-found]
    except ImportError:
        if os.environ.get("CI"):
            raise
    else:
        impls.append(SeenSet)
    return impls


FPS = st.one_of(st.integers(0, 2**64 - 1), st.sampled_from([0, 1, 2**64 - 1, 2**63]))


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(FPS, st.none() | FPS | st.integers(0, 40)), max_size=60), st.integers(0, 2000))
def test_seen_set_dumps_load_into_either_implementation(entries: list[tuple[int, Any]], bulk: int) -> None:
    """Parents refer to members (small ints: an earlier entry's index), to None, or to a
    fingerprint that is not a member (a worker's foreign parent); bulk insertions make the table
    grow past its first size."""
    for make in _implementations():
        seen = make()
        keys: list[int] = []
        for fp, p in entries:
            parent = keys[p % len(keys)] if isinstance(p, int) and p <= 40 and keys else p
            seen[fp] = parent
            keys.append(fp)
        for i in range(bulk):
            seen[(i * 0x9E3779B97F4A7C15 + 12345) % 2**64] = keys[-1] if keys else None
        buf = io.BytesIO()
        seen.dump(buf.write)
        data = buf.getvalue()
        for other in _implementations():
            loaded = other.load(io.BytesIO(data).read)
            assert list(loaded) == list(seen) and [loaded[k] for k in loaded] == [seen[k] for k in seen]
            again = io.BytesIO()  # (not always the same bytes: the C table keeps unused foreign parents)
            loaded.dump(again.write)
            twice = other.load(io.BytesIO(again.getvalue()).read)
            assert list(twice) == list(seen) and [twice[k] for k in twice] == [seen[k] for k in seen]
            loaded[7] = None  # and it still grows
            assert 7 in loaded


def test_seen_set_load_refuses_what_is_not_a_dump() -> None:
    seen = _seen.PySeenSet()
    seen[5], seen[6] = None, 5
    buf = io.BytesIO()
    seen.dump(buf.write)
    data = buf.getvalue()
    n_fps = 24 + 16
    bad = [data[:-1], b"DCSEEN02" + data[8:], data[:8] + (2**40).to_bytes(8, "little") + data[16:],
           data[:24] + data[24:32] * 2 + data[n_fps:],  # a fingerprint twice
           data[:n_fps + 4] + (9).to_bytes(4, "little") + data[n_fps + 8:]]  # a parent out of range
    for make in _implementations():
        for b in bad:
            with pytest.raises(ValueError):
                make.load(io.BytesIO(b).read)
