"""Open an HTML file in a real headless Chromium and report what a customer's browser would do.

Speaks the DevTools protocol over ``--remote-debugging-pipe`` (file descriptors 3 and 4,
NUL-separated JSON) with the standard library only, so the check needs nothing but the
Debian ``chromium`` package. It collects console messages, uncaught exceptions, log
entries (CSP violations, failed loads) and every network request the page makes, takes a
screenshot, and measures horizontal overflow at the printable widths of A4 and Letter.

Used by tests/checklist/test_browser.py and scripts/checklist_screenshot.py.
"""

from __future__ import annotations

import base64
import contextlib
import fcntl
import json
import os
import re
import select
import shutil
import struct
import subprocess
import tempfile
import time
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

CHROMIUM_CANDIDATES = ("/usr/bin/chromium", "/usr/bin/chromium-browser")
INSTALL_HINT = "apt-get update && apt-get install -y chromium"

CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--disable-extensions",
    "--hide-scrollbars",
    "--mute-audio",
    "--remote-debugging-pipe",
)

PAPERS_IN = {"Letter": (8.5, 11.0), "A4": (210 / 25.4, 297 / 25.4)}
"""Paper sizes in inches, as Page.printToPDF takes them."""

CONTRAST_SCRIPT = r"""
(() => {
  const parse = (c) => { const m = c.match(/rgba?\(([^)]+)\)/); if (!m) return null;
    const p = m[1].split(/[ ,\/]+/).filter(Boolean).map(Number);
    return {r: p[0], g: p[1], b: p[2], a: p.length > 3 ? p[3] : 1}; };
  const lum = (c) => { const f = (v) => { v /= 255;
      return v <= 0.04045 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
    return 0.2126 * f(c.r) + 0.7152 * f(c.g) + 0.0722 * f(c.b); };
  const background = (el) => { for (let e = el; e; e = e.parentElement) {
      const c = parse(getComputedStyle(e).backgroundColor); if (c && c.a > 0) return c; }
    return {r: 255, g: 255, b: 255, a: 1}; };
  const found = []; let min = 21;
  for (const el of document.body.querySelectorAll('*')) {
    const text = [...el.childNodes].filter(n => n.nodeType === 3).map(n => n.textContent)
      .join('').trim();
    if (!text || el.getClientRects().length === 0) continue;
    const style = getComputedStyle(el);
    if (style.visibility === 'hidden' || style.display === 'none') continue;
    const fg = parse(style.color), bg = background(el);
    const a = lum(fg), b = lum(bg);
    const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
    min = Math.min(min, ratio);
    if (ratio < 4.5) found.push({text: text.slice(0, 60), ratio: Math.round(ratio * 100) / 100,
      color: style.color, background: getComputedStyle(el).backgroundColor});
  }
  const empty = [];
  document.querySelectorAll('table').forEach((table, t) => {
    const rows = [...table.tBodies].flatMap(b => [...b.rows]);
    const columns = Math.max(0, ...rows.map(r => r.cells.length));
    for (let k = 0; k < columns; k++) {
      if (!rows.some(r => r.cells[k] && r.cells[k].innerText.trim())) empty.push(
        `table#${t} column ${k}`);
    }
  });
  return {found, min, empty};
})()
"""
"""Runs in the page: WCAG contrast of every visible text from its computed (rendered) colour
and the first opaque background behind it, and the table columns with no text at all."""

PRINT_WIDTHS_PX = {"A4": round((210 - 24) / 25.4 * 96), "Letter": round((215.9 - 24) / 25.4 * 96)}
"""CSS pixels across the printable area (paper width minus the 12 mm side margins of @page)."""


def find_chromium() -> str | None:
    """The Chromium binary, or None when it is not installed."""
    for candidate in CHROMIUM_CANDIDATES:
        if os.access(candidate, os.X_OK):
            return candidate
    return shutil.which("chromium")


