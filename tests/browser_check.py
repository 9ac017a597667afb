"""The HTML report in a real browser: headless Chromium opens it offline, over the DevTools
protocol this script checks that the math (MathML) and the plots (SVG) are there and laid out,
that the page holds no script and no javascript: URL, that the console shows no error, no
dialog opens and nothing is fetched, and saves a screenshot. Then it does the same for the
report of a hostile derivations file (tests/samples.py), whose every string tries to inject
markup: nothing of it may run, fetch or link.

    python tests/browser_check.py REPORT.html SCREENSHOT.png   (what `make browser-check` runs)
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import websocket
from samples import HOSTILE_REPORT_FILE

ROOT = Path(__file__).resolve().parent.parent

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--remote-debugging-port=0",
    "--hide-scrollbars",
]
VIEWPORT = {"width": 1100, "height": 1500, "deviceScaleFactor": 1, "mobile": False}
CHECKS = {  # JavaScript → what it must be
    "math elements": "document.querySelectorAll('math').length",
    "math laid out": "[...document.querySelectorAll('math')].filter("
    "m => m.getBoundingClientRect().width > 0).length",
    "fractions": "document.querySelectorAll('mfrac').length",
    "svg plots": "document.querySelectorAll('.plot svg').length",
    "plots laid out": "[...document.querySelectorAll('.plot svg')].filter("
    "s => s.getBoundingClientRect().height > 50).length",
    "steps": "document.querySelectorAll('article.step').length",
}
ABSENT = {  # JavaScript → what must be 0
    "script elements": "document.querySelectorAll('script').length",
    "javascript: URLs": "[...document.querySelectorAll('*')].flatMap(e => [...e.attributes])"
    ".filter(a => /^\\s*javascript:/i.test(a.value)).length",
    "event handlers": "[...document.querySelectorAll('*')].flatMap(e => [...e.attributes])"
    ".filter(a => a.name.startsWith('on')).length",
    "images and frames": "document.querySelectorAll('img, iframe, object, embed').length",
}
HOSTILE_STEPS = 3


class DevTools:
    """A minimal Chrome DevTools protocol client: commands, and the events seen meanwhile."""

    def __init__(self, url: str):
        self.socket = websocket.create_connection(url, timeout=60)
        self.next_id = 0
        self.events: list[dict] = []

    def call(self, method: str, **params) -> dict:
        self.next_id += 1
        self.socket.send(json.dumps({"id": self.next_id, "method": method, "params": params}))
        asked = self.next_id
        while True:
            message = json.loads(self.socket.recv())
            if message.get("id") == asked:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message.get("result", {})
            self.record(message)

    def record(self, message: dict) -> None:
        """Keep an event; close a dialog (a script ran alert()), which would stop the page."""
        self.events.append(message)
        if message.get("method") == "Page.javascriptDialogOpening":
            self.next_id += 1
            request = {"method": "Page.handleJavaScriptDialog", "params": {"accept": True}}
            self.socket.send(json.dumps({"id": self.next_id, **request}))

    def wait_for(self, event: str, seconds: float = 60) -> None:
        deadline = time.monotonic() + seconds
        while not any(e.get("method") == event for e in self.events):
            if time.monotonic() > deadline:
                raise TimeoutError(f"no {event} within {seconds} s")
            self.record(json.loads(self.socket.recv()))

    def evaluate(self, expression: str):
        return self.call("Runtime.evaluate", expression=expression, returnByValue=True)["result"][
            "value"
        ]


def start_chromium(profile: str) -> tuple[subprocess.Popen, str]:
    process = subprocess.Popen(
        [CHROMIUM, *FLAGS, f"--user-data-dir={profile}", "about:blank"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # its own process group: stop() ends its children too
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        line = process.stderr.readline()
        found = re.search(r"DevTools listening on (ws://\S+)", line)
        if found:
            port = re.search(r":(\d+)/", found.group(1)).group(1)
            return process, port
        if not line and process.poll() is not None:
            break
    stop(process)
    raise RuntimeError("Chromium did not start (is the `chromium` package installed?)")


def stop(process: subprocess.Popen) -> None:
    """Chromium and every process it started (renderer, GPU, crashpad), which otherwise go on
    writing into the profile while it is removed."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=30)


