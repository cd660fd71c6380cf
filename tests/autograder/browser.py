"""A page as a real browser shows it: headless Chromium, driven over the DevTools protocol.

Chromium (Debian's ``chromium`` package) is started with ``--remote-debugging-pipe``: it
reads protocol commands, JSON ended by a NUL byte, from its file descriptor 3 and writes
replies and events to 4. The page is laid out at an exact viewport width (a phone is 390
CSS pixels wide; a window cannot be made that narrow, so the device metrics are set), a
script measures its layout, and a PNG of the whole page is taken.
"""

import base64
import fcntl
import json
import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
TIMEOUT = 60  # seconds for one page


class BrowserError(RuntimeError):
    pass


class _Pipe:
    def __init__(self, process, commands, replies):
        self.process, self.commands, self.replies = process, commands, replies
        self.buffer, self.next_id, self.events = b"", 0, []

    def _read_message(self):
        while b"\0" not in self.buffer:
            chunk = os.read(self.replies, 1 << 16)
            if not chunk:
                raise BrowserError("chromium closed its DevTools pipe")
            self.buffer += chunk
        message, self.buffer = self.buffer.split(b"\0", 1)
        return json.loads(message)

    def call(self, method, session=None, **params):
        self.next_id += 1
        message = {"id": self.next_id, "method": method, "params": params}
        if session:
            message["sessionId"] = session
        os.write(self.commands, json.dumps(message).encode() + b"\0")
        while True:
            reply = self._read_message()
            if reply.get("id") == self.next_id:
                if "error" in reply:
                    raise BrowserError(f"{method}: {reply['error']}")
                return reply.get("result", {})
            self.events.append(reply)

    def wait_for(self, method):
        while True:
            found = next((e for e in self.events if e.get("method") == method), None)
            if found:
                self.events.remove(found)
                return found
            self.events.append(self._read_message())


def _high(fd):
    """A close-on-exec copy of ``fd`` numbered 100 or more (out of the way of 3 and 4)."""
    return fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, 100)


