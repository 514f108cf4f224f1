"""One run: start the system, drive it with clients and the nemesis, record, stop, check, report.

The phases, each bounded in time (Jepsen's ``jepsen.core/run!`` on one machine):

1. **start** the system's nodes in a fresh temporary directory;
2. **drive** for ``duration`` seconds: ``clients`` worker threads, each a Jepsen *process* that
   invokes one operation at a time (rate-limited, staggered), while the nemesis thread injects
   faults; a worker whose operation ends ``info`` retires its process -- the request may still be
   in flight -- and carries on as process ``p + clients``, with a new client, as Jepsen does;
3. **heal** every fault, wait ``recover`` seconds, then **final reads**: one ``get`` of every key
   (retried up to 3 times), so that a lost write has a read to be missed by;
4. **stop**: every process and the temporary directory go, in a ``finally`` -- also on Ctrl-C
   (SIGINT), SIGTERM, a crash of the harness, or a system whose ``start`` raised; node logs are
   copied into the output directory first;
5. **check** the history as written to ``history.jsonl`` (so that ``distcheck lin`` on the file
   says the same): linearizability (kv model, with a time-out) and lost writes (:mod:`._lost`).

The hard deadline: a worker still inside ``invoke`` ``op_timeout + 2`` s after the drive phase
ended is abandoned (its thread is a daemon), its operation recorded ``info``.
"""

from __future__ import annotations

import contextlib
import datetime
import inspect
import itertools
import math
import os
import random
import shutil
import signal
import tempfile
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import attrs

from checker import exitcodes
from checker.errors import HistoryError
from checker.results import Verdict
from implementations import _process
from implementations.api import Client, Completion, Op, System

from ._lost import LostResult, check_lost
from ._nemesis import FaultWindow, Nemesis, parse_nemesis
from ._prune import prune_unobserved
from ._plot import latency_svg
from ._recorder import Recorder
from ._workload import DEFAULT_MIX, Workload, parse_mix
from .systems import SYSTEMS

__all__ = ["HarnessError", "RunResult", "RunVerdict", "UsageError", "load_system", "run"]


class UsageError(ValueError):
    """Bad arguments or an unknown system (exit code 2); the message is one line."""


class HarnessError(RuntimeError):
    """The system could not be started (exit code 2); the message is one line."""


class RunVerdict(Verdict):
    """The verdict on a run."""

    #: linearizable, and no acknowledged write lost
    OK = "ok", exitcodes.OK
    #: not linearizable, or a write lost or read stale
    VIOLATION = "violation", exitcodes.VIOLATION
    #: the check timed out (or the run could not be completed) and no violation was found
    UNKNOWN = "unknown", exitcodes.UNKNOWN


def load_system(system: str | type | System) -> System:
    """A System instance: from a registered name (:data:`.systems.SYSTEMS`), a
    ``module:Class`` or ``file.py:Class`` target, a class, or an instance."""
    from checker._imports import import_module_or_file

    if isinstance(system, str):
        target = SYSTEMS.get(system, system)
        if ":" not in target:
            raise UsageError(f"unknown system {system!r}: give one of {', '.join(SYSTEMS)} or module:Class")
        module_name, _, attr = target.rpartition(":")
        module = import_module_or_file(module_name, f"system {system!r}", UsageError)
        cls = getattr(module, attr, None)
        if cls is None:
            raise UsageError(f"module {module_name!r} has no attribute {attr!r} (system {system!r})")
        system = cls
    if inspect.isclass(system):
        try:
            system = system()
        except Exception as e:  # noqa: BLE001 -- user code
            raise UsageError(f"cannot create system {getattr(system, '__name__', system)}: {type(e).__name__}: {e}") from None
    missing = [m for m in ("start", "open_client", "stop") if not callable(getattr(system, m, None))]
    if missing or not isinstance(getattr(system, "faults", None), (frozenset, set)):
        raise UsageError(f"{type(system).__name__} is not a System (implementations.api): "
                         + (f"no {', '.join(missing)}" if missing else "no faults set"))
    return system  # type: ignore[return-value]


