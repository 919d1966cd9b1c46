"""A real browser for the tests: Debian's chromium, headless, opens a local HTML file, takes a
screenshot and dumps the DOM it rendered, in one run; and a PNG reader (zlib and numpy, no
imaging library), so that a test can look at the pixels.

The browser gets no network to speak of (no background networking, updates, sync or QUIC) and a
fresh profile in a temporary directory. Without chromium the tests skip with the reason; with CI
set they fail instead (as tests/postgres_server.py does for PostgreSQL).
"""

from __future__ import annotations

import os
import shutil
import struct
import subprocess
import tempfile
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pytest

CHROMIUM_MISSING = "chromium not found: install it with `apt-get install chromium`"
CANDIDATES = ("chromium", "chromium-browser", "/usr/bin/chromium")
WINDOW = (1200, 2000)
TIMEOUT_SECONDS = 60
FLAGS = (
    "--headless",
    "--no-sandbox",  # as root in a container, the sandbox cannot start
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
)
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
CHANNELS = {2: 3, 6: 4}  # PNG colour type: RGB, RGBA

Pixels = npt.NDArray[np.uint8]


def find_chromium() -> str | None:
    return next((found for name in CANDIDATES if (found := shutil.which(name))), None)


def require_chromium() -> str:
    """The chromium executable; skips the test without one, or fails it when CI is set."""
    found = find_chromium()
    if found is None:
        if os.environ.get("CI"):
            pytest.fail(CHROMIUM_MISSING)
        pytest.skip(CHROMIUM_MISSING)
    return found


@dataclass(frozen=True)
class Rendered:
    """What the browser made of a page: the screenshot file and the DOM as HTML."""

    screenshot: Path
    dom: str


@dataclass
class Run:
    """A browser rendering one page; several may run at once."""

    process: subprocess.Popen[str]
    screenshot: Path
    profile: Path

    def result(self) -> Rendered:
        try:
            dom, errors = self.process.communicate(timeout=TIMEOUT_SECONDS)
        finally:
            self.process.kill()
            shutil.rmtree(self.profile, ignore_errors=True)
        assert self.process.returncode == 0, errors[-2000:]
        assert self.screenshot.is_file(), f"no screenshot: {errors[-2000:]}"
        return Rendered(self.screenshot, dom)


def start(chromium: str, page: Path, screenshot: Path) -> Run:
    """Start rendering `page` at the window size, for a screenshot and the DOM."""
    profile = Path(tempfile.mkdtemp(prefix="salesflow-chromium-"))
    width, height = WINDOW
    command = [
        chromium,
        *FLAGS,
        f"--user-data-dir={profile}",
        f"--screenshot={screenshot}",
        f"--window-size={width},{height}",
        "--dump-dom",
        page.resolve().as_uri(),
    ]
    env = {**os.environ, "HOME": str(profile)}
    process = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env
    )
    return Run(process, screenshot, profile)


def render(page: Path, screenshot: Path) -> Rendered:
    return start(require_chromium(), page, screenshot).result()


# --- PNG ----------------------------------------------------------------------------------------


def png_size(path: Path) -> tuple[int, int]:
    """(width, height) from the IHDR chunk."""
    data = path.read_bytes()
    assert data[:8] == PNG_SIGNATURE, "not a PNG file"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def read_png(path: Path) -> Pixels:
    """The pixels of an 8-bit RGB or RGBA PNG without interlacing (what chromium writes), as a
    height × width × channels array: the IDAT chunks inflated with zlib, then each scanline
    unfiltered (PNG specification, section 9)."""
    data = path.read_bytes()
    assert data[:8] == PNG_SIGNATURE, "not a PNG file"
    header, compressed = _chunks(data)
    width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", header)
    assert depth == 8 and colour in CHANNELS and interlace == 0, (depth, colour, interlace)
    channels = CHANNELS[colour]
    stride = width * channels
    raw = np.frombuffer(zlib.decompress(compressed), dtype=np.uint8)
    assert raw.size == height * (stride + 1), "the image data does not match its size"
    lines = raw.reshape(height, stride + 1)
    pixels = np.zeros((height, stride), dtype=np.uint8)
    prior = np.zeros(stride, dtype=np.uint8)
    for row in range(height):
        prior = pixels[row] = _unfilter(int(lines[row, 0]), lines[row, 1:], prior, channels)
    return pixels.reshape(height, width, channels)


