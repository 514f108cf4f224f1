"""Soak campaigns: many seeded ``distcheck run``s of one system, minutes long.

    python bench/soak.py [SYSTEM] [--runs N] [--minutes M] [--seed S] [--nodes 5] [--clients 10]
                         [--duration 30] [--nemesis partition,kill] [--opt name=value ...]
                         [--expect ok|violation] [--out runs/soak]

SYSTEM defaults to raftkv (any name or module:Class ``distcheck run`` takes).  Runs seeds S,
S+1, ... until ``--runs`` runs are done or ``--minutes`` have passed, printing one line per run
(seed, operations, ok/fail/info, verdicts of both checkers, losses, seconds) and a total.

Exit code: with ``--expect ok`` (the default) 1 if any run found a violation, 3 if any was
unknown; with ``--expect violation`` (a weak variant) 1 if no run found one.  2 for bad input.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter

from implementations.harness import HarnessError, UsageError, run


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("system", nargs="?", default="raftkv")
    ap.add_argument("--runs", type=int, default=20)
    ap.add_argument("--minutes", type=float, default=10.0, help="stop starting runs after this")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--nodes", type=int, default=5)
    ap.add_argument("--clients", type=int, default=10)
    ap.add_argument("--duration", type=float, default=30.0)
    ap.add_argument("--nemesis", default="partition,kill")
    ap.add_argument("--nemesis-interval", type=float, default=3.0)
    ap.add_argument("--keys", type=int, default=3)
    ap.add_argument("--rate", type=float, default=100.0)
    ap.add_argument("--timeout", type=float, default=120.0, help="linearizability check, per run")
    ap.add_argument("--opt", action="append", default=[], metavar="NAME=VALUE")
    ap.add_argument("--expect", choices=("ok", "violation"), default="ok")
    ap.add_argument("--out", default="runs/soak")
    args = ap.parse_args(argv)
    options = dict(o.partition("=")[::2] for o in args.opt)

    t0 = time.monotonic()
    verdicts: Counter[str] = Counter()
    ops = lost = stale = 0
    print(f"soak {args.system}: up to {args.runs} runs of {args.duration:g} s, {args.nodes} nodes, "
          f"{args.clients} clients, nemesis {args.nemesis or 'none'}, options {options or '-'}")
    print(f"{'seed':>6} {'ops':>7} {'ok':>6} {'fail':>6} {'info':>6} {'lin':>8} {'lost':>5} {'stale':>5} "
          f"{'verdict':>9} {'s':>6}  dir")
    for i in range(args.runs):
        if time.monotonic() - t0 > args.minutes * 60:
            print(f"time budget of {args.minutes:g} min reached after {i} runs")
            break
        seed = args.seed + i
        try:
            r = run(args.system, nodes=args.nodes, clients=args.clients, duration=args.duration,
                    nemesis=args.nemesis, nemesis_interval=args.nemesis_interval, keys=args.keys,
                    rate=args.rate, options=options, seed=seed, check_timeout=args.timeout, out=args.out)
        except (UsageError, HarnessError) as e:
            print(f"soak: error: {e}", file=sys.stderr)
            return 2
        c = r.counts
        nl = len(r.lost.lost) if r.lost else 0
        ns = len(r.lost.stale) if r.lost else 0
        ops, lost, stale = ops + c["operations"], lost + nl, stale + ns
        verdicts[str(r.verdict)] += 1
        print(f"{seed:>6} {c['operations']:>7} {c['ok']:>6} {c['fail']:>6} {c['info']:>6} "
              f"{r.linearizability['verdict']:>8} {nl:>5} {ns:>5} {r.verdict!s:>9} {r.seconds:>6.1f}  {r.out_dir}",
              flush=True)
    runs = sum(verdicts.values())
    print(f"{runs} runs, {ops} operations, verdicts: "
          + ", ".join(f"{v} {verdicts[v]}" for v in ("ok", "violation", "unknown"))
          + f"; {lost} writes lost, {stale} read stale; {time.monotonic() - t0:.0f} s")
    if args.expect == "violation":
        return 0 if verdicts["violation"] else 1
    return 1 if verdicts["violation"] else 3 if verdicts["unknown"] else 0


if __name__ == "__main__":
    sys.exit(main())