@attrs.frozen
class RunResult:
    """What a run found, and where its files are.  ``verdict`` combines both checkers:
    ``violation`` if either found one (each is certain), else ``unknown`` if the
    linearizability check did not finish, else ``ok``."""

    verdict: RunVerdict
    system: str
    config: dict[str, Any]
    out_dir: Path
    counts: dict[str, Any]
    windows: tuple[FaultWindow, ...]
    latency_ms: dict[str, float | None]
    linearizability: dict[str, Any]
    lost: LostResult | None
    reason: str | None
    seconds: float
    lin_result: Any = attrs.field(default=None, repr=False, eq=False)
    #: the system's own check of what its nodes wrote (``System.check_logs``), if it has one
    system_check: dict[str, Any] | None = None

    @property
    def exit_code(self) -> int:
        return self.verdict.exit_code

    def to_json(self) -> dict[str, Any]:
        return {
            "verdict": str(self.verdict),
            "system": self.system,
            "config": self.config,
            "out_dir": str(self.out_dir),
            "counts": self.counts,
            "fault_windows": [w.to_json() for w in self.windows],
            "latency_ms": self.latency_ms,
            "linearizability": self.linearizability,
            "lost_writes": None if self.lost is None else self.lost.to_json(),
            "reason": self.reason,
            "seconds": round(self.seconds, 3),
            "system_check": self.system_check,
        }

    def render_text(self) -> str:
        c, cfg = self.counts, self.config
        nem = ",".join(cfg["nemesis"]) or "none"
        lines = [
            f"distcheck run {self.system}: {cfg['nodes']} nodes, {cfg['clients']} clients, "
            f"{cfg['duration']:g} s, nemesis {nem}"
            + (f" (interval {cfg['nemesis_interval']:g} s)" if cfg["nemesis"] else "")
            + f", seed {cfg['seed']}",
            f"operations: {c['operations']} (ok {c['ok']}, fail {c['fail']}, info {c['info']})"
            + "; " + ", ".join(f"{f} {n['ok']}/{n['fail']}/{n['info']}" for f, n in c["by_f"].items())
            + " (ok/fail/info)",
        ]
        lines.append(f"fault windows: {len(self.windows)}")
        for w in self.windows:
            stop = f"{w.stop / 1e9:.2f}" if w.stop is not None else "end"
            lines.append(f"  {w.start / 1e9:7.2f} - {stop} s  {w.name} {w.detail}")
        lat = self.latency_ms
        if lat.get("p50") is not None:
            lines.append("latency of ok and fail operations (ms): " + "  ".join(
                f"{k} {v:.2f}" for k, v in lat.items() if v is not None))
        lin = self.linearizability
        lines.append(f"linearizability: {lin['verdict']}" + (f" ({lin['reason']})" if lin.get("reason") else
                     f" ({lin.get('seconds', 0):.2f} s)"))
        if self.lin_result is not None and self.lin_result.verdict == "illegal":
            lines.extend("  " + ln for ln in self.lin_result.render_text().splitlines()[1:12])
        if self.lost is not None:
            lo = self.lost
            if lo.ok:
                lines.append(f"lost writes: none ({lo.writes} ok writes, {lo.reads} ok reads)")
            else:
                lines.append(f"lost writes: {len(lo.lost)} lost, {len(lo.stale)} read stale "
                             f"(of {lo.writes} ok writes)")
                lines.extend("  " + x.describe() for x in lo.losses[:10])
                if len(lo.losses) > 10:
                    lines.append(f"  ... and {len(lo.losses) - 10} more (results.json)")
        if self.system_check is not None:
            lines.append(f"the system's own check: {self.system_check['verdict']} "
                         f"({self.system_check['file']})")
            lines.extend("  " + ln for ln in self.system_check["text"].splitlines()[:12])
        if c["ok"] == 0:
            lines.append("warning: no operation succeeded: the history says little")
        if self.reason:
            lines.append(f"note: {self.reason}")
        lines.append(f"verdict: {self.verdict}  ({self.out_dir})")
        return "\n".join(lines)


