"""A ``distcheck serve`` server in a thread for the attack's tests (the pattern of tests/serve)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from checker.serve import Session
from tests.serve.conftest import Client


@pytest.fixture
def serve() -> Iterator[Any]:
    clients: list[Client] = []

    def start(spec: Any, invariants: Any = None) -> Client:
        clients.append(Client(Session(spec, invariants)))
        return clients[-1]

    yield start
    for c in clients:
        c.close()
