"""A page as a real browser shows it: the system's Chromium, driven by Playwright.

Playwright starts the Chromium the machine has (``/usr/bin/chromium``, Debian's ``chromium``
package, by ``executable_path``), never a browser of its own. Each page is opened at an exact
viewport width (a phone is 390 CSS pixels wide), measured by a script (:data:`LAYOUT`), scanned
for accessibility by axe-core (packaged in ``axe-playwright-python``) and saved as a PNG of the
whole page, so a failed test leaves a picture to look at.
"""

import io
import re
import shutil
from pathlib import Path

CHROMIUM = next((path for path in ("/usr/bin/chromium", shutil.which("chromium"),
                                   shutil.which("chromium-browser")) if path and Path(path).is_file()), None)
TIMEOUT_MS = 60_000  # for one page
SHOT_HEIGHT = 4000  # CSS pixels of a page's screenshot at most (from its top): enough to look at
#: Why a browser test cannot run here (None: it can).
MISSING = None if CHROMIUM else "chromium is not installed; Debian: apt-get install chromium"


class Browser:
    """One headless Chromium for several pages: ``with Browser() as b: b.render(path, 390)``."""

    def __init__(self):
        from playwright.sync_api import sync_playwright

        if CHROMIUM is None:
            raise RuntimeError(MISSING)
        self._playwright = sync_playwright().start()
        self._browser = self._playwright.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu", "--hide-scrollbars"])

    def open(self, path, width, height=900, block_network=False):
        """A new page showing the file at ``path`` at ``width`` CSS pixels (a phone's touch and
        viewport rules below 600). The caller closes its context (``page.context.close()``)."""
        context = self._browser.new_context(viewport={"width": width, "height": height},
                                            device_scale_factor=1, is_mobile=width < 600,
                                            has_touch=width < 600)
        context.set_default_timeout(TIMEOUT_MS)
        if block_network:
            context.route(re.compile(r"^(https?|wss?)://"), lambda route: route.abort())
        page = context.new_page()
        page.goto(Path(path).resolve().as_uri(), wait_until="load")
        return page

    def render(self, path, width, script=None, height=900, screenshot=None):
        """Load the file at ``path`` at ``width`` CSS pixels; returns ``(png bytes of the whole
        page, the value of the JavaScript expression ``script``)``; the PNG is also written to
        ``screenshot`` when given (the page's top :data:`SHOT_HEIGHT` pixels)."""
        page = self.open(path, width, height)
        try:
            measured = page.evaluate(script) if script else None
            full = page.evaluate("document.documentElement.scrollHeight")
            png = page.screenshot(full_page=True, path=screenshot, clip={
                "x": 0, "y": 0, "width": width, "height": max(1, min(full, SHOT_HEIGHT))})
        finally:
            page.context.close()
        return png, measured

    def scripts_run(self, path, settle_ms=300):
        """Load the file at ``path`` and say what its scripts did: ``{"console": [messages],
        "dialogs": [messages], "links": [the URL of each link, image and frame]}``.

        Before any script of the page runs, ``alert``, ``confirm`` and ``prompt`` are made to log
        ``dialog: <message>`` instead of opening a dialog; any dialog that opens all the same is
        accepted and recorded. No request leaves the machine (http, https and web sockets are
        refused), so only the page's own scripts can run. After the load event, ``settle_ms``
        milliseconds pass for timers and late events."""
        seen = {"console": [], "dialogs": [], "links": []}
        context = self._browser.new_context()
        context.set_default_timeout(TIMEOUT_MS)
        context.route(re.compile(r"^(https?|wss?)://"), lambda route: route.abort())
        context.add_init_script("for (const name of ['alert', 'confirm', 'prompt']) {"
                                "  window[name] = (message) => console.log('dialog: ' + message); }")
        try:
            page = context.new_page()
            page.on("console", lambda message: seen["console"].append(message.text))

            def dialog(opened):
                seen["dialogs"].append(opened.message)
                opened.accept()

            page.on("dialog", dialog)
            page.goto(Path(path).resolve().as_uri(), wait_until="load")
            page.wait_for_timeout(settle_ms)
            seen["links"] = page.evaluate(
                "[...document.querySelectorAll('[href], [src], [action], [formaction], [data]')]"
                ".map(e => e.href || e.src || e.action || e.formAction || e.data || '')")
        finally:
            context.close()
        return seen

    def close(self):
        try:
            self._browser.close()
        finally:
            self._playwright.stop()

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