@dataclass
class PageReport:
    """What the browser saw while loading the page."""

    url: str
    console: list[tuple[str, str]] = field(default_factory=list)
    exceptions: list[str] = field(default_factory=list)
    log_entries: list[tuple[str, str]] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    screenshot_png: bytes = b""
    thumbnail_png: bytes = b""
    overflow_px: dict[str, int] = field(default_factory=dict)
    title: str = ""
    pdf: dict[str, bytes] = field(default_factory=dict)
    """Paper name → the page printed to PDF on that paper (with print backgrounds)."""
    low_contrast: list[dict[str, Any]] = field(default_factory=list)
    """Texts whose rendered colour on its rendered background is under 4.5:1."""
    min_contrast: float = 0.0
    empty_columns: list[str] = field(default_factory=list)
    """``table#n column k`` for every table column with no text in any body cell."""

    @property
    def errors(self) -> list[str]:
        """Console errors, exceptions and error/warning log entries (CSP, failed loads)."""
        found = [text for level, text in self.console if level in ("error", "assert")]
        found += self.exceptions
        found += [text for level, text in self.log_entries if level in ("error", "warning")]
        return found

    @property
    def external_requests(self) -> list[str]:
        """Requests to anything but the page itself and inline data."""
        return [url for url in self.requests if url != self.url and not url.startswith("data:")]


