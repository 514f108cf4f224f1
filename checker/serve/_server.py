"""The HTTP side of ``distcheck serve``: one page and a small JSON API over a :class:`Session`,
on 127.0.0.1 only.

The page is one self-contained document (inline CSS and JS, no external asset).  The API:

====================  ==========================================================================
``GET  /api/spec``     the spec, its actions, invariants and initial states
``GET  /api/preload``  the file ``serve --load`` names, loaded
``GET  /api/state``    ``?fp=F[&from=P]``: the state ``F`` (fields changed since ``P`` marked)
``POST /api/walk``     ``{"fp", "steps", "seed"}``: a random walk from ``fp``
``POST /api/find``     ``{"fp"}``: a shortest path from an initial state to that fingerprint
``POST /api/load``     ``{"name", "text"}``: an ``explore --json`` trace or a ``prove --json`` result
``POST /api/chart``    ``{"path": [fp, ...]}``: the path as a message-sequence chart (SVG), if any
``POST /api/prove``    ``{"timeout", "invariants"}``: run the prover, show its obligations and CTIs
====================  ==========================================================================

A local server is still reachable from any page the user's browser opens, so requests are
refused unless their ``Host`` is this server's own address (DNS rebinding), and a POST must be
``application/json`` (which a cross-site form cannot send without a CORS preflight, which this
server never grants).
"""

from __future__ import annotations

import json
import threading
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import jinja2

from checker._faults import describe_exception
from checker.errors import SpecError

from ._session import Session, parse_fp

__all__ = ["make_server"]

#: the largest request body accepted (an uploaded counterexample)
MAX_BODY = 64 * 1024 * 1024
PROVE_SECONDS = 120.0

_prove_lock = threading.Lock()  # Z3's default context is shared by the process


def _page(session: Session) -> bytes:
    env = jinja2.Environment(loader=jinja2.PackageLoader("checker.serve", "templates"), autoescape=True)
    return env.get_template("serve.html.j2").render(title=session.spec.describe()).encode("utf-8")


