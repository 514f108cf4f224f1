"""A ``distcheck serve`` server on 127.0.0.1, started in a thread and stopped after."""

from __future__ import annotations

import json
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest

from checker.serve import Session, make_server


class Client:
    """Speaks to a running server as the page does."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.server = make_server(session)
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def request(self, path: str, body: Any = None, headers: dict[str, str] | None = None) -> tuple[int, Any]:
        data = None if body is None else (body if isinstance(body, bytes) else json.dumps(body).encode())
        h = {"Content-Type": "application/json"} if body is not None else {}
        req = urllib.request.Request(self.base + path, data=data, headers={**h, **(headers or {})})
        try:
            with urllib.request.urlopen(req, timeout=60) as r:  # noqa: S310 -- 127.0.0.1
                return r.status, json.loads(r.read())
        except urllib.error.HTTPError as e:
            return e.code, json.loads(e.read())

    def get(self, path: str) -> Any:
        status, data = self.request(path)
        assert status == 200, data
        return data

    def post(self, path: str, body: Any) -> Any:
        status, data = self.request(path, body)
        assert status == 200, data
        return data

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def serve() -> Iterator[Any]:
    clients: list[Client] = []

    def start(spec: Any, invariants: Any = None) -> Client:
        clients.append(Client(Session(spec, invariants)))
        return clients[-1]

    yield start
    for c in clients:
        c.close()
