"""A TCP proxy on 127.0.0.1 whose forwarding can be cut: a network partition without root.

The replica connects to its primary through the proxy (``--replicaof 127.0.0.1 PROXY_PORT``).
:meth:`Proxy.cut` closes every connection it carries and, until :meth:`Proxy.restore`, closes
each new one on arrival -- a firewall that rejects (iptables ``REJECT``) rather than drops: the
replica sees its link to the primary go down at once, keeps serving reads from what it has
(``replica-serve-stale-data yes``, Redis's default), and resynchronises when it reconnects.
"""

from __future__ import annotations

import contextlib
import socket
import threading

__all__ = ["Proxy"]


class Proxy:
    """Forward 127.0.0.1:``port`` to 127.0.0.1:``target``, both ways, in daemon threads."""

    def __init__(self, target: int) -> None:
        self.target = target
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.1)  # so that the accept loop notices close()
        self.port: int = self._listener.getsockname()[1]
        self._lock = threading.Lock()
        self._open: set[socket.socket] = set()
        self._cut = False
        self._closed = False
        threading.Thread(target=self._accept, name=f"proxy:{self.port}", daemon=True).start()

    def _accept(self) -> None:
        while not self._closed:
            try:
                downstream, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            try:
                upstream = socket.create_connection(("127.0.0.1", self.target), timeout=1.0)
                upstream.settimeout(None)
            except OSError:
                downstream.close()  # the primary is down: so is the link through us
                continue
            with self._lock:
                if self._cut or self._closed:
                    downstream.close(), upstream.close()
                    continue
                self._open |= {downstream, upstream}
            for src, dst in ((downstream, upstream), (upstream, downstream)):
                threading.Thread(target=self._pump, args=(src, dst), daemon=True).start()

    def _pump(self, src: socket.socket, dst: socket.socket) -> None:
        try:
            while data := src.recv(65536):
                dst.sendall(data)
        except OSError:
            pass
        finally:
            self._drop(src), self._drop(dst)  # one side closed: close the other as well

    def _drop(self, s: socket.socket) -> None:
        with self._lock:
            self._open.discard(s)
        with contextlib.suppress(OSError):
            s.shutdown(socket.SHUT_RDWR)  # wakes the pump blocked in recv on it
        s.close()

    def cut(self) -> None:
        with self._lock:
            self._cut = True
            carried = list(self._open)
        for s in carried:
            self._drop(s)

    def restore(self) -> None:
        with self._lock:
            self._cut = False

    def close(self) -> None:
        self._closed = True
        self.cut()
        self._listener.close()
