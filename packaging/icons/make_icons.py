"""Draw fmdesk's icon with QPainter and write it in every format the installers need.

    .venv/bin/python packaging/icons/make_icons.py

Writes, beside this script: fmdesk.png (256 px, for Linux and the window), fmdesk.ico (Windows:
16-256 px) and fmdesk.icns (macOS: 32-1024 px). The shapes are the ones in fmdesk.svg (a house
holding a star on a rounded tile, on a 256-unit grid); keep the two in step. The ICO and ICNS
files hold PNG images, which Windows Vista and later and macOS 10.7 and later read.
"""

from __future__ import annotations

import math
import os
import struct
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QPointF, QRectF, Qt
from PySide6.QtGui import (
    QBrush,
    QColor,
    QGuiApplication,
    QImage,
    QPainter,
    QPainterPath,
    QPen,
    QPolygonF,
)

HERE = Path(__file__).resolve().parent
TILE = QColor("#1b5e7a")
HOUSE = QColor("#ffffff")
STAR = QColor("#f2b705")
STAR_EDGE = QColor("#c98f00")
ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)
# ICNS entry types holding PNG data, by pixel size.
ICNS_TYPES = {32: b"icp5", 64: b"icp6", 128: b"ic07", 256: b"ic08", 512: b"ic09", 1024: b"ic10"}


def star_points(cx: float, cy: float, outer: float, inner: float) -> list[QPointF]:
    points = []
    for i in range(10):
        angle = math.radians(-90 + 36 * i)
        radius = outer if i % 2 == 0 else inner
        points.append(QPointF(cx + radius * math.cos(angle), cy + radius * math.sin(angle)))
    return points


def draw(size: int) -> QImage:
    image = QImage(size, size, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.scale(size / 256, size / 256)  # draw on the SVG's 256-unit grid

    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QBrush(TILE))
    painter.drawRoundedRect(QRectF(8, 8, 240, 240), 48, 48)

    house = QPainterPath()
    house.addPolygon(
        QPolygonF(
            [
                QPointF(x, y)
                for x, y in (
                    (128, 40),
                    (216, 116),
                    (196, 116),
                    (196, 208),
                    (60, 208),
                    (60, 116),
                    (40, 116),
                )
            ]
        )
    )
    house.closeSubpath()
    pen = QPen(HOUSE, 8)
    pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
    painter.setPen(pen)
    painter.setBrush(QBrush(HOUSE))
    painter.drawPath(house)

    star = QPen(STAR_EDGE, 3)
    star.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
    painter.setPen(star)
    painter.setBrush(QBrush(STAR))
    painter.drawPolygon(QPolygonF(star_points(128, 150, 46, 19)))
    painter.end()
    return image


def png_bytes(image: QImage) -> bytes:
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    if not image.save(buffer, b"PNG"):
        raise RuntimeError("Qt could not encode a PNG")
    buffer.close()
    return bytes(data.data())


def ico_file(images: dict[int, bytes]) -> bytes:
    """An ICO file whose entries are PNG images (width and height 0 mean 256)."""
    header = struct.pack("<HHH", 0, 1, len(images))
    entries, payload = b"", b""
    offset = 6 + 16 * len(images)
    for size, png in sorted(images.items()):
        side = 0 if size >= 256 else size
        entries += struct.pack("<BBBBHHII", side, side, 0, 0, 1, 32, len(png), offset)
        payload += png
        offset += len(png)
    return header + entries + payload


def icns_file(images: dict[int, bytes]) -> bytes:
    body = b"".join(
        ICNS_TYPES[size] + struct.pack(">I", 8 + len(png)) + png
        for size, png in sorted(images.items())
    )
    return b"icns" + struct.pack(">I", 8 + len(body)) + body


def main() -> int:
    # Qt's painting needs a GUI application object for as long as it draws.
    app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])
    sizes = sorted(set(ICO_SIZES) | set(ICNS_TYPES))
    pngs = {size: png_bytes(draw(size)) for size in sizes}
    (HERE / "fmdesk.png").write_bytes(pngs[256])
    (HERE / "fmdesk.ico").write_bytes(ico_file({s: pngs[s] for s in ICO_SIZES}))
    (HERE / "fmdesk.icns").write_bytes(icns_file({s: pngs[s] for s in ICNS_TYPES}))
    for name in ("fmdesk.png", "fmdesk.ico", "fmdesk.icns"):
        print(f"wrote {HERE / name} ({(HERE / name).stat().st_size // 1024} KB)")
    app.quit()
    return 0


if __name__ == "__main__":
    sys.exit(main())
