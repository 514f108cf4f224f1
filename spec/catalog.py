"""The bundled protocols, by short name (``distcheck explore twophase``)."""

from __future__ import annotations

#: short name -> "module:Class"
BUNDLED: dict[str, str] = {
    "twophase": "spec.twophase:TwoPhase",
    "tcommit": "spec.tcommit:TCommit",
    "paxos": "spec.paxos:Paxos",
    "threephase": "spec.threephase:ThreePhase",
    "paxoscommit": "spec.paxoscommit:PaxosCommit",
    "zab": "spec.zab:Zab",
    "abd": "spec.abd:ABD",
    "lww": "spec.lww:LWW",
    "vclock": "spec.lww:VClock",
    "raft": "spec.raft:Raft",
    "ewd840": "spec.ewd840:EWD840",
}