class _Pipe:
    """The DevTools protocol over a pair of pipes: commands out, messages and events in."""

    def __init__(self, write_fd: int, read_fd: int) -> None:
        self._write = write_fd
        self._read = read_fd
        self._buffer = b""
        self._next_id = 0
        self.events: list[dict[str, Any]] = []

    def send(
        self,
        method: str,
        params: dict[str, Any] | None = None,
        session: str = "",
        timeout: float = 60.0,
    ) -> dict[str, Any]:
        self._next_id += 1
        message: dict[str, Any] = {"id": self._next_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        os.write(self._write, json.dumps(message).encode() + b"\0")
        deadline = time.monotonic() + timeout
        while True:
            reply = self._receive(deadline)
            if reply is None:
                raise TimeoutError(f"no answer to {method}")
            if reply.get("id") == self._next_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return dict(reply.get("result", {}))
            self.events.append(reply)

    def wait_for(self, method: str, timeout: float = 60.0) -> dict[str, Any]:
        for event in self.events:
            if event.get("method") == method:
                return event
        deadline = time.monotonic() + timeout
        while True:
            event = self._receive(deadline)
            if event is None:
                raise TimeoutError(f"no {method} event")
            self.events.append(event)
            if event.get("method") == method:
                return event

    def drain(self, seconds: float) -> None:
        """Collect late events for ``seconds``."""
        deadline = time.monotonic() + seconds
        while (event := self._receive(deadline)) is not None:
            self.events.append(event)

    def _receive(self, deadline: float) -> dict[str, Any] | None:
        while b"\0" not in self._buffer:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return None
            ready, _, _ = select.select([self._read], [], [], remaining)
            if not ready:
                return None
            chunk = os.read(self._read, 1 << 20)
            if not chunk:
                raise RuntimeError("chromium closed the DevTools pipe")
            self._buffer += chunk
        raw, self._buffer = self._buffer.split(b"\0", 1)
        return dict(json.loads(raw))


def inspect_html(
    path: Path,
    *,
    chromium: str | None = None,
    size: tuple[int, int] = (1280, 1700),
    thumbnail_scale: float = 0.25,
) -> PageReport:
    """Load ``path`` in headless Chromium; screenshot, console, requests, print overflow."""
    binary = chromium or find_chromium()
    if binary is None:
        raise FileNotFoundError(f"chromium is not installed ({INSTALL_HINT})")
    url = path.resolve().as_uri()
    to_browser_r, to_browser_w = _high_pipe()
    from_browser_r, from_browser_w = _high_pipe()
    with tempfile.TemporaryDirectory(prefix="dmsa-chromium-") as profile:
        script = (
            f'exec "$0" "$@" 3<&{to_browser_r} 4>&{from_browser_w} '
            f"{to_browser_r}<&- {from_browser_w}>&-"
        )
        process = subprocess.Popen(
            [
                "bash",
                "-c",
                script,
                binary,
                *CHROMIUM_FLAGS,
                f"--user-data-dir={profile}",
                f"--window-size={size[0]},{size[1]}",
                "about:blank",
            ],
            pass_fds=(to_browser_r, from_browser_w),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        os.close(to_browser_r)
        os.close(from_browser_w)
        pipe = _Pipe(to_browser_w, from_browser_r)
        try:
            return _drive(pipe, url, size, thumbnail_scale)
        finally:
            with contextlib.suppress(RuntimeError, TimeoutError, OSError):
                pipe.send("Browser.close", timeout=5)
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            os.close(to_browser_w)
            os.close(from_browser_r)


def _high_pipe() -> tuple[int, int]:
    """A pipe whose ends are numbered 10 or more, so the child's 3/4 redirections never clash."""
    ends = []
    for end in os.pipe():
        ends.append(fcntl.fcntl(end, fcntl.F_DUPFD_CLOEXEC, 10))
        os.close(end)
    return ends[0], ends[1]


def _drive(pipe: _Pipe, url: str, size: tuple[int, int], scale: float) -> PageReport:
    target = pipe.send("Target.createTarget", {"url": "about:blank"})["targetId"]
    session = pipe.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
    for domain in ("Runtime", "Log", "Network", "Page"):
        pipe.send(f"{domain}.enable", session=session)
    pipe.send(
        "Emulation.setDeviceMetricsOverride",
        {"width": size[0], "height": size[1], "deviceScaleFactor": 1, "mobile": False},
        session=session,
    )
    pipe.events.clear()
    pipe.send("Page.navigate", {"url": url}, session=session)
    pipe.wait_for("Page.loadEventFired")
    pipe.drain(0.5)
    report = PageReport(url=url)
    report.screenshot_png = _screenshot(pipe, session, size, 1.0)
    report.thumbnail_png = _screenshot(pipe, session, size, scale)
    title = pipe.send("Runtime.evaluate", {"expression": "document.title"}, session=session)
    report.title = str(title.get("result", {}).get("value", ""))
    pipe.send("Emulation.setEmulatedMedia", {"media": "print"}, session=session)
    for paper, width in PRINT_WIDTHS_PX.items():
        pipe.send(
            "Emulation.setDeviceMetricsOverride",
            {"width": width, "height": 1000, "deviceScaleFactor": 1, "mobile": False},
            session=session,
        )
        measured = pipe.send(
            "Runtime.evaluate",
            {
                "expression": "document.documentElement.scrollWidth - window.innerWidth",
                "returnByValue": True,
            },
            session=session,
        )
        report.overflow_px[paper] = int(measured.get("result", {}).get("value", 0))
    measured = pipe.send(
        "Runtime.evaluate", {"expression": CONTRAST_SCRIPT, "returnByValue": True},
        session=session,
    )
    value = measured.get("result", {}).get("value", {})
    report.low_contrast = list(value.get("found", []))
    report.min_contrast = float(value.get("min", 0.0))
    report.empty_columns = list(value.get("empty", []))
    for paper, (width, height) in PAPERS_IN.items():
        printed = pipe.send(
            "Page.printToPDF",
            {"paperWidth": width, "paperHeight": height, "printBackground": True,
             "preferCSSPageSize": False, "marginTop": 0, "marginBottom": 0,
             "marginLeft": 0, "marginRight": 0},
            session=session,
            timeout=60,
        )
        report.pdf[paper] = base64.b64decode(printed["data"])
    pipe.drain(0.2)
    _collect(pipe.events, report)
    return report


def _screenshot(pipe: _Pipe, session: str, size: tuple[int, int], scale: float) -> bytes:
    clip = {"x": 0, "y": 0, "width": size[0], "height": size[1], "scale": scale}
    shot = pipe.send("Page.captureScreenshot", {"format": "png", "clip": clip}, session=session)
    return base64.b64decode(shot["data"])


def _collect(events: list[dict[str, Any]], report: PageReport) -> None:
    for event in events:
        method = event.get("method")
        params = event.get("params", {})
        if method == "Runtime.consoleAPICalled":
            args = params.get("args", [])
            text = " ".join(str(a.get("value", a.get("description", ""))) for a in args)
            report.console.append((str(params.get("type")), text))
        elif method == "Runtime.exceptionThrown":
            details = params.get("exceptionDetails", {})
            exception = details.get("exception", {})
            report.exceptions.append(str(exception.get("description", details.get("text"))))
        elif method == "Log.entryAdded":
            entry = params.get("entry", {})
            report.log_entries.append((str(entry.get("level")), str(entry.get("text"))))
        elif method == "Network.requestWillBeSent":
            report.requests.append(str(params.get("request", {}).get("url")))


# ---------------------------------------------------------------- PDF pages


def pdf_page_count(data: bytes) -> int:
    """Pages of a Chromium (Skia) PDF: its page objects are plain ``/Type /Page`` dicts."""
    return len(re.findall(rb"/Type\s*/Page(?![A-Za-z])", data))


def pdf_page_texts(data: bytes) -> list[str] | None:
    """The text of each page (whitespace folded), via poppler's pdftotext; None without it."""
    binary = shutil.which("pdftotext")
    if binary is None:
        return None
    with tempfile.TemporaryDirectory(prefix="dmsa-pdf-") as folder:
        source = Path(folder) / "page.pdf"
        source.write_bytes(data)
        done = subprocess.run(
            [binary, "-enc", "UTF-8", str(source), "-"],
            capture_output=True, check=True, timeout=60,
        )
    pages = done.stdout.decode("utf-8").split("\f")
    if pages and not pages[-1].strip():
        pages = pages[:-1]
    return [" ".join(page.split()) for page in pages]


# ---------------------------------------------------------------- PNG pixels (stdlib only)


def png_pixels(data: bytes) -> tuple[int, int, list[tuple[int, ...]]]:
    """Decode an 8-bit RGB/RGBA PNG: (width, height, pixels), enough to tell blank from not."""
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("not a PNG")
    offset = 8
    width = height = colour_type = 0
    idat = b""
    while offset < len(data):
        length, kind = struct.unpack(">I4s", data[offset : offset + 8])
        body = data[offset + 8 : offset + 8 + length]
        if kind == b"IHDR":
            width, height, depth, colour_type = struct.unpack(">IIBB", body[:10])
            if depth != 8 or colour_type not in (2, 6):
                raise ValueError(f"unsupported PNG (depth {depth}, colour type {colour_type})")
        elif kind == b"IDAT":
            idat += body
        offset += 12 + length
    channels = 4 if colour_type == 6 else 3
    raw = zlib.decompress(idat)
    stride = width * channels
    previous = bytearray(stride)
    pixels: list[tuple[int, ...]] = []
    position = 0
    for _ in range(height):
        kind = raw[position]
        line = bytearray(raw[position + 1 : position + 1 + stride])
        position += 1 + stride
        _unfilter(kind, line, previous, channels)
        pixels += [tuple(line[i : i + 3]) for i in range(0, stride, channels)]
        previous = line
    return width, height, pixels


def _unfilter(kind: int, line: bytearray, previous: bytearray, bpp: int) -> None:
    for i in range(len(line)):
        left = line[i - bpp] if i >= bpp else 0
        up = previous[i]
        if kind == 1:
            line[i] = (line[i] + left) & 0xFF
        elif kind == 2:
            line[i] = (line[i] + up) & 0xFF
        elif kind == 3:
            line[i] = (line[i] + ((left + up) >> 1)) & 0xFF
        elif kind == 4:
            corner = previous[i - bpp] if i >= bpp else 0
            estimate = left + up - corner
            pa, pb, pc = abs(estimate - left), abs(estimate - up), abs(estimate - corner)
            best = left if pa <= pb and pa <= pc else (up if pb <= pc else corner)
            line[i] = (line[i] + best) & 0xFF


def ink_fraction(data: bytes) -> tuple[float, int]:
    """(share of pixels that are not white, number of distinct colours) of a PNG."""
    _, _, pixels = png_pixels(data)
    inked = sum(1 for pixel in pixels if pixel != (255, 255, 255))
    return inked / max(len(pixels), 1), len(set(pixels))
