"""The shared frame of every fmdesk PDF.

- The DejaVu Sans TTF shipped in reports/fonts is embedded and set on *every* style, because
  reportlab's defaults still reference the non-embedded Helvetica and names are not all ASCII.
- The protective marking (OFFICIAL-SENSITIVE by default) is printed at the top and bottom of every
  page, with "Page x of y" (a two-pass canvas counts the pages).
- `invariant=True` (the default) makes the bytes repeatable for golden tests (not with a
  password: encryption takes fresh random salts and IVs each time).
- Output goes to a temporary file beside the target and is renamed into place, so a full disk or a
  crash never leaves half a PDF with the real name.
- A password encrypts the PDF with AES-256 (PDF 2.0, revision 6) through pypdf, because reportlab
  offers only RC4, which is broken. The plain PDF exists only in memory, never on disk.
"""

import io
import os
import secrets
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from reportlab import rl_config
from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas as pdfcanvas
from reportlab.platypus import Flowable, Paragraph, SimpleDocTemplate, Table, TableStyle
from reportlab.platypus.flowables import Spacer

from fmdesk.errors import UserError

FONT_DIR = Path(__file__).with_name("fonts")
FONT = "DejaVuSans"
FONT_BOLD = "DejaVuSans-Bold"
FONT_ITALIC = "DejaVuSans-Oblique"
DEFAULT_MARKING = "OFFICIAL-SENSITIVE"
INK = colors.HexColor("#1b2a3a")
LANGUAGE = "en-GB"  # every document fmdesk prints is in British English
RULE = colors.HexColor("#9aa7b4")
SHADE = colors.HexColor("#e8eef4")


def register_fonts() -> None:
    # Every canvas starts in this font; left at its default (Helvetica) the PDF would reference
    # a font it does not embed.
    rl_config.canvas_basefontname = FONT
    if FONT in pdfmetrics.getRegisteredFontNames():
        return
    pdfmetrics.registerFont(TTFont(FONT, str(FONT_DIR / "DejaVuSans.ttf")))
    pdfmetrics.registerFont(TTFont(FONT_BOLD, str(FONT_DIR / "DejaVuSans-Bold.ttf")))
    pdfmetrics.registerFont(TTFont(FONT_ITALIC, str(FONT_DIR / "DejaVuSans-Oblique.ttf")))
    pdfmetrics.registerFontFamily(
        FONT, normal=FONT, bold=FONT_BOLD, italic=FONT_ITALIC, boldItalic=FONT_BOLD
    )


@dataclass(frozen=True)
class Styles:
    body: ParagraphStyle
    small: ParagraphStyle
    title: ParagraphStyle
    h1: ParagraphStyle
    h2: ParagraphStyle
    quote: ParagraphStyle
    cell: ParagraphStyle
    cell_bold: ParagraphStyle


def make_styles() -> Styles:
    register_fonts()
    body = ParagraphStyle(
        "body", fontName=FONT, fontSize=10, leading=13.5, textColor=INK, alignment=TA_LEFT
    )
    return Styles(
        body=body,
        small=ParagraphStyle("small", parent=body, fontSize=8, leading=10),
        title=ParagraphStyle(
            "title", parent=body, fontName=FONT_BOLD, fontSize=18, leading=22, spaceAfter=4 * mm
        ),
        h1=ParagraphStyle(
            "h1",
            parent=body,
            fontName=FONT_BOLD,
            fontSize=13,
            leading=16,
            spaceBefore=5 * mm,
            spaceAfter=2 * mm,
        ),
        h2=ParagraphStyle(
            "h2",
            parent=body,
            fontName=FONT_BOLD,
            fontSize=11,
            leading=14,
            spaceBefore=3 * mm,
            spaceAfter=1.5 * mm,
        ),
        quote=ParagraphStyle(
            "quote",
            parent=body,
            fontName=FONT_ITALIC,
            leftIndent=6 * mm,
            rightIndent=6 * mm,
            spaceBefore=1 * mm,
            spaceAfter=2 * mm,
        ),
        cell=ParagraphStyle("cell", parent=body, fontSize=9, leading=11.5),
        cell_bold=ParagraphStyle(
            "cell_bold", parent=body, fontName=FONT_BOLD, fontSize=9, leading=11.5
        ),
    )


def text(value: object) -> str:
    """Escape user text for a Paragraph (reportlab reads a mini-markup)."""
    s = "" if value is None else str(value)
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\n", "<br/>")


