"""Shared fixtures: where the repository's test data and the tblog CLI are, and a PNG
decoder, so tests compare pixels rather than encoder output."""

import os
import pathlib
import struct
import zlib

import numpy as np
import pytest

REPO = pathlib.Path(os.environ.get("TBLOG_SOURCE_DIR", pathlib.Path(__file__).resolve().parents[3]))
GOLDEN = pathlib.Path(os.environ.get("TBLOG_GOLDEN_DIR", REPO / "tests" / "data" / "golden"))


def have_module(name):
    try:
        __import__(name)
        return True
    except ImportError:
        return False


needs_torch = pytest.mark.skipif(not have_module("torch"), reason="torch is not installed")
needs_matplotlib = pytest.mark.skipif(not have_module("matplotlib"),
                                      reason="matplotlib is not installed")


@pytest.fixture
def logdir(tmp_path):
    return tmp_path / "logs"


def decode_png(data):
    """(height, width, channels, uint8 array H x W x C) of an 8-bit, non-interlaced PNG."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, idat, header = 8, b"", None
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    width, height, depth, color, _, _, interlace = header
    assert depth == 8 and interlace == 0
    channels = {0: 1, 2: 3, 4: 2, 6: 4}[color]
    raw = zlib.decompress(idat)
    stride = width * channels
    out = np.zeros((height, stride), np.int32)
    prev = np.zeros(stride, np.int32)
    for y in range(height):
        line = raw[y * (stride + 1):(y + 1) * (stride + 1)]
        kind, row = line[0], np.frombuffer(line[1:], np.uint8).astype(np.int32)
        cur = np.zeros(stride, np.int32)
        for x in range(stride):
            a = cur[x - channels] if x >= channels else 0
            b = prev[x]
            c = prev[x - channels] if x >= channels else 0
            if kind == 0:
                pred = 0
            elif kind == 1:
                pred = a
            elif kind == 2:
                pred = b
            elif kind == 3:
                pred = (a + b) // 2
            else:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                pred = a if pa <= pb and pa <= pc else (b if pb <= pc else c)
            cur[x] = (row[x] + pred) & 0xFF
        out[y] = cur
        prev = cur
    return height, width, channels, out.astype(np.uint8).reshape(height, width, channels)


def cli():
    """The tblog command-line tool of this build, or None."""
    path = os.environ.get("TBLOG_CLI")
    return path if path and os.path.exists(path) else None