@attrs.define
class RunConfig:
    nodes: int
    clients: int
    duration: float
    nemesis: tuple[str, ...]
    nemesis_interval: float
    keys: int
    rate: float
    mix: dict[str, int]
    options: dict[str, Any]
    seed: int
    op_timeout: float
    check_timeout: float
    recover: float

    def to_json(self) -> dict[str, Any]:
        return attrs.asdict(self, recurse=False) | {"nemesis": list(self.nemesis)}


def _positive(name: str, v: float, integer: bool = False) -> None:
    if integer and (not isinstance(v, int) or isinstance(v, bool)):
        raise UsageError(f"{name} must be an integer, got {v!r}")
    if not isinstance(v, (int, float)) or not math.isfinite(v) or v <= 0:
        raise UsageError(f"{name} must be a finite positive number, got {v!r}")


def run(
    system: str | type | System,
    *,
    nodes: int = 3,
    clients: int = 5,
    duration: float = 10.0,
    nemesis: str | Sequence[str] = (),
    nemesis_interval: float = 2.0,
    keys: int = 3,
    rate: float = 100.0,
    mix: str | Mapping[str, int] = DEFAULT_MIX,
    options: Mapping[str, Any] | None = None,
    seed: int | None = None,
    op_timeout: float = 1.0,
    check_timeout: float = 60.0,
    recover: float = 1.0,
    out: str | os.PathLike[str] = "runs",
    progress: bool = False,
) -> RunResult:
    """Run ``system`` under the workload and the nemesis, record, check; files go to
    ``out/<system>-<timestamp>/``.  Raises :class:`UsageError` for bad arguments,
    :class:`HarnessError` if the system cannot start, KeyboardInterrupt on Ctrl-C (after cleanup).

        >>> r = run("toy", nodes=3, clients=4, duration=2, nemesis="partition,kill", seed=1)
        >>> r.verdict, r.exit_code
        (<RunVerdict.OK: 'ok'>, 0)
    """
    for name, v, integer in (("nodes", nodes, True), ("clients", clients, True), ("keys", keys, True),
                             ("duration", duration, False), ("rate", rate, False),
                             ("nemesis_interval", nemesis_interval, False), ("op_timeout", op_timeout, False),
                             ("check_timeout", check_timeout, False)):
        _positive(name, v, integer)
    if not (isinstance(recover, (int, float)) and math.isfinite(recover) and recover >= 0):
        raise UsageError(f"recover must be a finite number >= 0, got {recover!r}")
    try:
        mix_d = parse_mix(mix) if isinstance(mix, str) else parse_mix(",".join(f"{k}={v}" for k, v in mix.items()))
    except ValueError as e:
        raise UsageError(str(e)) from None
    sys_obj = load_system(system)
    name = str(getattr(sys_obj, "name", type(sys_obj).__name__))
    try:
        nem = parse_nemesis(nemesis, sys_obj, nodes)
    except ValueError as e:
        raise UsageError(str(e)) from None
    if seed is None:
        seed = random.SystemRandom().randrange(2**31)
    cfg = RunConfig(nodes, clients, float(duration), nem, float(nemesis_interval), keys, float(rate), mix_d,
                  dict(options or {}), int(seed), float(op_timeout), float(check_timeout), float(recover))
    out_dir = _out_dir(Path(out), name)
    t_start = time.monotonic()
    recorder = Recorder()
    errors: list[str] = []
    windows: list[FaultWindow] = []
    with _cleanup_on_signals():
        workdir = Path(tempfile.mkdtemp(prefix=f"distcheck-{name}-"))
        try:
            try:
                sys_obj.start(nodes, workdir, dict(cfg.options))
            except KeyboardInterrupt:
                raise
            except BaseException as e:  # noqa: BLE001 -- user code (a SystemExit too)
                raise HarnessError(f"cannot start system {name}: {type(e).__name__}: {_one_line(e)}") from None
            windows = _drive(sys_obj, cfg, recorder, errors, progress)
        finally:
            # a second Ctrl-C or SIGTERM must not cut the cleanup short; nor a failing stop()
            with _signals_deferred():
                with contextlib.suppress(Exception):
                    sys_obj.stop()
                _process.stop_all()
                _copy_logs(workdir, out_dir / "logs")
                shutil.rmtree(workdir, ignore_errors=True)
                if out_dir.exists() and not any(out_dir.iterdir()):
                    out_dir.rmdir()
        own = _system_check(sys_obj, out_dir, errors)
        return write_report(name, cfg, recorder, windows, errors, out_dir, time.monotonic() - t_start,
                            system_check=own)


