"""Benchmark: distcheck against TLC on the same models, side by side, in one run.

Four programs run on each instance, each as a fresh process, alternately and ``--rounds`` times:
TLC with 1 worker, TLC with 2 (``-workers 2``), distcheck with 1 worker and with 2 (``distcheck
explore NAME -p ... --workers N --json -q``). Every run's distinct-state count (and BFS depth, but
for TLC's with 2 workers, which is not exact) must equal the others' and the published figure; the
best wall time of each program is reported with the ratio distcheck/TLC at the same number of
workers, as is the least CPU time (user + system, of the run's process and the descendants it
waited for: TLC's JIT and GC threads, distcheck's forked workers), and the peak memory. The
machine is shared and noisy, so the ratios measured in the same run are the figures that matter,
and on a loaded machine the CPU ratio is the steadier one; the load average is printed before and
after.

    python bench/tlc_compare.py --tlc /tmp/tlc/tlc.sh --examples ~/src/tlaplus-Examples \\
        [--tlapm-library ~/src/tlapm/library] [--raft-tla ~/src/raft.tla] [--rounds 3] \\
        [--only twophase,paxos,paxoscommit,raft]

``--tlc`` is any command that runs ``tlc2.TLC`` with the arguments it is given (a script around
``java -cp tla2tools.jar tlc2.TLC "$@"``).  ``--examples`` is a checkout of
https://github.com/tlaplus/Examples; nothing from it is copied into this repository: the TLA+
modules are copied into a temporary directory at run time, next to a generated wrapper module and
``.cfg`` that fix the constants.  The Paxos model EXTENDS the TLA+ proof system's library
(``TLAPS``, ``FiniteSetTheorems``, which need ``Functions`` from TLC's CommunityModules on TLC's
class path); ``--tlapm-library`` is tlapm's ``library/`` directory, and without it the Paxos
instance is skipped.  ``--raft-tla`` is a checkout of https://github.com/ongardie/raft.tla, for the
Raft instance (skipped without it): raft.tla with spec/raft.py's state constraint and a ``VIEW``
of the ten variables spec/raft.py keeps (its history variables forgotten), and both checkers
check the same four safety properties, written in TLA+ in the wrapper module.

Memory: "max RSS" is the largest resident set of any one process of the run (``wait4``); for a
multi-process run (distcheck ``--workers 2`` forks) it understates the total, so "peak PSS" is
also given: the proportional set sizes of every process of the run, summed, sampled every 0.2 s
(so a peak shorter than that can be missed).  TLC runs with the JVM's default heap (a quarter of
memory) and garbage collector options of ``--tlc``; a JVM's RSS is mostly heap it has not needed
to give back, so TLC's figure says what it used, not what it needs.

Wall times include process start-up (the JVM's and Python's), parsing and, for TLC, writing its
state queue to ``-metadir``, which is a fresh directory in the temporary directory each run.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

DEFAULT_DISTCHECK = "/tmp/venv3.11/bin/distcheck"


@dataclasses.dataclass(frozen=True)
class Instance:
    """One model, given to both checkers with the same constants."""

    name: str
    distcheck_args: tuple[str, ...]  # after ``distcheck explore``
    examples_dir: str  # directory of the TLA+ modules inside the Examples checkout
    module: str  # the generated wrapper module's text (its name is ``MC<name>``)
    cfg: str  # the generated .cfg's text
    distinct: int  # the published distinct-state count, which every run must reproduce
    needs_tlapm: bool = False
    needs_raft: bool = False  # the modules come from --raft-tla, not from --examples
    python_files: dict[str, str] = dataclasses.field(default_factory=dict)  # name -> text, for distcheck
    constants: str = ""  # for the report

    @property
    def module_name(self) -> str:
        return "MC" + self.name


def _ids(prefix: str, n: int) -> list[str]:
    return [f"{prefix}{i + 1}" for i in range(n)]


def _set(items: list[str] | list[int]) -> str:
    return "{" + ", ".join(map(str, items)) + "}"


def _majorities(acceptors: list[str]) -> str:
    """The majorities of the smallest size, as distcheck's Paxos specs take them (for 3
    acceptors, every pair, as in the Examples' models)."""
    import itertools

    size = len(acceptors) // 2 + 1
    return _set([_set(list(q)) for q in itertools.combinations(acceptors, size)])