def make_server(session: Session, port: int = 0, host: str = "127.0.0.1") -> ThreadingHTTPServer:
    """A server for ``session`` bound to ``host:port`` (port 0: a free one), not yet serving:
    call ``serve_forever()`` (``server_address`` says where it listens)."""
    page = _page(session)

    class Handler(BaseHTTPRequestHandler):
        server_version = "distcheck"

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 -- quiet: the terminal is the user's
            pass

        def _allowed_host(self) -> bool:
            port = self.server.server_address[1]
            return self.headers.get("Host", "") in {f"127.0.0.1:{port}", f"localhost:{port}"}

        def _send(self, status: int, body: bytes, ctype: str) -> None:
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            # the page loads nothing from anywhere, and nothing may frame it
            self.send_header("Content-Security-Policy",
                             "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; "
                             "img-src data:; connect-src 'self'; frame-ancestors 'none'")
            self.send_header("X-Content-Type-Options", "nosniff")
            self.end_headers()
            self.wfile.write(body)

        def _json(self, obj: Any, status: int = 200) -> None:
            self._send(status, json.dumps(obj).encode("utf-8"), "application/json")

        def _fail(self, message: str, status: int = 400) -> None:
            self._json({"error": {"message": message}}, status)

        def do_GET(self) -> None:  # noqa: N802 -- http.server's name
            if not self._allowed_host():
                return self._fail("wrong Host header: open the address distcheck serve printed", 403)
            url = urlsplit(self.path)
            query = {k: v[-1] for k, v in parse_qs(url.query).items()}
            try:
                if url.path == "/":
                    return self._send(200, page, "text/html; charset=utf-8")
                if url.path == "/api/spec":
                    return self._json(session.describe())
                if url.path == "/api/preload":
                    return self._json(session.preloaded())
                if url.path == "/api/state":
                    parent = parse_fp(query["from"]) if query.get("from") else None
                    return self._json(session.view(parse_fp(query.get("fp", "")), parent))
            except SpecError as e:
                return self._fail(str(e))
            except Exception as e:  # noqa: BLE001 -- a bug of distcheck's: said on the page, not a hung request
                return self._internal(e)
            self._fail(f"no such page: {url.path}", 404)

        def _internal(self, e: Exception) -> None:
            self._fail(f"internal error in distcheck serve: {describe_exception(e)}", 500)

        def do_POST(self) -> None:  # noqa: N802
            if not self._allowed_host():
                return self._fail("wrong Host header: open the address distcheck serve printed", 403)
            if self.headers.get("Content-Type", "").split(";")[0].strip() != "application/json":
                return self._fail("POST bodies must be application/json", 415)
            try:
                length = int(self.headers.get("Content-Length", "0"))
            except ValueError:
                return self._fail("bad Content-Length")
            if length < 0:
                return self._fail("bad Content-Length")
            if length > MAX_BODY:
                return self._fail(f"request body over {MAX_BODY // 2**20} MiB", 413)
            try:
                body = json.loads(self.rfile.read(length) or b"{}")
                if not isinstance(body, dict):
                    raise SpecError("the request body must be a JSON object")
                return self._json(self._post(urlsplit(self.path).path, body))
            except (json.JSONDecodeError, UnicodeDecodeError):
                return self._fail("the request body is not JSON")
            except RecursionError:
                return self._fail("the request body is nested too deeply")
            except SpecError as e:
                return self._fail(str(e))
            except _NoSuchApi:
                return self._fail(f"no such API: {self.path}", 404)
            except Exception as e:  # noqa: BLE001
                return self._internal(e)

        def _post(self, path: str, body: dict[str, Any]) -> Any:
            if path == "/api/walk":
                return session.walk(parse_fp(body.get("fp", "")), _int(body, "steps", 20), _int(body, "seed", 0))
            if path == "/api/find":
                return session.find(parse_fp(body.get("fp", "")))
            if path == "/api/load":
                text = body.get("text")
                if not isinstance(text, str):
                    raise SpecError("load: \"text\" must be the file's text")
                return session.load(text, str(body.get("name") or "upload"))
            if path == "/api/chart":
                fps = body.get("path")
                if not isinstance(fps, list) or not fps:
                    raise SpecError("chart: \"path\" must be a non-empty list of fingerprints")
                labels = body.get("labels")
                if labels is not None and not (isinstance(labels, list) and all(isinstance(x, str) for x in labels)):
                    raise SpecError("chart: \"labels\" must be a list of the steps' labels")
                loop = body.get("loop")
                if loop is not None and not (isinstance(loop, dict) and isinstance(loop.get("to"), int)
                                             and isinstance(loop.get("label"), str)):
                    raise SpecError("chart: \"loop\" must be {\"to\": state, \"label\": the closing step}")
                return session.chart([parse_fp(f) for f in fps], labels,
                                     None if loop is None else (loop["to"], loop["label"]))
            if path == "/api/prove":
                invs = body.get("invariants") or None
                if invs is not None and not (isinstance(invs, list) and all(isinstance(i, str) for i in invs)):
                    raise SpecError("prove: \"invariants\" must be a list of invariant names")
                seconds = _int(body, "timeout", 30)
                if seconds < 1:
                    raise SpecError("prove: \"timeout\" must be at least 1 second")
                with _prove_lock:
                    return session.prove(float(min(seconds, PROVE_SECONDS)), invs)
            raise _NoSuchApi(path)

    server = ThreadingHTTPServer((host, port), Handler)
    server.daemon_threads = True
    return server


class _NoSuchApi(Exception):
    pass


def _int(body: dict[str, Any], name: str, default: int) -> int:
    v = body.get(name, default)
    if isinstance(v, bool) or not isinstance(v, int):
        raise SpecError(f"\"{name}\" must be an integer, not {json.dumps(v)}")
    return v
