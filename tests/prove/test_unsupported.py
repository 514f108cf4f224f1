"""A construct outside the vocabulary stops the proof with its name and the spec's file:line --
never a verdict; look-alike constructs that are sound are accepted."""

from __future__ import annotations

import inspect
import re
import subprocess
import sys

import pytest

from checker.prove import Unsupported, bmc, prove
from spec import SpecError

from tests.prove import badspecs


def _marker_line(marker: str) -> int:
    lines = inspect.getsource(badspecs).splitlines()
    return next(i for i, line in enumerate(lines, start=1) if line.rstrip().endswith(f"# <- {marker}"))


@pytest.mark.parametrize("cls", list(badspecs.UNSUPPORTED), ids=lambda c: c.__name__)
def test_unsupported_construct_names_itself_and_its_line(cls: type) -> None:
    marker, what = badspecs.UNSUPPORTED[cls]
    spec = cls()
    invs = [n for n in spec.invariants() if n != "Small"] or ["Small"]
    with pytest.raises(Unsupported) as info:
        prove(spec, invs, targets=[])
    message = str(info.value)
    assert f"badspecs.py:{_marker_line(marker)}:" in message, message
    assert what in message, message
    with pytest.raises(Unsupported):  # the same in every mode
        bmc(spec, 2, invs)


def test_a_spec_without_state_type_is_refused() -> None:
    with pytest.raises(SpecError, match="declares no state_type"):
        prove(badspecs.NoStateType(), ["Small"])


@pytest.mark.parametrize("cls", [badspecs.FineIsNoneOnInt, badspecs.FineIsInstanceOnMember],
                         ids=lambda c: c.__name__)
def test_sound_look_alikes_are_accepted(cls: type) -> None:
    assert prove(cls(), ["Small"]).verdict == "proved"


def test_cli_reports_an_unsupported_construct_in_one_line() -> None:
    proc = subprocess.run([sys.executable, "-m", "checker", "prove", "tests.prove.badspecs:UsesLen",
                           "--inv", "Small"], capture_output=True, text=True, cwd=_root())
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert len(proc.stderr.strip().splitlines()) == 1, proc.stderr
    assert re.search(r"badspecs\.py:\d+: unsupported by the prover: len\(\) of a symbolic set", proc.stderr)


def _root() -> str:
    import os

    return os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