def twophase(n_rm: int) -> Instance:
    """TwoPhase.tla with ``RM`` = n_rm model values; both checkers check TPTypeOK and
    TCConsistent (TLC through the wrapper's name for ``TC!TCConsistent``)."""
    rm = _set(_ids("r", n_rm))
    return Instance(
        name="TwoPhase",
        # (the invariants named, as TLC's cfg names them: otherwise distcheck would also check
        # the temporal property Termination, which the cfg does not ask of TLC)
        distcheck_args=("twophase", "-p", f"n_rm={n_rm}", "--inv", "TPTypeOK", "--inv", "TCConsistent"),
        examples_dir="specifications/transaction_commit",
        module=("---- MODULE MCTwoPhase ----\nEXTENDS TwoPhase, TLC\n"
                "MCConsistent == TC!TCConsistent\n====\n"),
        cfg=(f"CONSTANT RM = {rm}\nSPECIFICATION TPSpec\n"
             "INVARIANT TPTypeOK MCConsistent\n"),
        distinct={7: 296_448}.get(n_rm, -1),
        constants=f"RM = {rm} (model values); invariants TPTypeOK, TCConsistent",
    )


def paxos(n_acceptors: int, n_values: int, max_ballot: int) -> Instance:
    """Paxos.tla of PaxosHowToWinATuringAward with ``Ballot`` = 0..max_ballot (MCPaxos.tla's
    override of ``Ballot == Nat``, in Paxos and in the Voting it instantiates), checking ``Inv``
    only."""
    acc, val = _ids("a", n_acceptors), _ids("v", n_values)
    names = " ".join(f"{x} = {x}" for x in acc + val)
    module = (f"---- MODULE MCPaxos ----\nEXTENDS Paxos, TLC\nCONSTANTS {', '.join(acc + val)}\n"
              f"MCAcceptor == {_set(acc)}\nMCValue == {_set(val)}\n"
              f"MCQuorum == {_majorities(acc)}\nMCBallot == 0..{max_ballot}\n====\n")
    cfg = (f"CONSTANTS {names}\nCONSTANT None = None\n"
           "CONSTANT Acceptor <- MCAcceptor\nCONSTANT Value <- MCValue\n"
           "CONSTANT Quorum <- MCQuorum\nCONSTANT Ballot <- MCBallot\n"
           "CONSTANT Ballot <- [Voting]MCBallot\n"
           "SPECIFICATION Spec\nINVARIANT Inv\n")
    return Instance(
        name="Paxos",
        distcheck_args=("paxos", "-p", f"n_acceptors={n_acceptors}", "-p", f"n_values={n_values}",
                        "-p", f"max_ballot={max_ballot}", "--inv", "Inv"),
        examples_dir="specifications/PaxosHowToWinATuringAward",
        module=module,
        cfg=cfg,
        distinct={(3, 2, 2): 185_369}.get((n_acceptors, n_values, max_ballot), -1),
        needs_tlapm=True,
        constants=(f"Acceptor = {_set(acc)}, Value = {_set(val)}, Quorum = {_majorities(acc)}, "
                   f"Ballot = 0..{max_ballot} (MCPaxosSmall.cfg's MaxBallot = 2); invariant Inv only"),
    )


