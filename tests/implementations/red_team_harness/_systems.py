"""Systems for the findings' reproducers (loaded as findings/_systems.py:Class)."""
import os
import time
from pathlib import Path

from implementations._process import NodeProcess
from implementations.api import Completion
from implementations.harness._toy import ToySystem


class FinalReadBlocks(ToySystem):
    """Honours deadlines during the workload; the clients of the final reads (process >= 5 with
    5 clients and no info) block for 30 s, ignoring their deadline."""
    name = "finalblocks"

    def open_client(self, p):
        c = super().open_client(p)

        class W:
            def invoke(self, op, deadline):
                if p >= 5:
                    time.sleep(30)
                return c.invoke(op, deadline)

            def close(self):
                c.close()
        return W()


class SlowHeal(ToySystem):
    """restart() takes HEAL_S seconds (a slow node start), then starts a real process."""
    name = "slowheal"
    procs: list = []

    def restart(self, node):
        time.sleep(float(os.environ.get("HEAL_S", "5")))
        super().restart(node)
        p = NodeProcess(["sleep", "97"], Path(os.environ["SLOWHEAL_DIR"]) / "n.log", module=False)
        p.start()
        SlowHeal.procs.append(p)
        (Path(os.environ["SLOWHEAL_DIR"]) / "pids").open("a").write(f"{p.proc.pid}\n")

    def stop(self):
        super().stop()
        for p in SlowHeal.procs:
            p.kill()


class SlowStop(ToySystem):
    """stop() takes 1 s (e.g. nodes that flush on exit)."""
    name = "slowstop"

    def stop(self):
        time.sleep(1.0)
        super().stop()


class WeirdError(ToySystem):
    """A correct store whose failure messages contain U+2028 (any text an exception may carry)."""
    name = "weirderror"

    def open_client(self, p):
        c = super().open_client(p)

        class W:
            def invoke(self, op, deadline):
                d = c.invoke(op, deadline)
                if d.type == "fail":
                    return Completion("fail", error="cas mismatch\u2028(line separator)")
                return d

            def close(self):
                c.close()
        return W()


class StartExits(ToySystem):
    name = "startexits"

    def start(self, *a):
        raise SystemExit(5)
