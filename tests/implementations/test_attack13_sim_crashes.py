"""CRASHES of simulate() on valid configurations of the correct raftkv (variant None).

1. ``_Client._attempt`` is scheduled after a refused connection (``_arrive``: the node is down)
   but the op's deadline (``_timeout``) can complete the op first; the stale ``_attempt`` then
   runs with ``self.op is None``, finds the deadline passed and calls ``_done`` ->
   ``assert op is not None`` -> AssertionError out of ``simulate``.  A one-node cluster whose
   node crashes is enough (the client keeps retrying the down node).  Right: a stale attempt
   (the op it was for is finished, or another op started) does nothing; an ok run.
   (A stale attempt that fires after the *next* op started would also resend that op under a
   new rid: the same attempt chain must not be doubled.)
2. ``_Sim._fault`` keys the start time of a fault by ``id(f)``: a schedule holding the same
   Fault object twice (``faults=(f, f)``, or ``(f,) * 2``) raises KeyError at the second stop.
   Right: equal faults are two faults (key by the schedule position), or check() refuses them.
"""

from implementations.sim import Fault, SimConfig, simulate


def test_one_node_crash_does_not_crash_the_simulator():
    r = simulate(SimConfig(seed=2, nodes=1, faults=(Fault("crash", 1.0, 1.0, (0,)),)))
    assert r.verdict in ("ok", "unknown")


def test_three_nodes_many_crashes():
    faults = tuple(Fault("crash", 0.3 * k, 0.2, (k % 2,)) for k in range(12))
    r = simulate(SimConfig(seed=7, nodes=2, faults=faults))
    assert r.verdict in ("ok", "unknown")


def test_same_fault_object_twice():
    f = Fault("loss", 1.0, 1.0, (), 0.5)
    r = simulate(SimConfig(seed=1, duration=3, faults=(f, f)))
    assert r.verdict in ("ok", "unknown")


def test_campaign_cli_does_not_traceback(tmp_path):
    """The same AssertionError kills ``distcheck sim raftkv`` (Hypothesis re-raises it): a
    traceback with exit code 1, which is the campaign's code for "a failure found"."""
    import subprocess
    import sys
    p = subprocess.run([sys.executable, "-m", "checker", "sim", "raftkv", "--runs", "12", "--seed", "5",
                        "--nodes", "1,2,3,4,5", "--duration", "3", "--no-shrink", "--out", str(tmp_path)],
                       capture_output=True, text=True, timeout=600, cwd=tmp_path)
    assert "Traceback" not in p.stderr, p.stderr[-600:]