def _chunks(data: bytes) -> tuple[bytes, bytes]:
    """The IHDR chunk's data and the IDAT chunks' data joined."""
    position, header, parts = 8, b"", []
    while position < len(data):
        (length,) = struct.unpack(">I", data[position : position + 4])
        kind = data[position + 4 : position + 8]
        body = data[position + 8 : position + 8 + length]
        if kind == b"IHDR":
            header = body
        elif kind == b"IDAT":
            parts.append(body)
        position += 12 + length
    return header, b"".join(parts)


def _unfilter(kind: int, line: Pixels, prior: Pixels, bpp: int) -> Pixels:
    """One scanline: None, Sub and Up in numpy; Average and Paeth byte by byte."""
    if kind == 0:
        return line.copy()
    if kind == 1:
        summed = np.cumsum(line.reshape(-1, bpp).astype(np.int64), axis=0) % 256
        return summed.astype(np.uint8).reshape(-1)
    if kind == 2:
        return line + prior
    out = bytearray(line.tobytes())
    above = prior.tobytes()
    if kind == 3:
        _average(out, above, bpp)
    elif kind == 4:
        _paeth(out, above, bpp)
    else:
        raise AssertionError(f"unknown PNG filter {kind}")
    return np.frombuffer(bytes(out), dtype=np.uint8)


def _average(out: bytearray, above: bytes, bpp: int) -> None:
    for i in range(len(out)):
        left = out[i - bpp] if i >= bpp else 0
        out[i] = (out[i] + ((left + above[i]) >> 1)) & 0xFF


def _paeth(out: bytearray, above: bytes, bpp: int) -> None:
    """Paeth, computed only where the filtered byte is not 0 or the row above changes: elsewhere
    the predictor is the left byte (a + b - c = a when b = c), so the pixel repeats the one on its
    left and a run of them is copied at once. Screenshots are mostly such runs."""
    filtered = np.frombuffer(bytes(out), dtype=np.uint8)
    prior = np.frombuffer(above, dtype=np.uint8)
    changes = np.ones(len(out), dtype=bool)
    changes[bpp:] = (filtered[bpp:] != 0) | (prior[bpp:] != prior[:-bpp])
    done = 0
    for i in np.flatnonzero(changes).tolist():
        if i > done:
            _repeat_left(out, done, i, bpp)
        a = out[i - bpp] if i >= bpp else 0
        b = above[i]
        c = above[i - bpp] if i >= bpp else 0
        pa, pb, pc = abs(b - c), abs(a - c), abs(a + b - 2 * c)
        nearest = a if pa <= pb and pa <= pc else b if pb <= pc else c
        out[i] = (out[i] + nearest) & 0xFF
        done = i + 1
    _repeat_left(out, done, len(out), bpp)


def _repeat_left(out: bytearray, start: int, end: int, bpp: int) -> None:
    """out[start:end] repeats the pixel just before `start`."""
    if end > start:
        pixel = bytes(out[start - bpp : start])
        out[start:end] = (pixel * ((end - start) // bpp + 1))[: end - start]


def colours(pixels: Pixels) -> dict[tuple[int, int, int], int]:
    """How many pixels have each colour (RGB; alpha ignored)."""
    rgb = pixels[..., :3].reshape(-1, 3).astype(np.uint32)
    codes, counts = np.unique((rgb[:, 0] << 16) | (rgb[:, 1] << 8) | rgb[:, 2], return_counts=True)
    return {
        (code >> 16, (code >> 8) & 0xFF, code & 0xFF): count
        for code, count in zip(codes.tolist(), counts.tolist(), strict=True)
    }