def _system_check(system: Any, out_dir: Path, errors: list[str]) -> dict[str, Any] | None:
    """The system's own check of its nodes' files (optional ``check_logs(logs_dir)``, returning
    None or ``(verdict, text)`` with verdict ``ok``/``violation``/``unknown``), its text in
    ``system_check.txt``.  A check that fails is an error of the run: its verdict is unknown."""
    check = getattr(system, "check_logs", None)
    if check is None:
        return None
    try:
        found = check(out_dir / "logs")
    except KeyboardInterrupt:
        raise
    except BaseException as e:  # noqa: BLE001 -- the system's code (a SystemExit too)
        errors.append(f"the system's own check failed: {type(e).__name__}: {_one_line(e)}")
        return None
    if found is None:
        return None
    if not (isinstance(found, tuple) and len(found) == 2 and found[0] in ("ok", "violation", "unknown")
            and isinstance(found[1], str)):
        errors.append(f"the system's own check gave {repr(found)[:200]}, not (verdict, text) with "
                      "verdict ok, violation or unknown")
        return None
    verdict, text = found
    out_dir.mkdir(parents=True, exist_ok=True)  # (emptied and removed when the nodes left no logs)
    f = out_dir / "system_check.txt"
    f.write_text(text + "\n", encoding="utf-8")
    return {"verdict": verdict, "file": str(f), "text": text}


# --- the drive phase ------------------------------------------------------------------------------

class _Worker:
    """One client thread: a Jepsen process, renumbered (``+ clients``) after each ``info``."""

    def __init__(self, index: int, system: System, cfg: RunConfig, recorder: Recorder,
                 stop: threading.Event, end: float, errors: list[str]) -> None:
        self.process = index
        self.system, self.cfg, self.recorder = system, cfg, recorder
        self.stop, self.end, self.errors = stop, end, errors
        self.workload = Workload(cfg.seed, index, cfg.keys, cfg.mix)
        self.pace = random.Random(f"{cfg.seed}/pace/{index}")
        self.client: Client | None = None
        self.thread = threading.Thread(target=self._main, name=f"client-{index}", daemon=True)

    def _open(self) -> bool:
        while not self.stop.is_set() and time.monotonic() < self.end:
            try:
                self.client = self.system.open_client(self.process)
                return True
            except Exception:  # noqa: BLE001 -- the system may be down; try again shortly
                self.stop.wait(0.1)
        return False

    def _close(self) -> None:
        if self.client is not None:
            with contextlib.suppress(Exception):
                self.client.close()
            self.client = None

    def _main(self) -> None:
        try:
            interval = self.cfg.clients / self.cfg.rate  # the mean time between two ops of one worker
            due = time.monotonic() + self.pace.uniform(0, interval)
            while not self.stop.is_set():
                if self.stop.wait(max(0.0, due - time.monotonic())) or time.monotonic() >= self.end:
                    break
                if self.client is None and not self._open():
                    break
                op = self.workload.next_op(self.process)
                done = invoke(self.recorder, self.client, self.process, op, self.cfg.op_timeout)
                self.workload.observe(op, done.type == "ok", done.value)
                if done.type == "info":
                    self._close()
                    self.process += self.cfg.clients
                due = max(due, time.monotonic()) + self.pace.uniform(0, 2 * interval)
        except BaseException as e:  # noqa: BLE001 -- a harness bug: reported, the run stops
            self.errors.append(f"client thread {self.thread.name}: {type(e).__name__}: {_one_line(e)}")
            self.stop.set()
        finally:
            self._close()