#: Measures a page: its viewport and scrolling widths; the elements wider than the screen
#: (outside a box that scrolls on its own); the smallest text as rendered (the computed font
#: size of every element holding text, in CSS pixels, with the element); each chart (an
#: ``img.chart``) with the height its smallest text is shown at (its ``data-text-px``, of the
#: picture source the browser chose, scaled by the shown over the natural width); and for each
#: ``h2`` holding a ``.name`` and a ``.points``, whether they overlap, how many words of the name
#: are broken in two, and on how many lines it is.
LAYOUT = """(() => {
  const boxes = (a, b) => !(a.right <= b.left || b.right <= a.left || a.bottom <= b.top || b.bottom <= a.top);
  const rows = (element) => {
    const range = document.createRange();
    range.selectNodeContents(element);
    return new Set([...range.getClientRects()].map(r => Math.round(r.top))).size;
  };
  const scrolls = (e) => {  // inside a box that scrolls sideways on its own, and fits the screen
    for (let box = e.parentElement; box; box = box.parentElement) {
      if (["auto", "scroll"].includes(getComputedStyle(box).overflowX))
        return box.getBoundingClientRect().right <= window.innerWidth + 1;
    }
    return false;
  };
  const out = {width: window.innerWidth, scroll: document.documentElement.scrollWidth, headings: [],
               charts: [], smallest: null};
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
  const all = [...document.querySelectorAll("body *")];
  out.wide = all.filter(e => e.getBoundingClientRect().right > window.innerWidth + 1 && !scrolls(e))
    .map(e => e.tagName + "." + e.className).slice(0, 10);
  for (const e of all) {
    const shown = e.getClientRects().length > 0 && getComputedStyle(e).visibility !== "hidden";
    const text = [...e.childNodes].some(n => n.nodeType === 3 && n.textContent.trim());
    if (!shown || !text) continue;
    const size = parseFloat(getComputedStyle(e).fontSize);
    if (!out.smallest || size < out.smallest.px)
      out.smallest = {px: size, element: e.tagName + "." + e.className,
                      text: e.textContent.trim().slice(0, 40)};
  }
  for (const img of document.querySelectorAll("img.chart")) {
    const source = img.closest("picture") && [...img.closest("picture").querySelectorAll("source")]
      .find(s => s.srcset === img.currentSrc);
    const textPx = parseFloat((source || img).dataset.textPx);
    const scale = img.getBoundingClientRect().width / img.naturalWidth;
    out.charts.push({alt: img.alt, variant: source ? "wide" : "narrow", natural: img.naturalWidth,
                     shown: img.getBoundingClientRect().width, textPx: textPx * scale,
                     right: img.getBoundingClientRect().right});
  }
  return out;
})()"""

#: Every link of a page, in document order: ``[{href, text}]``.
LINKS = """[...document.querySelectorAll("a[href]")].map(a => ({href: a.getAttribute("href"),
  text: a.textContent.trim().slice(0, 60)}))"""
#: What the keyboard can focus on a page: links, and boxes given a ``tabindex``.
FOCUSABLE = """document.querySelectorAll('a[href], [tabindex]:not([tabindex="-1"])').length"""
#: The element that has the focus: its ``href`` for a link, else its tag.
FOCUSED = """(() => { const e = document.activeElement;
  return e && e.tagName === "A" ? e.getAttribute("href") : (e ? e.tagName : null); })()"""


def tab_order(page):
    """What Tab reaches, in order, from the top of ``page``: a link's ``href``, another
    element's tag; as many presses as the page has elements a keyboard can focus."""
    reached = []
    for _ in range(page.evaluate(FOCUSABLE)):
        page.keyboard.press("Tab")
        reached.append(page.evaluate(FOCUSED))
    return reached


def axe_violations(page):
    """The accessibility violations axe-core finds on ``page``: ``[{id, impact, help, nodes}]``
    (axe-core as ``axe-playwright-python`` packages it)."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return [{"id": v["id"], "impact": v["impact"], "help": v["help"],
             "nodes": [n["target"] for n in v["nodes"]][:5]} for v in results.response["violations"]]


def ink(png):
    """``(share of pixels that differ from the page's background, number of distinct colours)``."""
    import numpy as np
    from PIL import Image

    pixels = np.asarray(Image.open(io.BytesIO(png)).convert("RGB"), dtype=np.int32)
    background = pixels[-1, -1]
    painted = np.abs(pixels - background).max(axis=2) > 24
    packed = (pixels[..., 0] << 16) | (pixels[..., 1] << 8) | pixels[..., 2]  # one int per colour
    return float(painted.mean()), len(np.unique(packed))
