"""F3: the final reads have no hard deadline.  They run in the main thread after the drive
phase, calling client.invoke directly; a client that ignores its deadline there blocks the run
for as long as it likes (here 30 s per key; `time.sleep(inf)` hangs it forever), and the run then
says `ok` (exit 0), although a client ignored the run's hard deadline (README: exit 3)."""
import threading
from pathlib import Path

from implementations.harness import RunVerdict, run

HERE = Path(__file__).resolve().parent


def test_final_reads_are_bounded(tmp_path):
    box = {}

    def go():
        box["r"] = run(f"{HERE / '_systems.py'}:FinalReadBlocks", duration=0.5, keys=1, recover=0,
                       op_timeout=0.5, seed=1, out=tmp_path)

    t = threading.Thread(target=go, daemon=True)
    t.start()
    t.join(12)  # duration + op_timeout + 2 s + 3 tries * op_timeout, with slack
    assert not t.is_alive(), "run() still inside the final reads after 12 s"
    assert box["r"].verdict == RunVerdict.UNKNOWN