def invoke(recorder: Recorder, client: Any, process: int, op: Op, op_timeout: float) -> Completion:
    """Record the invocation, run it, record its completion.  A client that raises, or returns
    something that is no Completion, leaves the outcome unknown: ``info``."""
    value = list(op.value) if op.f == "cas" else op.value
    recorder.invoke(process, op.f, op.key, value)
    try:
        done = client.invoke(op, time.monotonic() + op_timeout)
        if not isinstance(done, Completion):
            done = Completion("info", error=f"client returned {type(done).__name__}, not a Completion")
    except Exception as e:  # noqa: BLE001 -- user code; the outcome is unknown
        done = Completion("info", error=f"client raised {type(e).__name__}: {_one_line(e)}")
    if op.f == "get" and done.type == "ok" and not _is_data(done.value):
        # a value the history cannot hold says nothing the checker can use: outcome unknown
        done = Completion("info", error=f"client read a {type(done.value).__name__}, not a JSON value")
    out = done.value if op.f == "get" and done.type == "ok" else (None if op.f == "get" else value)
    recorder.complete(process, done.type, op.f, op.key, out, done.error)
    return done


def _is_data(v: Any) -> bool:
    import json

    try:
        json.dumps(v, allow_nan=False)
        return True
    except (TypeError, ValueError):
        return False


#: how long the nemesis may take to undo its last fault (a restart waits for the node to serve)
_HEAL_SECONDS = 15.0


def _drive(system: System, cfg: RunConfig, recorder: Recorder, errors: list[str], progress: bool) -> list[FaultWindow]:
    stop = threading.Event()
    t0 = time.monotonic()
    end = t0 + cfg.duration
    workers = [_Worker(i, system, cfg, recorder, stop, end, errors) for i in range(cfg.clients)]

    def nemesis_failed(e: BaseException) -> None:
        errors.append(f"nemesis: {type(e).__name__}: {_one_line(e)}")
        stop.set()

    nemesis = Nemesis(system, cfg.nemesis, cfg.nodes, cfg.nemesis_interval, cfg.seed, recorder, nemesis_failed)
    try:
        with _progress(progress, cfg.duration) as tick:
            nemesis.start()
            for w in workers:
                w.thread.start()
            while not stop.is_set() and time.monotonic() < end:
                stop.wait(min(0.1, max(0.0, end - time.monotonic())))
                tick(time.monotonic() - t0, recorder, nemesis.current)
            stop.set()
            hard = time.monotonic() + cfg.op_timeout + 2
            for w in workers:
                w.thread.join(max(0.0, hard - time.monotonic()))
            nemesis.finish(max(_HEAL_SECONDS, hard - time.monotonic()))
            if nemesis.thread.is_alive():
                errors.append(f"the nemesis did not finish healing within {_HEAL_SECONDS:g} s: the "
                              "final reads would not be after a healed system")
            stuck = [w.thread.name for w in workers if w.thread.is_alive()]
            if stuck:
                errors.append(f"{len(stuck)} client(s) still inside invoke after the hard deadline "
                              f"(their operations are recorded info): {', '.join(stuck)}")
            if not errors:
                time.sleep(cfg.recover)
                # in a thread of its own, so that a client ignoring its deadline cannot hold the run
                final = threading.Thread(target=_final_reads, args=(system, cfg, recorder, workers),
                                         name="final-reads", daemon=True)
                final.start()
                limit = cfg.keys * 3 * cfg.op_timeout + 2
                final.join(limit)
                if final.is_alive():
                    errors.append(f"the final reads did not end within {limit:g} s (a client ignored "
                                  "its deadline; their operations are recorded info)")
            tick(time.monotonic() - t0, recorder, None)
    finally:
        stop.set()
        # wait for a fault being undone (a restart) before the system is stopped, or it would
        # start a process after the cleanup
        nemesis.finish(_HEAL_SECONDS)
        recorder.close("no completion by the run's hard deadline")
    return nemesis.windows


def _final_reads(system: System, cfg: RunConfig, recorder: Recorder, workers: Sequence[_Worker]) -> None:
    """After the heal: read every key once (up to 3 tries), each try from a fresh process."""
    fresh = itertools.count(max(w.process for w in workers) + 1)
    for i in range(cfg.keys):
        for _try in range(3):
            process = next(fresh)
            try:
                client = system.open_client(process)
            except Exception:  # noqa: BLE001
                continue
            try:
                done = invoke(recorder, client, process, Op("get", f"k{i}"), cfg.op_timeout)
            finally:
                with contextlib.suppress(Exception):
                    client.close()
            if done.type == "ok":
                break