def paxoscommit(n_rm: int, n_acceptors: int, max_ballot: int) -> Instance:
    """PaxosCommit.tla (the Examples' PaxosCommit.cfg with ``Ballot`` = 0..max_ballot), checking
    PCTypeOK and TCConsistent with the RMs' symmetry (``SYMMETRY Permutations(RM)``).  The bundled
    paxoscommit declares its acceptors interchangeable as well, so distcheck runs a generated
    subclass whose symmetry is the RMs' only: the same orbits as TLC's, so the same counts."""
    rm, acc = _ids("r", n_rm), _ids("a", n_acceptors)
    return Instance(
        name="PaxosCommit",
        distcheck_args=("paxoscommit_rm.py:PaxosCommitRM", "-p", f"n_rm={n_rm}",
                        "-p", f"n_acceptors={n_acceptors}", "-p", f"max_ballot={max_ballot}", "--symmetry"),
        examples_dir="specifications/transaction_commit",
        module=("---- MODULE MCPaxosCommit ----\nEXTENDS PaxosCommit, TLC\n"
                "MCConsistent == TC!TCConsistent\nMCSymmetry == Permutations(RM)\n====\n"),
        cfg=(f"CONSTANTS\n  RM = {_set(rm)}\n  Acceptor = {_set(acc)}\n"
             f"  Majority = {_majorities(acc)}\n  Ballot = {_set(list(range(max_ballot + 1)))}\n"
             "SPECIFICATION PCSpec\nINVARIANT PCTypeOK MCConsistent\nSYMMETRY MCSymmetry\n"),
        distinct={(2, 3, 1): 661_611}.get((n_rm, n_acceptors, max_ballot), -1),
        python_files={"paxoscommit_rm.py": (
            '"""The bundled PaxosCommit with the RMs\' symmetry only (TLC\'s Permutations(RM))."""\n'
            "from spec.paxoscommit import PaxosCommit\n\n\n"
            "class PaxosCommitRM(PaxosCommit):\n"
            "    def __init__(self, n_rm: int = 2, n_acceptors: int = 2, max_ballot: int = 1):\n"
            "        super().__init__(n_rm=n_rm, n_acceptors=n_acceptors, max_ballot=max_ballot)\n"
            "        self.symmetry = (self.RM,)\n")},
        constants=(f"RM = {_set(rm)}, Acceptor = {_set(acc)}, Majority = {_majorities(acc)}, "
                   f"Ballot = {_set(list(range(max_ballot + 1)))}; SYMMETRY Permutations(RM); "
                   "invariants PCTypeOK, TCConsistent"),
    )


_RAFT_CONSTANTS = ("Follower", "Candidate", "Leader", "Nil", "RequestVoteRequest",
                   "RequestVoteResponse", "AppendEntriesRequest", "AppendEntriesResponse")

# spec/raft.py's invariants other than TypeOK, in TLA+ over raft.tla's variables (TypeOK is the
# type of each variable: TLC has no counterpart worth writing, and distcheck's costs nothing
# extra, since its compiled type check runs on every state anyway).
_RAFT_INVARIANTS = """\
Committed(i) == SubSeq(log[i], 1, IF commitIndex[i] < Len(log[i]) THEN commitIndex[i] ELSE Len(log[i]))
MinLen(a, b) == IF Len(a) < Len(b) THEN Len(a) ELSE Len(b)
ElectionSafety == \\A i, j \\in Server :
    (i # j /\\ state[i] = Leader /\\ state[j] = Leader) => currentTerm[i] # currentTerm[j]
LogMatching == \\A i, j \\in Server : \\A k \\in 1..MinLen(log[i], log[j]) :
    log[i][k].term = log[j][k].term => SubSeq(log[i], 1, k) = SubSeq(log[j], 1, k)
LeaderCompleteness == \\A l, i \\in Server :
    (state[l] = Leader /\\ currentTerm[l] > currentTerm[i]) =>
        /\\ Len(Committed(i)) <= Len(log[l])
        /\\ \\A k \\in 1..Len(Committed(i)) : log[l][k] = Committed(i)[k]
StateMachineSafety == \\A i, j \\in Server : \\A k \\in 1..MinLen(Committed(i), Committed(j)) :
    Committed(i)[k] = Committed(j)[k]
"""


