"""Systems for the issue13c attack tests (tests/implementations/attack13c) (not a test file): the harness's toy store with an
optional ``check_logs`` returning or raising what each class says."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from implementations.harness._toy import ToySystem


class Checked(ToySystem):
    name = "toy-checked"
    RET: Any = ("ok", "fine")

    def check_logs(self, logs: Path) -> Any:
        r = type(self).RET
        if isinstance(r, BaseException):
            raise r
        return r


class NoLogFiles(Checked):
    """A system whose nodes leave no ``*.log`` file (the toy's only one is removed)."""

    def start(self, nodes: int, workdir: Path, options: dict[str, Any]) -> None:
        super().start(nodes, workdir, options)
        (Path(workdir) / "toy.log").unlink()


class Triple(Checked):
    RET = ("ok", "text", "extra")


class NoText(Checked):
    RET = ("ok", None)


class BytesText(Checked):
    RET = ("violation", b"found something")


class NotATuple(Checked):
    RET = 3


class Exits(Checked):
    RET = SystemExit(0)


RUN = dict(nodes=1, clients=1, duration=0.3, recover=0.0, seed=1)


def run_cli(tmp_path: Path, cls: str) -> "subprocess.CompletedProcess[str]":
    """``distcheck run _systems.py:CLS --json`` with RUN's settings, in a process of its own."""
    import subprocess
    import sys

    here = Path(__file__).resolve().parent
    return subprocess.run([sys.executable, "-m", "checker", "run", f"{here / '_systems.py'}:{cls}",
                           "--nodes", "1", "--clients", "1", "--duration", "0.3", "--recover", "0",
                           "--seed", "1", "--out", str(tmp_path), "--json"],
                          capture_output=True, text=True, timeout=60, cwd=here.parent.parent)