@contextlib.contextmanager
def _progress(enabled: bool, duration: float) -> Iterator[Any]:
    if not enabled:
        yield lambda *a: None
        return
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    with Progress(TextColumn("[bold]{task.description}"), BarColumn(), TimeElapsedColumn(),
                  TextColumn("{task.fields[status]}"), console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task("running", total=duration, status="")

        def tick(elapsed: float, recorder: Recorder, fault: str | None) -> None:
            counts = {"ok": 0, "fail": 0, "info": 0}
            for ev in recorder.events[-5000:]:  # a cheap, recent view; the summary has the totals
                if ev["type"] in counts and ev["process"] != "nemesis":
                    counts[ev["type"]] += 1
            bar.update(task, completed=min(elapsed, duration),
                       status=f"{len(recorder.events)} events  ok {counts['ok']} fail {counts['fail']} "
                              f"info {counts['info']} (last 5000)  fault: {fault or '-'}")

        yield tick


@contextlib.contextmanager
def _cleanup_on_signals() -> Iterator[None]:
    """SIGTERM (and SIGHUP) raise KeyboardInterrupt in the main thread, as SIGINT does, so that
    the run's ``finally`` cleans up whichever way it is stopped."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def interrupt(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt(signal.Signals(signum).name)

    saved = {s: signal.signal(s, interrupt) for s in (signal.SIGTERM, signal.SIGHUP)}
    try:
        yield
    finally:
        for s, h in saved.items():
            signal.signal(s, h)


@contextlib.contextmanager
def _signals_deferred() -> Iterator[None]:
    """SIGINT, SIGTERM and SIGHUP are held off for the block (the cleanup after a first one);
    one that arrived meanwhile is raised, as KeyboardInterrupt, after it."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    arrived: list[int] = []
    sigs = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
    saved = {s: signal.signal(s, lambda signum, frame: arrived.append(signum)) for s in sigs}
    try:
        yield
    finally:
        for s, h in saved.items():
            signal.signal(s, h)
    if arrived:
        raise KeyboardInterrupt(signal.Signals(arrived[0]).name)


# --- files and the report -------------------------------------------------------------------------

def _out_dir(out: Path, name: str) -> Path:
    stamp = datetime.datetime.now().strftime("%Y%m%dT%H%M%S")
    safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in name)
    try:  # (a dangling symlink or a file named `out` is an error here, not a name to skip)
        out.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise UsageError(f"{out}: cannot create the output directory: {e.strerror or e}") from None
    for n in range(1000):
        d = out / (f"{safe}-{stamp}" + (f"-{n}" if n else ""))
        try:
            d.mkdir()
            return d
        except FileExistsError:
            continue
        except OSError as e:
            raise UsageError(f"{out}: cannot create the run's directory: {e.strerror or e}") from None
    raise UsageError(f"{out}: 1000 runs of {name} started this second already")


def _copy_logs(workdir: Path, dest: Path) -> None:
    with contextlib.suppress(OSError):
        for p in workdir.rglob("*.log"):
            target = dest / p.relative_to(workdir)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(p, target)


def _one_line(e: BaseException) -> str:
    return " ".join(str(e).split()) or type(e).__name__


def _percentile(sorted_v: Sequence[float], q: float) -> float | None:
    if not sorted_v:
        return None
    # nearest rank, as Jepsen's perf checker reports them
    return sorted_v[min(len(sorted_v) - 1, max(0, math.ceil(q * len(sorted_v)) - 1))]