def raft(n_servers: int, max_term: int, name: str = "Raft") -> Instance:
    """ongardie/raft.tla with one value, ``max_log`` 1, ``max_msgs`` 1, ``max_dup`` 1 (spec/raft.py's
    default bounds), as TLC's ``CONSTRAINT`` and a ``VIEW`` of the ten variables spec/raft.py
    keeps; both check ElectionSafety, LogMatching, LeaderCompleteness and StateMachineSafety."""
    servers = _ids("s", n_servers)
    module = (f"---- MODULE MC{name} ----\nEXTENDS raft, TLC\nCONSTANTS {', '.join(servers)}, v1\n"
              f"MCServer == {_set(servers)}\nMCValue == {{v1}}\n"
              f"StateConstraint == /\\ \\A i \\in Server : currentTerm[i] <= {max_term}\n"
              "                   /\\ \\A i \\in Server : Len(log[i]) <= 1\n"
              "                   /\\ Cardinality(DOMAIN messages) <= 1\n"
              "                   /\\ \\A m \\in DOMAIN messages : messages[m] <= 1\n"
              "View == <<messages, currentTerm, state, votedFor, log, commitIndex,\n"
              "          votesResponded, votesGranted, nextIndex, matchIndex>>\n"
              + _RAFT_INVARIANTS + "====\n")
    cfg = ("CONSTANTS " + " ".join(f"{x} = {x}" for x in [*servers, "v1", *_RAFT_CONSTANTS]) + "\n"
           "CONSTANT Server <- MCServer\nCONSTANT Value <- MCValue\n"
           "SPECIFICATION Spec\nCONSTRAINT StateConstraint\nVIEW View\n"
           "INVARIANT ElectionSafety LogMatching LeaderCompleteness StateMachineSafety\n")
    invariants = ("ElectionSafety", "LogMatching", "LeaderCompleteness", "StateMachineSafety")
    return Instance(
        name=name,
        distcheck_args=("raft", "-p", f"n_servers={n_servers}", "-p", f"max_term={max_term}",
                        *(a for inv in invariants for a in ("--inv", inv))),
        examples_dir="",
        module=module,
        cfg=cfg,
        distinct={(3, 2): 1_943_913, (2, 3): 18_627}.get((n_servers, max_term), -1),
        needs_raft=True,
        constants=(f"Server = {_set(servers)}, Value = {{v1}}, currentTerm <= {max_term}, "
                   "Len(log) <= 1, 1 message in flight, 1 copy; VIEW of the ten non-history "
                   "variables; invariants " + ", ".join(invariants)),
    )


INSTANCES = {
    "twophase": lambda: twophase(7),
    "paxos": lambda: paxos(3, 2, 2),
    "paxoscommit": lambda: paxoscommit(2, 3, 1),
    "raft": lambda: raft(3, 2),
    "raft-small": lambda: raft(2, 3, "RaftSmall"),  # 18,627 states: a quick check that the wrapper is right
}


@dataclasses.dataclass
class Run:
    """What one process did."""

    seconds: float
    cpu: float  # user + system seconds of the process and the descendants it waited for
    distinct: int | None
    depth: int | None
    max_rss_mb: float
    peak_pss_mb: float
    ok: bool
    detail: str = ""


def _session_pss_kb(sid: int) -> int:
    """The summed PSS of every live process in session ``sid`` (each run is started in a new
    session, so this is the run's process tree)."""
    total = 0
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as f:
                stat = f.read()
            # The fields after the parenthesised command name: state ppid pgrp session ...
            if int(stat[stat.rindex(b")") + 2:].split()[3]) != sid:
                continue
            with open(f"/proc/{entry.name}/smaps_rollup", "rb") as f:
                for line in f:
                    if line.startswith(b"Pss:"):
                        total += int(line.split()[1])
                        break
        except (OSError, ValueError, IndexError):
            continue  # the process ended between the listing and the read
    return total


def run_process(cmd: list[str], cwd: Path, timeout: float) -> tuple[float, float, str, int, float, float]:
    """Run ``cmd``; returns (wall seconds, CPU seconds, stdout+stderr, exit code, max RSS MB,
    peak PSS MB)."""
    out_path = cwd / "out.txt"
    with open(out_path, "wb") as out:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=cwd, stdout=out, stderr=subprocess.STDOUT,
                                start_new_session=True)
        peak = [0]
        done = threading.Event()

        def sample() -> None:
            while not done.wait(0.2):
                peak[0] = max(peak[0], _session_pss_kb(proc.pid))

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        deadline = start + timeout
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() > deadline:
                os.killpg(proc.pid, 9)
                pid, status, usage = os.wait4(proc.pid, 0)
                break
            time.sleep(0.01)
        seconds = time.perf_counter() - start
        done.set()
        sampler.join()
        proc.returncode = os.waitstatus_to_exitcode(status)  # so Popen does not wait again
    text = out_path.read_text(errors="replace")
    # ru_maxrss is in KiB on Linux; it covers the child and the descendants it waited for.
    cpu = usage.ru_utime + usage.ru_stime
    return seconds, cpu, text, proc.returncode, usage.ru_maxrss / 1024, peak[0] / 1024


_TLC_DISTINCT = re.compile(r"([\d,]+) distinct states found")
_TLC_DEPTH = re.compile(r"The depth of the complete state graph search is (\d+)")


