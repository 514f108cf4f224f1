"""F5: a second Ctrl-C / SIGTERM while the run is cleaning up (the user presses Ctrl-C twice;
a supervisor repeats SIGTERM) interrupts the `finally`: the temporary directory stays, and the
exit code is 143/130 rather than 3.  Reproduced with real systems too (raftkv, redis-replica:
/tmp/distcheck-*-XXXX left behind).  Here a system whose stop() takes 1 s."""
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[2]  # the repository


def test_second_sigterm_during_cleanup(tmp_path):
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    env = dict(os.environ, PYTHONPATH=str(ROOT), TMPDIR=str(tmp))
    p = subprocess.Popen([sys.executable, "-m", "checker", "run", f"{HERE / '_systems.py'}:SlowStop",
                          "--duration", "5", "--out", str(tmp_path / "runs")],
                         env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 10
    while not list(tmp.glob("distcheck-*")) and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.5)
    p.send_signal(signal.SIGTERM)
    time.sleep(0.4)  # inside stop()
    p.send_signal(signal.SIGTERM)
    p.wait(15)
    assert p.returncode == 3, p.returncode
    assert list(tmp.iterdir()) == [], f"left behind: {list(tmp.iterdir())}"
