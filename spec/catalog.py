"""The bundled protocols, by short name (``distcheck explore twophase``)."""

from __future__ import annotations

#: short name -> "module:Class"
BUNDLED: dict[str, str] = {
    "twophase": "spec.twophase:TwoPhase",
    "tcommit": "spec.tcommit:TCommit",
    "paxos": "spec.paxos:Paxos",
    "raft": "spec.raft:Raft",
}
