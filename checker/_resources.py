"""The process's memory, for ``--memory-limit``: a run that would exhaust the machine ends with
verdict ``unknown`` ("memory limit reached") instead of being killed by the kernel's OOM killer
with nothing reported.  Polled by the engines between units of work (it costs a few
microseconds: one read of ``/proc/self/statm``)."""

from __future__ import annotations

import os
import resource

_PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


def rss_bytes() -> int:
    """The resident set size of this process now (Linux), else its peak so far."""
    try:
        with open("/proc/self/statm", "rb") as f:
            return int(f.read().split()[1]) * _PAGE
    except (OSError, IndexError, ValueError):
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        return peak * 1024 if os.uname().sysname == "Linux" else peak  # KiB on Linux, bytes on macOS


def default_memory_limit() -> int | None:
    """80% of the memory available to this process at the start (free memory plus what it
    already uses), or None where the system does not say."""
    try:
        with open("/proc/meminfo") as f:
            fields = dict(line.split(":", 1) for line in f if ":" in line)
        available = int(fields["MemAvailable"].split()[0]) * 1024
    except (OSError, KeyError, ValueError):
        return None
    return int(0.8 * (available + rss_bytes()))


def describe(nbytes: int) -> str:
    return f"{nbytes / 2**30:.1f} GiB" if nbytes >= 2**30 else f"{nbytes / 2**20:.0f} MiB"
