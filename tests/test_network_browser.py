"""The network page in a real headless Chromium (Debian's ``chromium``), driven over the Chrome
DevTools protocol: no console errors, no request leaves the page, every node is drawn, a search for
'Solent' highlights that node, a click shows the evidence, and a screenshot is saved in the test's
temporary folder. Skipped with a message where chromium (or websocket-client) is absent.
"""
from __future__ import annotations

import base64
import json
import shutil
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

from ofsted_kg import network as N

CHROMIUM = shutil.which("chromium") or ("/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None)
SOLENT = "https://w3id.org/ofsted-kg/id/agency/solent-nhs-trust"
WAIT_S = 60.0  # a guard against a hung browser, not a speed assertion (speed lives in bench/)


class Chromium:
    """One headless Chromium with a fresh profile, and one page driven through the DevTools protocol."""

    def __init__(self, tmp: Path):
        websocket = pytest.importorskip("websocket", reason="websocket-client is not installed (pip install -e '.[test]')")
        self.profile = tmp / "chromium-profile"
        self.profile.mkdir(parents=True, exist_ok=True)
        (self.profile / "DevToolsActivePort").unlink(missing_ok=True)  # a stale one would name a dead port
        self.proc = subprocess.Popen(
            [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
             "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-default-apps",
             "--disable-extensions", f"--user-data-dir={self.profile}", "--remote-debugging-address=127.0.0.1",
             "--remote-debugging-port=0", "--window-size=1400,900", "about:blank"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL)
        self.ws = None
        try:
            self._connect(websocket)
        except BaseException:
            self.close()
            raise

    def _connect(self, websocket) -> None:
        port_file = self.profile / "DevToolsActivePort"
        deadline = time.monotonic() + WAIT_S
        while not (port_file.exists() and port_file.read_text().strip()):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"chromium did not start (exit code {self.proc.poll()})")
            time.sleep(0.1)
        port = int(port_file.read_text().split()[0])
        targets = json.loads(urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=10).read())
        page = next(t for t in targets if t["type"] == "page")
        self.ws = websocket.create_connection(page["webSocketDebuggerUrl"], timeout=WAIT_S, suppress_origin=True)
        self.next_id = 0
        self.events: list[dict] = []
        for domain in ("Page", "Runtime", "Log", "Network"):
            self.send(f"{domain}.enable")

    def send(self, method: str, **params) -> dict:
        self.next_id += 1
        self.ws.send(json.dumps({"id": self.next_id, "method": method, "params": params}))
        while True:
            msg = json.loads(self.ws.recv())
            if msg.get("id") == self.next_id:
                if "error" in msg:
                    raise RuntimeError(f"{method}: {msg['error']}")
                return msg.get("result", {})
            if "method" in msg:
                self.events.append(msg)

    def js(self, expression: str):
        r = self.send("Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True)
        if "exceptionDetails" in r:
            raise RuntimeError(f"{expression}: {r['exceptionDetails']}")
        return r["result"].get("value")

    def wait_for(self, expression: str):
        deadline = time.monotonic() + WAIT_S
        while time.monotonic() < deadline:
            value = self.js(expression)
            if value:
                return value
            time.sleep(0.1)
        pytest.fail(f"timed out waiting for {expression}")

    def errors(self) -> list[str]:
        out = []
        for e in self.events:
            m, p = e["method"], e.get("params", {})
            if m == "Runtime.exceptionThrown":
                out.append(json.dumps(p["exceptionDetails"])[:500])
            elif m == "Runtime.consoleAPICalled" and p.get("type") in ("error", "assert"):
                out.append(" ".join(str(a.get("value", a.get("description"))) for a in p.get("args", [])))
            elif m == "Log.entryAdded" and p["entry"].get("level") == "error":
                out.append(p["entry"].get("text", ""))
        return out

    def requests(self) -> list[str]:
        return [e["params"]["request"]["url"] for e in self.events if e["method"] == "Network.requestWillBeSent"]

    def click(self, x: float, y: float) -> None:
        for kind in ("mouseMoved", "mousePressed", "mouseReleased"):
            self.send("Input.dispatchMouseEvent", type=kind, x=x, y=y, button="left", clickCount=1)

    def screenshot(self, path: Path) -> Path:
        path.write_bytes(base64.b64decode(self.send("Page.captureScreenshot", format="png")["data"]))
        return path

    def close(self) -> None:
        if self.ws is not None:
            self.ws.close()
            self.ws = None
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=20)


