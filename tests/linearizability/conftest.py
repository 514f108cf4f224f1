from __future__ import annotations

import csv
from pathlib import Path

DATA = Path(__file__).resolve().parent.parent / "data" / "porcupine"


def porcupine_cases() -> list[tuple[str, str, str, int]]:
    """(file, model, expected verdict, operations) for every history of expected.tsv."""
    with open(DATA / "expected.tsv", newline="") as fh:
        rows = list(csv.DictReader(fh, delimiter="\t"))
    return [
        (r["file"], "etcd" if r["file"].startswith("jepsen/") else "kv", r["expected"], int(r["operations"]))
        for r in rows
    ]