def page_socket(port: str) -> str:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=30) as response:
        targets = json.load(response)
    return next(t["webSocketDebuggerUrl"] for t in targets if t["type"] == "page")


def problems_in(events: list[dict]) -> list[str]:
    """Console errors, uncaught exceptions, and any request that is not the file itself."""
    found = []
    for event in events:
        method, params = event.get("method"), event.get("params", {})
        if method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert"):
            found.append(f"console.{params['type']}: {params.get('args')}")
        elif method == "Page.javascriptDialogOpening":
            found.append(f"a dialog opened: {params.get('message')!r}")
        elif method == "Runtime.exceptionThrown":
            found.append(f"exception: {params['exceptionDetails'].get('text')}")
        elif method == "Log.entryAdded" and params["entry"]["level"] == "error":
            found.append(f"log: {params['entry'].get('text')}")
        elif method == "Network.requestWillBeSent":
            url = params["request"]["url"]
            if not url.startswith(("file:", "data:", "about:")):
                found.append(f"network request: {url}")
    return found


def check(report: Path, screenshot: Path, hostile: bool = False) -> list[str]:
    # a process that outlives stop() must not turn a checked page into a failure: the profile
    # is scratch
    with tempfile.TemporaryDirectory(
        prefix="derivcheck-chromium-", ignore_cleanup_errors=True
    ) as profile:
        process, port = start_chromium(profile)
        try:
            tools = DevTools(page_socket(port))
            for domain in ("Page", "Runtime", "Log", "Network"):
                tools.call(f"{domain}.enable")
            tools.call("Emulation.setDeviceMetricsOverride", **VIEWPORT)
            tools.call("Page.navigate", url=report.resolve().as_uri())
            tools.wait_for("Page.loadEventFired")
            figures = {name: tools.evaluate(js) for name, js in CHECKS.items()}
            absent = {name: tools.evaluate(js) for name, js in ABSENT.items()}
            shot = tools.call("Page.captureScreenshot", format="png")
            screenshot.parent.mkdir(parents=True, exist_ok=True)
            screenshot.write_bytes(base64.b64decode(shot["data"]))
            time.sleep(0.5)  # late console messages
            tools.call("Runtime.evaluate", expression="1")
            problems = problems_in(tools.events)
        finally:
            stop(process)
    print("  ".join(f"{name}: {value}" for name, value in {**figures, **absent}.items()))
    problems += [f"{value} {name} in the page" for name, value in absent.items() if value]
    if figures["math laid out"] != figures["math elements"]:
        problems.append("some MathML elements have no width: not rendered")
    if hostile:  # its steps are there (each shown, as LaTeX where it held markup), no more
        if figures["steps"] != HOSTILE_STEPS:
            problems.append(f"{figures['steps']} steps shown, not {HOSTILE_STEPS}")
        return problems
    for name, value in figures.items():
        if not value:
            problems.append(f"no {name} in the rendered page")
    return problems


def hostile_report(folder: Path) -> Path:
    """The HTML report of the hostile derivations file, written by the command line."""
    source, report = folder / "hostile.py", folder / "hostile.html"
    source.write_text(HOSTILE_REPORT_FILE, encoding="utf-8")
    completed = subprocess.run(
        [sys.executable, "-m", "derivcheck", "verify", "--path", str(source), "-o", str(report)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    if completed.returncode != 1 or not report.exists():  # two of its steps are false
        raise RuntimeError(f"the hostile report was not written: {completed.stderr.strip()}")
    return report


def main(argv: list[str]) -> int:
    report, screenshot = Path(argv[0]), Path(argv[1])
    problems = check(report, screenshot)
    with tempfile.TemporaryDirectory(prefix="derivcheck-hostile-") as folder:
        hostile = hostile_report(Path(folder))
        problems += [
            f"hostile report: {p}" for p in check(hostile, hostile.with_suffix(".png"), True)
        ]
    for problem in problems:
        print(f"browser-check: {problem}", file=sys.stderr)
    print(f"browser-check: {'FAILED' if problems else 'ok'}; screenshot in {screenshot}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