@pytest.fixture
def browser(tmp_path):
    if CHROMIUM is None:
        pytest.skip("chromium is not installed (Debian: apt-get install chromium); the page test needs a real browser")
    b = Chromium(tmp_path)
    yield b
    b.close()


def open_page(browser: Chromium, G, tmp_path: Path) -> dict:
    (html,) = N.export(G, tmp_path / "out", ["html"])
    browser.send("Page.navigate", url=html.resolve().as_uri())
    browser.wait_for("window.okg && window.okg.ready === true")
    return {"drawn": browser.js("okg.drawnNodes()"), "edges": browser.js("okg.drawnEdges()"),
            "layout_ms": browser.js("okg.layoutMs")}


def check_page(browser: Chromium, G, tmp_path: Path) -> dict:
    info = open_page(browser, G, tmp_path)
    assert info["drawn"] == G.number_of_nodes()
    assert info["edges"] == G.number_of_edges()
    # search by typing into the search box: the Solent node is highlighted and selected
    browser.js("document.getElementById('search').focus()")
    browser.send("Input.insertText", text="Solent")
    assert SOLENT in browser.js("okg.highlighted")
    assert SOLENT in browser.js("okg.network.getSelectedNodes()")
    assert browser.js(f"okg.nodes.get({json.dumps(SOLENT)}).borderWidth") == 5
    assert "Solent NHS Trust" in browser.js("document.getElementById('hits').textContent")
    # a real click on the node shows its evidence: authority, date and the sentence naming it
    x, y = browser.js(f"(function(){{var p = okg.network.canvasToDOM(okg.network.getPosition({json.dumps(SOLENT)}));"
                      f"var r = document.getElementById('canvas').getBoundingClientRect(); return [p.x + r.left, p.y + r.top];}})()")
    browser.click(x, y)
    details = browser.js("document.getElementById('details').textContent")
    assert details.startswith("Solent NHS Trust") and "Evidence" in details
    assert "Portsmouth" in details and "Solent" in details.split("Evidence", 1)[1]
    shot = browser.screenshot(tmp_path / "network.png")
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 20_000
    # filters: hiding agency-agency edges and police agencies redraws without them
    browser.js("document.getElementById('kind-agency-agency').click()")
    kinds = {k for _, _, k in G.edges(keys=True)}
    if "agency-agency" in kinds:
        assert browser.js("okg.drawnEdges()") == G.number_of_edges() - sum(1 for _, _, k in G.edges(keys=True) if k == "agency-agency")
    police = sum(1 for _, d in G.nodes(data=True) if d.get("agency_type") == "police")
    if police:
        browser.js("document.getElementById('type-police').click()")
        assert browser.js("okg.drawnNodes()") == G.number_of_nodes() - police
    assert browser.errors() == []
    assert [u for u in browser.requests() if not u.startswith(("file:", "data:", "about:"))] == []
    return info


def test_page_on_the_invented_fixture(browser, tmp_path):
    import pyoxigraph as ox
    from test_network import fill_store

    G = N.build_graph(N.run_queries(fill_store(ox.Store())))
    check_page(browser, G, tmp_path)
    assert (tmp_path / "network.png").exists()


def test_page_on_an_empty_network(browser, tmp_path):
    import pyoxigraph as ox
    from test_network import fill_store

    G = N.build_graph(N.run_queries(fill_store(ox.Store())), N.Filters(framework="lac2012"))
    assert G.number_of_nodes() == 0
    assert open_page(browser, G, tmp_path)["drawn"] == 0
    assert browser.errors() == []


@pytest.mark.corpus
def test_page_on_the_dev_corpus(browser, tmp_path, corpus_store):
    G = N.build_graph(N.run_queries(corpus_store))
    info = check_page(browser, G, tmp_path)
    print(f"dev corpus page: {info['drawn']} nodes, {info['edges']} edges, laid out in {info['layout_ms']} ms")


from test_network import corpus_store  # noqa: E402,F401  (the seeds + PDF store, built once per run)
