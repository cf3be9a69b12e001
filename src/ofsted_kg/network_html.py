"""The agency network as one self-contained interactive HTML page that works offline.

The page (template: ``data/network/page.html``) draws the network with vis-network, whose
JavaScript and CSS are read from the installed ``pyvis`` package (it ships vis-network inside its
wheel) and inlined: the page loads nothing from anywhere, and its Content-Security-Policy forbids
any request. The graph is embedded as node-link JSON (see :func:`ofsted_kg.network.node_link`).

On the page: node colour by type (authority, or the agency's type), size by reports, search by name
(or other name), filters by edge kind and agency type, and on click the evidence: authority, report
date, framework, paragraph and the sentence that names the agency (or the recommendation).
For tests and scripts the page exposes ``window.okg`` (``ready`` once laid out, ``drawnNodes()``,
``search(term)``, ``highlighted``).
"""
from __future__ import annotations

import json
import re
from functools import lru_cache
from importlib import resources
from pathlib import Path

import networkx as nx

from .network import TYPE_COLOURS, node_link
from .resources import resource_dir

VIS_VERSION = "9.1.2"


class HtmlError(Exception):
    """The page cannot be made (the package carrying vis-network is missing)."""


@lru_cache(maxsize=1)
def vis_assets() -> tuple[str, str]:
    """(JavaScript, CSS) of vis-network as shipped inside the pyvis wheel."""
    try:
        lib = resources.files("pyvis") / "lib" / f"vis-{VIS_VERSION}"
        js = (lib / "vis-network.min.js").read_text(encoding="utf-8")
        css = (lib / "vis-network.css").read_text(encoding="utf-8")
    except (ModuleNotFoundError, FileNotFoundError) as e:
        raise HtmlError(f"the html format needs vis-network {VIS_VERSION} from the pyvis package "
                        f"(pip install pyvis): {e}") from None
    return js, css


def _raw_safe(text: str, tag: str) -> str:
    """Text that cannot end the <script> or <style> element it sits in."""
    return re.sub(rf"</({tag})", r"<\\/\1", text, flags=re.I)


def _json_safe(data) -> str:
    """JSON for a <script type="application/json"> element: '<' escaped, so no tag can close it."""
    return json.dumps(data, ensure_ascii=False, sort_keys=True).replace("<", "\\u003c").replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


def render_html(G: nx.MultiGraph, title: str | None = None) -> str:
    js, css = vis_assets()
    template = (resource_dir("network") / "page.html").read_text(encoding="utf-8")
    authorities = sum(1 for _, d in G.nodes(data=True) if d.get("type") == "authority")
    title = title or (f"Agency network: {authorities} authorities, {G.number_of_nodes() - authorities} agencies")
    parts = {"TITLE": title.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;"),
             "VIS_CSS": _raw_safe(css, "style"),
             "VIS_JS": _raw_safe(js, "script"),
             "GRAPH_JSON": _json_safe(node_link(G)),
             "COLOURS_JSON": _json_safe(TYPE_COLOURS)}
    # one pass: what is inserted is never scanned for placeholders again
    return re.sub(r"\{\{([A-Z_]+)\}\}", lambda m: parts[m.group(1)], template)


def write_html(G: nx.MultiGraph, path: str | Path, title: str | None = None) -> None:
    Path(path).write_text(render_html(G, title), encoding="utf-8")