def run_tlc(tlc: str, inst: Instance, workdir: Path, workers: int, timeout: float) -> Run:
    metadir = Path(tempfile.mkdtemp(prefix="states-", dir=workdir))
    cmd = [tlc, "-workers", str(workers), "-metadir", str(metadir), "-config",
           f"{inst.module_name}.cfg", f"{inst.module_name}.tla"]
    seconds, cpu, text, code, rss, pss = run_process(cmd, workdir, timeout)
    shutil.rmtree(metadir, ignore_errors=True)
    distinct = _TLC_DISTINCT.findall(text)
    depth = _TLC_DEPTH.search(text)
    ok = code == 0 and "Model checking completed. No error has been found." in text
    return Run(seconds, cpu, int(distinct[-1].replace(",", "")) if distinct else None,
               int(depth.group(1)) if depth else None, rss, pss, ok,
               "" if ok else f"TLC exit {code}: " + text[-600:])


def run_distcheck(distcheck: str, inst: Instance, workdir: Path, workers: int, timeout: float) -> Run:
    cmd = [distcheck, "explore", *inst.distcheck_args, "--workers", str(workers), "--json", "-q"]
    seconds, cpu, text, code, rss, pss = run_process(cmd, workdir, timeout)
    try:
        result = json.loads(text[text.index("{"):])
    except ValueError:
        return Run(seconds, cpu, None, None, rss, pss, False, f"distcheck exit {code}: " + text[-600:])
    ok = code == 0 and result.get("verdict") == "ok"
    return Run(seconds, cpu, result.get("distinct_states"), result.get("depth"), rss, pss, ok,
               "" if ok else f"distcheck exit {code}: verdict {result.get('verdict')} {result.get('detail')}")


def prepare(inst: Instance, examples: Path, tlapm: Path | None, raft_tla: Path | None, root: Path) -> Path:
    """A directory holding the instance's TLA+ modules, the wrapper module and its .cfg."""
    src = raft_tla if inst.needs_raft else examples / inst.examples_dir
    if src is None or not src.is_dir():
        raise SystemExit(f"error: {src} is not a directory (is --examples a checkout of "
                         "tlaplus/Examples, --raft-tla one of ongardie/raft.tla?)")
    work = root / inst.name
    work.mkdir()
    for f in src.glob("*.tla"):
        shutil.copy(f, work)
    if inst.needs_tlapm:
        assert tlapm is not None
        # Only the proof library's own modules: its copies of standard modules (FiniteSets, Bags)
        # must not shadow TLC's, which TLC evaluates natively.
        for f in tlapm.glob("*.tla"):
            if f.stem == "TLAPS" or (f.stem.endswith(("Theorems", "Induction"))):
                shutil.copy(f, work)
    (work / f"{inst.module_name}.tla").write_text(inst.module)
    (work / f"{inst.module_name}.cfg").write_text(inst.cfg)
    for name, text in inst.python_files.items():
        (work / name).write_text(text)
    return work


