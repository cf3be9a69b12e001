"""Serve the store as a SPARQL endpoint with a query web page: Oxigraph's own server.

``oxigraph serve-read-only`` (the ``oxigraph`` package on PyPI) answers SPARQL queries at ``/query``,
the Graph Store Protocol read side at ``/store`` and serves a query editor at ``/``; as it is read-only
it answers every update (``/update``, PUT/POST/DELETE on ``/store``) with HTTP 403. ``--writable`` runs
``oxigraph serve`` instead (updates accepted). Queries see the union of all named graphs as their
default graph (``--union-default-graph``), so the one-graph-per-report layout needs no ``GRAPH`` clause.
The server binds 127.0.0.1 unless another host is asked for explicitly; ``timeout`` bounds each query.
"""
from __future__ import annotations

import shutil
import signal
import subprocess
import sys
import sysconfig
from pathlib import Path


class ServeError(Exception):
    """The store or the server could not be used (exit code 4)."""


def oxigraph_binary() -> str:
    """The ``oxigraph`` executable installed beside this Python (PyPI package ``oxigraph``), else on PATH."""
    for cand in (Path(sysconfig.get_path("scripts")) / "oxigraph", Path(sys.executable).parent / "oxigraph"):
        if cand.is_file():
            return str(cand)
    found = shutil.which("oxigraph")
    if not found:
        raise ServeError("the Oxigraph server is not installed (pip install oxigraph)")
    return found


def server_command(store: Path, host: str = "127.0.0.1", port: int = 7878, writable: bool = False,
                   timeout: float | None = None) -> list[str]:
    cmd = [oxigraph_binary(), "serve" if writable else "serve-read-only", "--location", str(store),
           "--bind", f"{host}:{port}" if ":" not in host else f"[{host}]:{port}", "--union-default-graph"]
    if timeout:
        cmd += ["--timeout-s", str(int(timeout))]
    return cmd


def check_store(store: Path, writable: bool) -> None:
    if not store.exists():
        if writable:
            return  # oxigraph serve creates an empty store
        raise ServeError(f"{store}: no such store directory (build it first: ofsted-kg build)")
    if not store.is_dir() or not (store / "CURRENT").exists():
        raise ServeError(f"{store}: not a store directory (no Oxigraph/RocksDB files in it)")


def serve(store: Path, host: str = "127.0.0.1", port: int = 7878, writable: bool = False,
          timeout: float | None = None, announce=print) -> int:
    """Run the server in the foreground until it exits or SIGINT/SIGTERM; return its exit status."""
    store = Path(store)
    check_store(store, writable)
    cmd = server_command(store, host, port, writable, timeout)
    shown = f"[{host}]" if ":" in host else host
    announce(f"SPARQL endpoint http://{shown}:{port}/query, query page http://{shown}:{port}/ "
             f"({'read-write' if writable else 'read-only'}) over {store}; Ctrl-C stops it")
    if host not in ("127.0.0.1", "localhost", "::1"):
        announce(f"warning: listening on {host}, reachable from other machines")
    proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL)

    def stop(signum, frame):  # pass SIGTERM on to the server, then let wait() return
        if proc.poll() is None:
            proc.terminate()

    old = signal.signal(signal.SIGTERM, stop)
    try:
        return proc.wait()
    except KeyboardInterrupt:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        return 0
    finally:
        signal.signal(signal.SIGTERM, old)
