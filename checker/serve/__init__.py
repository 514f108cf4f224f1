"""``distcheck serve``: explore a spec by hand in the browser.

A small server on 127.0.0.1 and one self-contained page: the current state as a tree, the
invariants that hold in it, the enabled steps and where each leads, back and forward, a jump to
a state by fingerprint, random walks, a counterexample from ``explore --json`` to step through,
and the prover's counterexamples to induction.

>>> from checker.serve import Session, make_server
>>> server = make_server(Session(TwoPhase(n_rm=3)))        # doctest: +SKIP
>>> server.serve_forever()                                 # doctest: +SKIP
"""

from checker.serve._server import make_server
from checker.serve._session import Session

__all__ = ["Session", "make_server"]
