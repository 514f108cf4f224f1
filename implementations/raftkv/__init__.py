"""raftkv: a Raft-replicated key-value store that really runs, one OS process per node.

* :mod:`.node` -- the protocol, a sans-I/O state machine named after ``spec/raft.py``;
* :mod:`.storage` -- a node's durable term, vote and log (fsynced);
* :mod:`.server` -- the asyncio TCP driver, one process per node;
* :mod:`.client` -- the client library (``implementations.api.Client``);
* :mod:`.system` -- the cluster for the harness (``implementations.api.System``).
"""
