#!/usr/bin/env python3
"""make-icon.py — draws Parley's application icon (a blue speech bubble with three dots) and
writes it as resources/parley.ico with 16, 24, 32, 48 and 256 pixel images.

Standard library only, so it runs anywhere: shapes are tested per sub-sample (4x4 per pixel)
for smooth edges. Small sizes are stored as 32-bit DIBs, which every Windows version reads;
256 is stored as PNG, as Windows Vista and later expect. Run it again after changing the
drawing; the .ico is committed so builds do not need Python.
"""
import math
import struct
import sys
import zlib
from pathlib import Path

SIZES = (16, 24, 32, 48, 256)
SUB = 4  # sub-samples per pixel along each axis

# Geometry in a unit square (y grows downwards).
BUBBLE = (0.05, 0.08, 0.95, 0.72)  # left, top, right, bottom
RADIUS = 0.20
TAIL = ((0.20, 0.50), (0.46, 0.50), (0.12, 0.94))
DOTS_Y = 0.40
DOTS_X = (0.30, 0.50, 0.70)
DOT_R = 0.075

TOP = (0x4c, 0x9b, 0xf5)     # gradient, top of the bubble
BOTTOM = (0x1a, 0x56, 0xc8)  # gradient, bottom
EDGE = (0x10, 0x3a, 0x8c)    # one-pixel rim: keeps the shape readable on white
DOT = (0xff, 0xff, 0xff)


def rounded_rect_distance(x, y):
    """Signed distance to the bubble's outline: negative inside."""
    l, t, r, b = BUBBLE
    cx, cy = (l + r) / 2, (t + b) / 2
    hx, hy = (r - l) / 2 - RADIUS, (b - t) / 2 - RADIUS
    dx, dy = abs(x - cx) - hx, abs(y - cy) - hy
    outside = math.hypot(max(dx, 0.0), max(dy, 0.0))
    return outside + min(max(dx, dy), 0.0) - RADIUS


def triangle_distance(x, y):
    """Signed distance-like value for the tail: negative inside (exact along each edge)."""
    worst = -1e9
    pts = TAIL
    # Orientation so that "inside" is on the same side of every edge.
    area = (pts[1][0] - pts[0][0]) * (pts[2][1] - pts[0][1]) - \
           (pts[1][1] - pts[0][1]) * (pts[2][0] - pts[0][0])
    sign = 1.0 if area > 0 else -1.0
    for i in range(3):
        ax, ay = pts[i]
        bx, by = pts[(i + 1) % 3]
        ex, ey = bx - ax, by - ay
        length = math.hypot(ex, ey)
        # Distance from the edge line, positive outside.
        d = -sign * (ex * (y - ay) - ey * (x - ax)) / length
        worst = max(worst, d)
    return worst


def shape_distance(x, y):
    return min(rounded_rect_distance(x, y), triangle_distance(x, y))


def in_dot(x, y):
    return any(math.hypot(x - dx, y - DOTS_Y) <= DOT_R for dx in DOTS_X)


def mix(a, b, t):
    return tuple(a[i] + (b[i] - a[i]) * t for i in range(3))


def render(size):
    """Returns rows of (r, g, b, a) tuples, top row first."""
    rim = max(1.0 / size, 0.025)
    rows = []
    for py in range(size):
        row = []
        for px in range(size):
            acc = [0.0, 0.0, 0.0]
            cover = 0
            for sy in range(SUB):
                for sx in range(SUB):
                    x = (px + (sx + 0.5) / SUB) / size
                    y = (py + (sy + 0.5) / SUB) / size
                    d = shape_distance(x, y)
                    if d > 0:
                        continue
                    cover += 1
                    if in_dot(x, y):
                        colour = DOT
                    elif d > -rim:
                        colour = EDGE
                    else:
                        t = min(max((y - BUBBLE[1]) / (BUBBLE[3] - BUBBLE[1]), 0.0), 1.0)
                        colour = mix(TOP, BOTTOM, t)
                    for i in range(3):
                        acc[i] += colour[i]
            if cover:
                rgb = tuple(int(round(c / cover)) for c in acc)
                alpha = int(round(255 * cover / (SUB * SUB)))
            else:
                rgb, alpha = (0, 0, 0), 0
            row.append(rgb + (alpha,))
        rows.append(row)
    return rows


def dib(rows):
    """A 32-bit BGRA device-independent bitmap as an icon stores it: the header counts the AND
    mask in its height, rows run bottom-up, and an all-zero AND mask follows (alpha rules)."""
    size = len(rows)
    header = struct.pack("<IiiHHIIiiII", 40, size, size * 2, 1, 32, 0, 0, 0, 0, 0, 0)
    pixels = bytearray()
    for row in reversed(rows):
        for r, g, b, a in row:
            pixels += bytes((b, g, r, a))
    mask_row = ((size + 31) // 32) * 4
    return header + bytes(pixels) + bytes(mask_row * size)


def png(rows):
    size = len(rows)
    raw = bytearray()
    for row in rows:
        raw.append(0)  # filter: none
        for px in row:
            raw += bytes(px)

    def chunk(kind, data):
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    ihdr = struct.pack(">IIBBBBB", size, size, 8, 6, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) +
            chunk(b"IDAT", zlib.compress(bytes(raw), 9)) + chunk(b"IEND", b""))


def main():
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).with_name("parley.ico")
    images = []
    for size in SIZES:
        rows = render(size)
        images.append((size, png(rows) if size >= 256 else dib(rows)))
    header = struct.pack("<HHH", 0, 1, len(images))
    offset = 6 + 16 * len(images)
    entries = b""
    for size, data in images:
        dim = 0 if size >= 256 else size  # 0 means 256 in an icon directory
        entries += struct.pack("<BBBBHHII", dim, dim, 0, 0, 1, 32, len(data), offset)
        offset += len(data)
    out.write_bytes(header + entries + b"".join(data for _, data in images))
    print(f"wrote {out} ({', '.join(str(s) for s in SIZES)} px)")


if __name__ == "__main__":
    main()