class Browser:
    """One headless Chromium for several pages: ``with Browser() as b: b.render(path, 390)``."""

    def __init__(self):
        if CHROMIUM is None:
            raise BrowserError("chromium is not installed")
        to_browser_read, self.commands = os.pipe()
        self.replies, from_browser_write = os.pipe()
        child_read, child_write = _high(to_browser_read), _high(from_browser_write)
        for fd in (to_browser_read, from_browser_write):
            os.close(fd)

        def give_descriptors():
            os.dup2(child_read, 3)
            os.dup2(child_write, 4)

        self.profile = tempfile.mkdtemp(prefix="chromium-profile-")
        self.process = subprocess.Popen(
            [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--no-first-run",
             "--disable-extensions", "--mute-audio", "--remote-debugging-pipe",
             f"--user-data-dir={self.profile}"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            preexec_fn=give_descriptors, close_fds=False)
        os.close(child_read)
        os.close(child_write)
        self.pipe = _Pipe(self.process, self.commands, self.replies)

    def render(self, path, width, script="null", height=900):
        """Load the file at ``path`` at ``width`` CSS pixels; returns ``(png bytes of the whole
        page, the value of the JavaScript expression ``script`` once the page has loaded)``."""
        pipe = self.pipe
        target = pipe.call("Target.createTarget", url="about:blank")["targetId"]
        session = pipe.call("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
        try:
            pipe.call("Page.enable", session)
            metrics = {"deviceScaleFactor": 1, "mobile": width < 600}
            pipe.call("Emulation.setDeviceMetricsOverride", session, width=width, height=height, **metrics)
            pipe.call("Page.navigate", session, url=Path(path).resolve().as_uri())
            pipe.wait_for("Page.loadEventFired")
            measured = pipe.call("Runtime.evaluate", session, expression=script, returnByValue=True)
            full = pipe.call("Runtime.evaluate", session, returnByValue=True,
                             expression="Math.ceil(document.documentElement.scrollHeight)")["result"]["value"]
            pipe.call("Emulation.setDeviceMetricsOverride", session, width=width,
                      height=min(int(full), 12000), **metrics)
            shot = pipe.call("Page.captureScreenshot", session, format="png")
        finally:
            pipe.call("Target.closeTarget", targetId=target)
        return base64.b64decode(shot["data"]), measured["result"].get("value")

    def scripts_run(self, path, settle_ms=300):
        """Load the file at ``path`` and say what its scripts did: ``{"console": [messages],
        "dialogs": [messages], "links": [the URL of each link, image and frame]}``.

        Before any script of the page runs, ``alert``, ``confirm`` and ``prompt`` are made to log
        ``dialog: <message>`` instead of opening a dialog (a dialog would hold the page); any
        dialog that opens all the same is accepted and recorded. No request leaves the machine
        (http and https are blocked), so only the page's own scripts can run. After the load
        event, ``settle_ms`` milliseconds pass for timers and late events."""
        pipe = self.pipe
        target = pipe.call("Target.createTarget", url="about:blank")["targetId"]
        session = pipe.call("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
        seen = {"console": [], "dialogs": [], "links": []}

        def handle(event):
            params = event.get("params", {})
            if event.get("method") == "Runtime.consoleAPICalled":
                seen["console"].append(" ".join(str(a.get("value", a.get("description", "")))
                                                for a in params.get("args", [])))
            elif event.get("method") == "Page.javascriptDialogOpening":
                seen["dialogs"].append(params.get("message", ""))
                pipe.call("Page.handleJavaScriptDialog", session, accept=True)
            return event.get("method")

        try:
            for domain in ("Page", "Runtime", "Network"):
                pipe.call(f"{domain}.enable", session)
            pipe.call("Network.setBlockedURLs", session, urls=["http://*", "https://*"])
            pipe.call("Page.addScriptToEvaluateOnNewDocument", session, source=(
                "for (const name of ['alert', 'confirm', 'prompt']) {"
                "  window[name] = (message) => console.log('dialog: ' + message); }"))
            pipe.call("Page.navigate", session, url=Path(path).resolve().as_uri())
            while True:
                event = pipe.events.pop(0) if pipe.events else pipe._read_message()
                if handle(event) == "Page.loadEventFired" and event.get("sessionId") == session:
                    break
            pipe.call("Runtime.evaluate", session, awaitPromise=True,
                      expression=f"new Promise(done => setTimeout(done, {int(settle_ms)}))")
            seen["links"] = pipe.call("Runtime.evaluate", session, returnByValue=True, expression=(
                "[...document.querySelectorAll('[href], [src], [action], [formaction], [data]')]"
                ".map(e => e.href || e.src || e.action || e.formAction || e.data || '')"))["result"]["value"]
            while pipe.events:
                handle(pipe.events.pop(0))
        finally:
            pipe.call("Target.closeTarget", targetId=target)
        return seen

    def close(self):
        try:
            self.pipe.call("Browser.close")
        except (BrowserError, OSError):
            pass
        for fd in (self.commands, self.replies):
            os.close(fd)
        try:
            self.process.wait(timeout=TIMEOUT)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        shutil.rmtree(self.profile, ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


#: What a link, image or frame of a sanitised page may lead to: a page or file, or an image's data.
SAFE_LINK = re.compile(r"(https?|file|mailto|about):|data:image/(png|jpeg|gif|webp|svg\+xml)[;,]",
                       re.IGNORECASE)


def unsafe_links(links):
    """The links of :meth:`Browser.scripts_run` that could run a script when followed
    (``javascript:``, ``data:text/html``, ...)."""
    return [link for link in links if not SAFE_LINK.match(link)]


#: Measures a page: its viewport and scrolling widths, the elements wider than the screen
#: (outside scrolling boxes), and for each ``h2`` holding a ``.name`` and a ``.points``, whether
#: they overlap, how many words of the name are broken in two, and on how many lines it is.
LAYOUT = """(() => {
  const boxes = (a, b) => !(a.right <= b.left || b.right <= a.left || a.bottom <= b.top || b.bottom <= a.top);
  const rows = (element) => {
    const range = document.createRange();
    range.selectNodeContents(element);
    return new Set([...range.getClientRects()].map(r => Math.round(r.top))).size;
  };
  const out = {width: window.innerWidth, scroll: document.documentElement.scrollWidth, headings: []};
  for (const h of document.querySelectorAll("h2")) {
    const name = h.querySelector(".name"), points = h.querySelector(".points");
    if (!name || !points) continue;
    let broken = 0;
    for (const node of name.childNodes) {
      if (node.nodeType !== 3 || !node.textContent.length) continue;
      const range = document.createRange();
      range.selectNodeContents(node);
      if (range.getClientRects().length > 1) broken++;
    }
    out.headings.push({name: name.textContent, overlap: boxes(name.getBoundingClientRect(),
                       points.getBoundingClientRect()), broken: broken,
                       rows: rows(name)});
  }
  out.wide = [...document.querySelectorAll("body *")]
    .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1 && !e.closest(".scroll, pre"))
    .map(e => e.tagName + "." + e.className).slice(0, 10);
  return out;
})()"""


def ink(png):
    """``(share of pixels that differ from the page's background, number of distinct colours)``."""
    import io

    import numpy as np
    from PIL import Image

    pixels = np.asarray(Image.open(io.BytesIO(png)).convert("RGB"), dtype=np.int16)
    background = pixels[-1, -1]
    painted = np.abs(pixels - background).max(axis=2) > 24
    colours = np.unique(pixels.reshape(-1, 3), axis=0)
    return float(painted.mean()), len(colours)