def write_report(name: str, cfg: RunConfig, recorder: Recorder, windows: list[FaultWindow],
                 errors: list[str], out_dir: Path, seconds: float, timeline: bool = True,
                 system_check: dict[str, Any] | None = None) -> RunResult:
    """Write the run's files in ``out_dir`` and check its history (linearizability, lost
    writes); ``timeline=False`` skips timeline.html (the simulator's campaigns check thousands
    of runs and keep the files of a failing one only)."""
    from checker.linearizability import check, load_history
    from checker.linearizability._html import render_html

    out_dir.mkdir(parents=True, exist_ok=True)
    recorder.write_edn(out_dir / "history.edn")
    recorder.write_jsonl(out_dir / "history.jsonl")
    by_f: dict[str, dict[str, int]] = {}
    counts = {"operations": 0, "ok": 0, "fail": 0, "info": 0}
    points: list[tuple[float, float, str, str]] = []
    latencies: list[float] = []
    for inv, comp in recorder.operations():
        typ = comp["type"] if comp is not None else "info"
        counts["operations"] += 1
        counts[typ] += 1
        by_f.setdefault(inv["f"], {"ok": 0, "fail": 0, "info": 0})[typ] += 1
        if comp is not None:
            ms = (comp["time"] - inv["time"]) / 1e6
            points.append((inv["time"] / 1e9, ms, typ, inv["f"]))
            if typ != "info":
                latencies.append(ms)
    latencies.sort()
    lat = {k: _percentile(latencies, q) for k, q in (("p50", 0.5), ("p95", 0.95), ("p99", 0.99), ("max", 1.0))}
    end_s = (recorder.events[-1]["time"] / 1e9) if recorder.events else cfg.duration
    (out_dir / "latency.svg").write_text(
        latency_svg(points, windows, end_s, f"{name}: latency, {counts['operations']} operations"), encoding="utf-8")

    lin_json: dict[str, Any]
    lin_result = None
    lost: LostResult | None = None
    reasons = list(errors)
    try:
        history = load_history(out_dir / "history.jsonl")
    except HistoryError as e:
        lin_json = {"verdict": "unknown", "reason": str(e)}
        reasons.append(f"no history to check: {e}")
    else:
        lost = check_lost(history.operations)
        searched, pruned = prune_unobserved(history.operations)
        try:
            lin_result = check(attrs.evolve(history, operations=searched), "kv", timeout=cfg.check_timeout)
        except HistoryError as e:  # an operation the kv model refuses (a user's system's value)
            lin_json = {"verdict": "unknown", "reason": str(e)}
            reasons.append(f"linearizability not checked: {e}")
        else:
            lin_json = lin_result.to_json()
            lin_json.pop("history", None)
            # (see _prune: sound, and what makes runs with many timeouts decidable)
            lin_json["unobserved_info_writes_left_out"] = pruned
            if timeline:
                (out_dir / "timeline.html").write_text(render_html(lin_result, file=f"{name} history.jsonl"),
                                                   encoding="utf-8")
    own = None if system_check is None else system_check["verdict"]
    if own == "violation":
        reasons.append(f"the system's own check found a violation ({system_check['file']})")  # type: ignore[index]
    elif own == "unknown":
        reasons.append(f"the system's own check was undecided ({system_check['file']})")  # type: ignore[index]
    if ((lin_result is not None and lin_result.verdict == "illegal") or (lost is not None and not lost.ok)
            or own == "violation"):
        verdict = RunVerdict.VIOLATION
    elif lin_result is not None and lin_result.verdict == "ok" and not errors and own != "unknown":
        verdict = RunVerdict.OK
    else:
        verdict = RunVerdict.UNKNOWN
        if lin_result is not None and lin_result.verdict == "unknown":
            reasons.append(f"the linearizability check did not finish: {lin_result.reason}")
    result = RunResult(
        verdict=verdict, system=name, config=cfg.to_json(), out_dir=out_dir,
        counts=counts | {"by_f": by_f, "events": len(recorder.events)}, windows=tuple(windows),
        latency_ms=lat, linearizability=lin_json, lost=lost, reason="; ".join(reasons) or None,
        seconds=seconds, lin_result=lin_result, system_check=system_check)
    import json

    (out_dir / "results.json").write_text(json.dumps(result.to_json(), indent=2, default=str) + "\n", encoding="utf-8")
    (out_dir / "summary.txt").write_text(result.render_text() + "\n", encoding="utf-8")
    return result