def _load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--tlc", required=True, help="command running tlc2.TLC with its arguments")
    ap.add_argument("--examples", required=True, type=Path, help="a checkout of tlaplus/Examples")
    ap.add_argument("--tlapm-library", type=Path, help="tlapm's library/ (TLAPS.tla...), for Paxos")
    ap.add_argument("--raft-tla", type=Path, help="a checkout of ongardie/raft.tla, for Raft")
    ap.add_argument("--distcheck", default=DEFAULT_DISTCHECK)
    ap.add_argument("--rounds", type=int, default=1)
    ap.add_argument("--only", default=",".join(INSTANCES), help="comma-separated: " + ", ".join(INSTANCES))
    ap.add_argument("--timeout", type=float, default=1800, help="seconds per run")
    args = ap.parse_args()

    chosen = []
    for key in args.only.split(","):
        if key not in INSTANCES:
            ap.error(f"unknown instance {key!r}; choose from {', '.join(INSTANCES)}")
        inst = INSTANCES[key]()
        if inst.needs_tlapm and (args.tlapm_library is None or not (args.tlapm_library / "TLAPS.tla").is_file()):
            print(f"skipping {inst.name}: it needs --tlapm-library (tlapm's library/ with TLAPS.tla)")
            continue
        if inst.needs_raft and (args.raft_tla is None or not (args.raft_tla / "raft.tla").is_file()):
            print(f"skipping {inst.name}: it needs --raft-tla (a checkout of ongardie/raft.tla)")
            continue
        chosen.append(inst)

    programs = [
        ("TLC 1w", lambda i, w: run_tlc(args.tlc, i, w, 1, args.timeout)),
        ("TLC 2w", lambda i, w: run_tlc(args.tlc, i, w, 2, args.timeout)),
        ("distcheck 1w", lambda i, w: run_distcheck(args.distcheck, i, w, 1, args.timeout)),
        ("distcheck 2w", lambda i, w: run_distcheck(args.distcheck, i, w, 2, args.timeout)),
    ]
    print(f"cores {os.cpu_count()}, load average before: {_load()}")
    failed = False
    with tempfile.TemporaryDirectory(prefix="tlc-compare-") as tmp:
        dirs = {inst.name: prepare(inst, args.examples, args.tlapm_library, args.raft_tla, Path(tmp))
                for inst in chosen}
        runs: dict[tuple[str, str], list[Run]] = {}
        for r in range(args.rounds):
            for inst in chosen:
                # Rotate the order each round so that no program always runs first (or after
                # the same neighbour) on a machine whose load drifts.
                for k in range(len(programs)):
                    label, fn = programs[(k + r) % len(programs)]
                    run = fn(inst, dirs[inst.name])
                    runs.setdefault((inst.name, label), []).append(run)
                    print(f"  round {r + 1} {inst.name:12} {label:13} {run.seconds:8.2f} s wall "
                          f"{run.cpu:8.2f} s CPU "
                          f"distinct {run.distinct} depth {run.depth}"
                          + ("" if run.ok else f"  FAILED: {run.detail}"), flush=True)
    print(f"load average after: {_load()}\n")

    for inst in chosen:
        print(f"{inst.name}: {inst.constants}")
        print(f"  distcheck explore {' '.join(inst.distcheck_args)} --workers N --json -q")
        best: dict[str, Run] = {}
        for label, _ in programs:
            rs = runs[(inst.name, label)]
            if not all(x.ok for x in rs):
                failed = True
            best[label] = min(rs, key=lambda x: x.seconds)
        # TLC's depth with several workers is not exact (its workers do not search level by
        # level: seen here 42 for 41 on Raft), so the depths compared are the other programs'.
        distincts = {x.distinct for label, _ in programs for x in runs[(inst.name, label)]}
        depths = {x.depth for label, _ in programs if label != "TLC 2w" for x in runs[(inst.name, label)]}
        agree = (len(distincts) == 1 and len(depths) == 1
                 and (inst.distinct < 0 or next(iter(distincts)) == inst.distinct))
        failed |= not agree
        print(f"  {'program':13} {'distinct':>9} {'depth':>5} {'best wall s':>11} {'vs TLC':>7} "
              f"{'best CPU s':>10} {'vs TLC':>7} {'max RSS MB':>10} {'peak PSS MB':>11}")
        for label, _ in programs:
            rs = runs[(inst.name, label)]
            b, cpu = best[label], min(x.cpu for x in rs)
            tlc_label = "TLC " + label.split()[-1]
            tlc_cpu = min(x.cpu for x in runs[(inst.name, tlc_label)])
            vs = label.startswith("distcheck")
            wall_ratio = f"{b.seconds / best[tlc_label].seconds:6.2f}x" if vs else ""
            cpu_ratio = f"{cpu / tlc_cpu:6.2f}x" if vs else ""
            print(f"  {label:13} {b.distinct!s:>9} {b.depth!s:>5} {b.seconds:11.2f} {wall_ratio:>7} "
                  f"{cpu:10.2f} {cpu_ratio:>7} {max(x.max_rss_mb for x in rs):10.0f} "
                  f"{max(x.peak_pss_mb for x in rs):11.0f}")
        expected = f"expected {inst.distinct:,}" if inst.distinct >= 0 else "no published count pinned"
        print(f"  counts {'agree' if agree else 'DISAGREE'}: distinct {sorted(distincts, key=str)}, depth "
              f"{sorted(depths, key=str)} (TLC 2w's aside) ({expected})\n")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