def grid_table(
    header: Sequence[str],
    rows: Sequence[Sequence[object]],
    col_widths: Sequence[float],
    styles: Styles,
) -> Table:
    """A table that splits across pages with its header repeated; cells wrap."""
    data: list[list[Any]] = [[Paragraph(text(h), styles.cell_bold) for h in header]]
    for row in rows:
        data.append(
            [c if isinstance(c, Flowable) else Paragraph(text(c), styles.cell) for c in row]
        )
    table = Table(data, colWidths=list(col_widths), repeatRows=1, splitByRow=True)
    table.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), FONT, 9),
                ("FONT", (0, 0), (-1, 0), FONT_BOLD, 9),
                ("BACKGROUND", (0, 0), (-1, 0), SHADE),
                ("GRID", (0, 0), (-1, -1), 0.5, RULE),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("TOPPADDING", (0, 0), (-1, -1), 3),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
            ]
        )
    )
    return table


def spacer(height_mm: float = 3) -> Spacer:
    return Spacer(1, height_mm * mm)


CONTENT_WIDTH = A4[0] - 36 * mm


def checked_marking(marking: str) -> str:
    """The protective marking to print, trimmed. A blank one is refused: every fmdesk PDF
    holds family data and carries its marking on every page. Commands check the marking with
    this before they read or write anything; `build_pdf` checks it again."""
    text = marking.strip()
    if not text:
        raise UserError(f"The marking cannot be blank; the default is {DEFAULT_MARKING}.")
    return text


def build_pdf(
    story: list[Flowable],
    *,
    title: str,
    marking: str = DEFAULT_MARKING,
    author: str = "fmdesk",
    invariant: bool = True,
    password: str | None = None,
    pagesize: tuple[float, float] = A4,
) -> bytes:
    """Lay out `story` on A4 (or `pagesize`, such as landscape(A4)) with the marking and page
    numbers; returns the PDF's bytes. A blank marking is refused (UserError)."""
    marking = checked_marking(marking)
    register_fonts()
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=pagesize,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=22 * mm,
        bottomMargin=20 * mm,
        title=title,
        author=author,
        creator="fmdesk",
        invariant=int(invariant),
        # The document's language in its catalogue (/Lang), so a screen reader speaks it in
        # English (PDF/UA; WCAG 3.1.1).
        lang=LANGUAGE,
    )
    doc.build(story, canvasmaker=_numbered_canvas(marking, title, pagesize))
    if password:
        return encrypt_pdf(buffer.getvalue(), password)
    return buffer.getvalue()


def encrypt_pdf(pdf: bytes, password: str) -> bytes:
    """`pdf` encrypted with AES-256 (revision 6): `password` opens it to read and print.

    The reader may read and print it, and a screen reader may read its text out; copying text
    out, changing it, annotating it and filling its fields are refused, since a signed plan is
    a record of what was agreed. The owner password, which lifts those limits, is random and
    thrown away, so the password given to a family opens the file but cannot unlock it.
    """
    # Imported here, when a PDF is protected: pypdf is not needed to build or print one.
    from pypdf import PdfReader, PdfWriter
    from pypdf.constants import UserAccessPermissions

    refused = (
        UserAccessPermissions.EXTRACT
        | UserAccessPermissions.MODIFY
        | UserAccessPermissions.ADD_OR_MODIFY
        | UserAccessPermissions.FILL_FORM_FIELDS
        | UserAccessPermissions.ASSEMBLE_DOC
    )
    permissions = UserAccessPermissions.all() & ~refused
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf)))
    # AES-256 revision 6 is a PDF 2.0 feature; reportlab wrote "%PDF-1.4".
    writer.pdf_header = b"%PDF-2.0"
    writer.encrypt(
        user_password=password,
        owner_password=secrets.token_urlsafe(32),
        permissions_flag=permissions,
        algorithm="AES-256",
    )
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def write_pdf(pdf: bytes, path: str | os.PathLike[str]) -> Path:
    """Write atomically: a temporary file in the same folder, flushed, then renamed."""
    target = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=".fmdesk-", suffix=".pdf.part", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(pdf)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target


def _numbered_canvas(
    marking: str, title: str, pagesize: tuple[float, float] = A4
) -> type[pdfcanvas.Canvas]:
    class NumberedCanvas(pdfcanvas.Canvas):
        """Holds each page until the end so every page can say 'Page x of y'."""

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._saved: list[dict[str, Any]] = []

        def showPage(self) -> None:  # noqa: N802 - reportlab's name
            self._saved.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            total = len(self._saved)
            for state in self._saved:
                self.__dict__.update(state)
                self._decorate(total)
                super().showPage()
            super().save()

        def _decorate(self, total: int) -> None:
            width, height = pagesize
            self.saveState()
            self.setFillColor(INK)
            self.setFont(FONT_BOLD, 9)
            self.drawCentredString(width / 2, height - 12 * mm, marking)
            self.drawCentredString(width / 2, 8 * mm, marking)
            self.setFont(FONT, 8)
            self.drawString(18 * mm, 13 * mm, title)
            self.drawRightString(width - 18 * mm, 13 * mm, f"Page {self._pageNumber} of {total}")
            self.setStrokeColor(RULE)
            self.line(18 * mm, 17 * mm, width - 18 * mm, 17 * mm)
            self.restoreState()

    return NumberedCanvas
