"""The partitioned breadth-first search of ``_parallel`` on Ray actors (``--backend ray``).

Each worker of ``_parallel`` becomes a Ray actor running the same :class:`_parallel._Worker`
code, and the coordinator the same :class:`_parallel._Coordinator` code: only the transport
differs (actor method calls through Ray's object store instead of pipes to forked processes), so
the results -- counts, depth, verdict, trace -- are the one-process search's, as they are with
local workers.  Ray is an optional dependency (``pip install 'distcheck[ray]'``).

A forked worker inherits the prepared spec; an actor, which may run on another machine, rebuilds
it: it imports the spec's module (by name, or from the file the spec was loaded from, under the
same module name so that pickled states name the same classes), makes the spec with the same
parameters and prepares it with the same options.  So the spec's classes must be defined at a
module's top level (not inside a function), and on a cluster the module must be importable on
every node (installed there, or shipped with Ray's ``runtime_env``).  Limits: the time limit
counts from the start of the run on each actor's own clock (the time left is sent with the
work); the memory limit applies to each actor's resident memory (an actor sees only its own).

Without ``--address`` a private Ray instance is started on 127.0.0.1 with one CPU per worker,
for this run only (``ray.init`` takes seconds: the hand-off comes at the same level boundary as
with local workers, so a small spec never starts it).  With ``--address`` (``auto``, or
``HOST:PORT`` of a running cluster's head) the actors run on that cluster.
"""

from __future__ import annotations

import importlib
import os
import pickle
import sys
import time
from typing import Any

from checker._resources import rss_bytes
from checker.errors import SpecError
from checker.explore._engine import Limits, _Search
from checker.explore._model import PreparedSpec, prepare
from checker._identity import instance_digest
from checker._imports import load_file_as
from checker.explore._parallel import (
    _answer,
    _Coordinator,
    _dumps,
    _Worker,
    _WorkerDied,
    bfs as parallel_bfs,
    died_because,
)
from checker.explore.result import ExploreResult


def bfs(model: PreparedSpec, limits: Limits, progress: bool, workers: int, *, address: str | None,
        options: dict[str, Any]) -> ExploreResult:
    """Breadth-first search with its workers on Ray actors; ``options`` are the ``prepare``
    options the spec was prepared with (the actors prepare it again)."""
    recipe = _recipe(model, options)
    _import_ray()  # a missing Ray is an input error before the search starts, not at the hand-off
    return parallel_bfs(model, limits, progress, workers,
                        coordinator=lambda search, n: _RayCoordinator(search, n, recipe, address))


def _import_ray() -> Any:
    try:
        import ray
    except ImportError:
        raise SpecError("--backend ray needs Ray: pip install 'distcheck[ray]'") from None
    return ray


def _recipe(model: PreparedSpec, options: dict[str, Any]) -> dict[str, Any]:
    """How an actor makes the same prepared spec: the instance itself, pickled, where it can be
    (a spec configured after construction is another spec than its constructor's), else its
    class and parameters; and the instance's digest, which the actor's copy must match."""
    cls = type(model.spec)
    if "<locals>" in cls.__qualname__ or "<locals>" in model.state_cls.__qualname__:
        raise SpecError(f"--backend ray: {cls.__qualname__} and its state class must be defined at the top "
                        "level of a module (Ray's workers import them by name)")
    module = sys.modules[cls.__module__]
    try:
        instance: bytes | None = pickle.dumps(model.spec)
    except Exception:  # noqa: BLE001 -- a lambda in an attribute, say: rebuilt from its parameters
        instance = None
    return {"module": cls.__module__, "file": getattr(module, "__file__", None), "qualname": cls.__qualname__,
            # (pickled: a parameter may be a record of the spec's module, which the actor imports first)
            "params": pickle.dumps(model.spec.param_values()), "instance": instance, "digest": instance_digest(model.spec),
            "options": options, "path": list(sys.path)}


def _rebuild(recipe: dict[str, Any]) -> PreparedSpec:
    """The prepared spec, in an actor (see the module docstring)."""
    for entry in reversed(recipe["path"]):
        if entry not in sys.path:
            sys.path.insert(0, entry)
    name = recipe["module"]
    module = sys.modules.get(name)
    if module is None:
        try:
            module = importlib.import_module(name)
        except ImportError:
            if not recipe["file"] or not os.path.isfile(recipe["file"]):
                raise
            module = load_file_as(name, recipe["file"])
    if recipe["instance"] is not None:
        spec = pickle.loads(recipe["instance"])
    else:
        cls: Any = module
        for part in recipe["qualname"].split("."):
            cls = getattr(cls, part)
        spec = cls(**pickle.loads(recipe["params"]))
    if instance_digest(spec) != recipe["digest"]:
        raise _NotTheSame(f"--backend ray: {type(spec).__name__} could not be rebuilt in a Ray worker as the "
                          "instance explored (its attributes differ: is it configured after construction "
                          "with something that cannot be pickled?)")
    return prepare(spec, **recipe["options"])


