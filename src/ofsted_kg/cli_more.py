"""Registration point for the subcommands of later pipeline stages (build, query, load, ...).

Each stage adds a ``register_<stage>(sub)`` function in its own module and one line here, so the
stages can be developed side by side without editing the same lines of cli.py.
"""
from __future__ import annotations


def register(sub) -> None:
    for modname in ("cli_graph", "cli_query", "cli_load", "cli_network", "cli_tables", "cli_themes"):
        try:
            mod = __import__(f"ofsted_kg.{modname}", fromlist=["register"])
        except ModuleNotFoundError as e:
            if e.name == f"ofsted_kg.{modname}":
                continue
            raise
        mod.register(sub)
