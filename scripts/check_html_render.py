#!/usr/bin/env python3
"""Pixel checks for scripts/check_html_render.sh (Python standard library only).

    check_html_render.py SCREENSHOT.png EXPECT

Decodes the PNG that headless Chromium wrote, finds the report's table from its 1px #ccc borders
(HTMLReport's CSS), and looks at the data rows (below the header row, so the legend's swatches above the
table do not count). A pixel is green-ish when G exceeds max(R, B) by >= 40, red-ish when R exceeds
max(G, B) by >= 40: word colours of |display value| >= 0.3 (hsl(120, 75%, 85%) and hsl(0, 75%, 88%)
and stronger) qualify, black text, white, grey borders and the pale near-zero shades do not.

EXPECT is one letter per data row, top to bottom: g (the row's words have green and no red), r (red and
no green), m (both), n (neither). Each coloured region must lie inside the last column (Word Importance)
of its own row and be at least word-sized (>= 8 px wide, >= 8 px tall). Prints one line of figures per
row; exits 1 with the reason on the first failed expectation.
"""
import struct
import sys
import zlib

BORDER = (204, 204, 204)  # #ccc
MARGIN = 40               # channel lead that makes a pixel green-ish / red-ish
MIN_PIXELS = 40           # a coloured word covers far more; anti-aliasing alone never reaches this


def decode_png(path):
    """(width, height, rows) with rows[y][x] = (r, g, b); 8-bit RGB/RGBA/grey, non-interlaced."""
    data = open(path, "rb").read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise SystemExit(f"{path}: not a PNG")
    pos, idat, header = 8, [], None
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat.append(body)
        elif kind == b"IEND":
            break
        pos += 12 + length
    width, height, depth, colour, _, _, interlace = header
    channels = {0: 1, 2: 3, 4: 2, 6: 4}.get(colour)
    if depth != 8 or channels is None or interlace != 0:
        raise SystemExit(f"{path}: unsupported PNG (bit depth {depth}, colour type {colour}, interlace {interlace})")
    raw = zlib.decompress(b"".join(idat))
    stride = width * channels
    rows, prev, p = [], bytearray(stride), 0
    for _ in range(height):
        ftype, line = raw[p], bytearray(raw[p + 1:p + 1 + stride])
        p += 1 + stride
        for i in range(stride):
            a = line[i - channels] if i >= channels else 0
            b = prev[i]
            c = prev[i - channels] if i >= channels else 0
            if ftype == 1:
                line[i] = (line[i] + a) & 255
            elif ftype == 2:
                line[i] = (line[i] + b) & 255
            elif ftype == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif ftype == 4:
                pa, pb, pc = abs(b - c), abs(a - c), abs(a + b - 2 * c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
            elif ftype != 0:
                raise SystemExit(f"{path}: bad PNG filter {ftype}")
        prev = line
        if channels >= 3:
            rows.append([tuple(line[x * channels:x * channels + 3]) for x in range(width)])
        else:
            rows.append([(line[x * channels],) * 3 for x in range(width)])
    return width, height, rows


def runs(flags):
    """Start indices of maximal runs of True in a list of booleans, as (start, end) pairs."""
    out, start = [], None
    for i, f in enumerate(flags + [False]):
        if f and start is None:
            start = i
        elif not f and start is not None:
            out.append((start, i))
            start = None
    return out


def main():
    if len(sys.argv) != 3:
        raise SystemExit(__doc__)
    path, expect = sys.argv[1], sys.argv[2]
    width, height, px = decode_png(path)

    # Horizontal borders: pixel rows with a long run of #ccc; the table spans the widest such run.
    longest = {}
    for y in range(height):
        for a, b in runs([p == BORDER for p in px[y]]):
            if b - a >= 200 and b - a > longest.get(y, (0, 0))[1] - longest.get(y, (0, 0))[0]:
                longest[y] = (a, b)
    lines = sorted(longest)
    # Merge adjacent pixel rows (a border drawn 2 px thick at some zoom levels) into one line.
    hlines = [y for i, y in enumerate(lines) if i == 0 or y != lines[i - 1] + 1]
    if len(hlines) < 2 + len(expect):
        raise SystemExit(f"{path}: found {len(hlines)} horizontal table borders, expected {2 + len(expect)} "
                         f"(header + {len(expect)} rows): is the report's table visible in the window?")
    x0, x1 = longest[hlines[0]]
    # Vertical borders inside the header row: columns where the pixel is #ccc all the way down the header.
    top, bottom = hlines[0], hlines[1]
    vlines = [x for x in range(x0, x1) if all(px[y][x] == BORDER for y in range(top, bottom))]
    vlines = [x for i, x in enumerate(vlines) if i == 0 or x != vlines[i - 1] + 1]
    if len(vlines) < 3:
        raise SystemExit(f"{path}: found {len(vlines)} vertical borders in the header row")
    words_x = (vlines[-2] + 1, vlines[-1])  # the last column, Word Importance

    def colour(p):
        r, g, b = p
        if g - max(r, b) >= MARGIN:
            return "g"
        if r - max(g, b) >= MARGIN:
            return "r"
        return None

    failures = []
    for i, want in enumerate(expect):
        ya, yb = hlines[1 + i] + 1, hlines[2 + i]
        boxes = {"g": [], "r": []}
        outside = {"g": 0, "r": 0}
        for y in range(ya, yb):
            for x in range(width):  # the whole width: a coloured cell beside the table must count as outside
                c = colour(px[y][x])
                if c:
                    if words_x[0] <= x < words_x[1]:
                        boxes[c].append((x, y))
                    else:
                        outside[c] += 1
        figures = []
        for c in "gr":
            pts = boxes[c]
            if pts:
                xs, ys = [p[0] for p in pts], [p[1] for p in pts]
                figures.append(f"{'green' if c == 'g' else 'red'} {len(pts)} px in x {min(xs)}-{max(xs)}, y {min(ys)}-{max(ys)}")
            else:
                figures.append(f"{'green' if c == 'g' else 'red'} 0 px")
        print(f"  row {i + 1} (y {ya}-{yb}, words column x {words_x[0]}-{words_x[1]}): " + "; ".join(figures)
              + (f"; outside the words column: {outside}" if any(outside.values()) else ""))
        need = {"g": "g" in want or want == "m", "r": "r" in want or want == "m"}
        for c in "gr":
            name = "green" if c == "g" else "red"
            pts = boxes[c]
            if outside[c]:
                failures.append(f"row {i + 1}: {outside[c]} {name} pixels outside the Word Importance column")
            if need[c]:
                if len(pts) < MIN_PIXELS:
                    failures.append(f"row {i + 1}: expected {name} words, found {len(pts)} {name} pixels")
                    continue
                xs, ys = [p[0] for p in pts], [p[1] for p in pts]
                if max(xs) - min(xs) + 1 < 8 or max(ys) - min(ys) + 1 < 8:
                    failures.append(f"row {i + 1}: the {name} region is smaller than a word")
            elif pts:
                failures.append(f"row {i + 1}: expected no {name}, found {len(pts)} {name} pixels")
    if failures:
        print(f"{path}: " + "; ".join(failures))
        sys.exit(1)


if __name__ == "__main__":
    main()