class _NotTheSame(SpecError):
    """The actor's spec is not the driver's: an input error (exit 2), not a worker's death."""


class _Flag:
    """The forked workers' shared stop flag, for one actor (the coordinator stops actors by
    ending them)."""

    value = 0


class _Actor:
    """One worker of the partitioned search, in a Ray actor process.  The spec is rebuilt first,
    and only then are the seen-set and the level unpickled (``load``): their states' classes
    may live in a module that only the rebuilding imports (a ``file.py:Class`` target)."""

    def __init__(self, me: int, n: int, recipe: dict[str, Any]) -> None:
        self.me, self.n = me, n
        self.spec: Any = None
        self.failed: tuple[str, ...] | None = None
        try:
            self.model = _rebuild(recipe)
            self.spec = self.model.spec
        except _NotTheSame as e:
            self.failed = ("died", "exit", str(e))
        except BaseException as e:  # noqa: BLE001 -- told to the coordinator at the first call
            self.failed = died_because(e, self.spec)

    def load(self, limits: Limits, time_left: float | None, seen: bytes, level: bytes) -> Any:
        if self.failed is not None:
            return self.failed
        try:
            search = _Search(self.model, limits, "bfs", False)
            fps, parents = pickle.loads(seen)
            for fp, parent in zip(fps, parents):
                search.seen[fp] = parent
            self.worker = _Worker(self.me, self.n, None, search, pickle.loads(level), _Flag(),  # type: ignore[arg-type]
                                  [0] * (self.n + 1))
            self.worker.deadline = None if time_left is None else time.perf_counter() + time_left
        except BaseException as e:  # noqa: BLE001
            self.failed = died_because(e, self.spec)
            return self.failed
        return None

    def call(self, op: str, *args: Any) -> Any:
        if self.failed is not None:
            return self.failed
        try:
            reply = getattr(self.worker, "op_" + op)(*args)
        except BaseException as e:  # noqa: BLE001 -- as a forked worker reports it
            self.failed = died_because(e, self.spec)
            return self.failed
        self.worker.rss[self.worker.me] = rss_bytes()
        return reply


class _RayCoordinator(_Coordinator):
    """``_parallel``'s coordinator, talking to Ray actors."""

    def __init__(self, search: _Search, n: int, recipe: dict[str, Any], address: str | None) -> None:
        super().__init__(search, n)
        self.recipe, self.address = recipe, address
        self.actors: list[Any] = []
        self.started_ray = False
        self.stop = _Flag()
        self.rss = [0] * (n + 1)

    def start(self, level: list[tuple[Any, int]]) -> None:
        ray = _import_ray()
        if not ray.is_initialized():
            if self.address is None:  # a private instance, on loopback only, for this run
                ray.init(num_cpus=self.n, include_dashboard=False, log_to_driver=False,
                         _node_ip_address="127.0.0.1", configure_logging=False)
            else:
                ray.init(address=self.address, log_to_driver=False, configure_logging=False)
            self.started_ray = True
        search = self.search
        fps = list(search.seen)
        seen = ray.put(pickle.dumps((fps, [search.seen[fp] for fp in fps])))
        level_bytes = ray.put(_dumps(level))
        left = None if search.deadline is None else max(search.deadline - time.perf_counter(), 1e-6)
        actor = ray.remote(num_cpus=1)(_Actor)
        self.actors = [actor.remote(i, self.n, self.recipe) for i in range(self.n)]
        self._get({i: a.load.remote(search.limits, left, seen, level_bytes) for i, a in enumerate(self.actors)})

    def ask(self, i: int, msg: tuple[Any, ...]) -> Any:
        return self._get({i: self.actors[i].call.remote(*msg)})[i]

    def everyone(self, msgs: list[tuple[Any, ...]]) -> list[Any]:
        got = self._get({i: a.call.remote(*msg) for i, (a, msg) in enumerate(zip(self.actors, msgs))})
        return [got[i] for i in range(self.n)]

    def _get(self, futures: dict[int, Any]) -> dict[int, Any]:
        import ray

        got = {}
        for i, future in futures.items():
            try:
                reply = ray.get(future)
            except ray.exceptions.RayActorError as e:
                raise _WorkerDied(f"Ray worker {i} died before the state space was exhausted "
                                  f"({type(e).__name__})") from None
            got[i] = _answer(i, reply)
        return got

    def close(self) -> None:
        import ray

        for a in self.actors:
            try:
                ray.kill(a)
            except Exception:  # noqa: BLE001 -- already gone
                pass
        self.actors = []
        if self.started_ray:
            ray.shutdown()
