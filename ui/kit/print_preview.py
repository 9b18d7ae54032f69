"""Print preview and printing of fmdesk's own PDFs (the plan, a TAF meeting record, a closing
summary), so what is printed is exactly the PDF that is saved.

PySide6-Essentials has QtPrintSupport (QPrinter, QPrintDialog, QPrintPreviewDialog) but not QtPdf,
so the PDF's pages are rendered with PDFium (pypdfium2) and painted onto the QPrinter. The preview
and the printout come from the same `paint_pdf`, called from the preview dialog's paintRequested:
the preview shows what the printer gets.

Each page is drawn as large as fits the printer's printable area (`QPrinter.pageRect`) without
changing its shape: A4 on A4 with no hardware margins prints at its own size; a printer that cannot
print to the edge, or other paper, gets the page a little smaller, never cut off. Pages are
rendered at the printer's resolution up to `MAX_DPI` (sharp for text, and an A4 page stays ~26 MB);
the preview's pages at `PREVIEW_DPI`, because the preview shrinks them to the screen by simple
sampling, which drops the thin lines of tables from a finer picture.

Threading: build the PDF bytes on the task runner (reportlab is slow enough to matter); everything
here runs on the GUI thread, which is also the only thread that uses PDFium (it is not
thread-safe).
"""

from __future__ import annotations

from PySide6.QtCore import QMarginsF, QRectF, QSizeF, Qt
from PySide6.QtGui import QImage, QPageLayout, QPageSize, QPaintEngine, QPainter
from PySide6.QtPrintSupport import QPrinter, QPrintPreviewDialog, QPrintPreviewWidget
from PySide6.QtWidgets import QWidget

from fmdesk.errors import UserError
from ui.kit.errors import show_error

POINTS_PER_INCH = 72
MAX_DPI = 300
PREVIEW_DPI = 150


class PdfPages:
    """A PDF's pages as images, rendered with PDFium. Owns the PDFium document: `close()` it."""

    def __init__(self, pdf: bytes, *, title: str = "", password: str | None = None) -> None:
        # Imported here, when something is printed: ~40 ms the app need not spend on start-up.
        import pypdfium2 as pdfium

        self.title = title
        try:
            self._doc = pdfium.PdfDocument(pdf, password=password)
        except pdfium.PdfiumError as exc:
            raise UserError(f"The PDF to print could not be read ({exc}).") from None
        self._sizes = [self._doc[i].get_size() for i in range(len(self._doc))]

    @property
    def page_count(self) -> int:
        return len(self._sizes)

    def page_size(self, index: int) -> QSizeF:
        """The page's size in points (1/72 inch)."""
        width, height = self._sizes[index]
        return QSizeF(width, height)

    def render(self, index: int, dpi: float) -> QImage:
        """Page `index` (from 0) as an RGB image at `dpi`, on white."""
        page = self._doc[index]
        try:
            bitmap = page.render(scale=dpi / POINTS_PER_INCH, rev_byteorder=True)
            try:
                # Format 2 is BGR; reversed, RGB: three bytes a pixel, no alpha.
                image = QImage(
                    bytes(bitmap.buffer),
                    bitmap.width,
                    bitmap.height,
                    bitmap.stride,
                    QImage.Format.Format_RGB888,
                )
                return image.copy()  # own the pixels: the bitmap's buffer is freed below
            finally:
                bitmap.close()
        finally:
            page.close()

    def close(self) -> None:
        self._doc.close()


def make_printer(title: str) -> QPrinter:
    """A printer for fmdesk's A4 PDFs: the page's own margins are in the PDF, so the printer adds
    none beyond what the hardware needs."""
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setDocName(title)
    printer.setCreator("fmdesk")
    printer.setPageSize(QPageSize(QPageSize.PageSizeId.A4))
    printer.setPageOrientation(QPageLayout.Orientation.Portrait)
    printer.setPageMargins(QMarginsF(0, 0, 0, 0), QPageLayout.Unit.Millimeter)
    printer.setFullPage(False)
    return printer


def pages_to_print(printer: QPrinter, count: int) -> range:
    """The pages (from 0) the printer asks for: all, or the range chosen in the print dialog."""
    if printer.printRange() is QPrinter.PrintRange.PageRange and printer.fromPage() > 0:
        last = printer.toPage() or count
        return range(min(printer.fromPage(), count) - 1, min(last, count))
    return range(count)


def page_rect(printer: QPrinter, page: QSizeF) -> QRectF:
    """Where a page of `page` points goes on the printer, in the painter's device pixels: its own
    size if it fits the printable area, else scaled down to fit; centred."""
    area = printer.pageRect(QPrinter.Unit.DevicePixel)
    dots = printer.resolution() / POINTS_PER_INCH
    size = QSizeF(page.width() * dots, page.height() * dots)
    if size.width() > area.width() or size.height() > area.height():
        size = size.scaled(area.size(), Qt.AspectRatioMode.KeepAspectRatio)
    # The painter's origin is the top left of the printable area (the printer is not full page).
    return QRectF(
        (area.width() - size.width()) / 2,
        (area.height() - size.height()) / 2,
        size.width(),
        size.height(),
    )


def is_preview(printer: QPrinter) -> bool:
    """Whether the printer is painting for the print preview (which records into pictures)."""
    engine = printer.paintEngine()
    return engine is not None and engine.type() is QPaintEngine.Type.Picture


def paint_pdf(printer: QPrinter, pages: PdfPages) -> int:
    """Paint the PDF's pages onto `printer`, one to a sheet; returns how many were painted."""
    chosen = pages_to_print(printer, pages.page_count)
    limit = PREVIEW_DPI if is_preview(printer) else MAX_DPI
    painter = QPainter()
    if not painter.begin(printer):
        raise UserError(
            "The printer could not be started. Check that it is switched on and connected, "
            "or save the document as a PDF instead."
        )
    painted = 0
    try:
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        # Without it Qt stores each page JPEG-compressed in the PDF it sends to the printer
        # (the print system's and Save as PDF's), which blurs small text.
        painter.setRenderHint(QPainter.RenderHint.LosslessImageRendering)
        for index in chosen:
            if painted and not printer.newPage():
                raise UserError("The printer stopped taking pages. Check it, then print again.")
            target = page_rect(printer, pages.page_size(index))
            # Enough pixels for the space the page takes on paper, up to the limit.
            dpi = min(limit, target.width() / pages.page_size(index).width() * POINTS_PER_INCH)
            painter.drawImage(target, pages.render(index, dpi))
            painted += 1
    finally:
        painter.end()
    return painted


class PrintPreviewDialog(QPrintPreviewDialog):
    """The pages as they will print, with Qt's zoom, page setup and Print (which opens the print
    dialog). Owns `pages` and closes it when the dialog is done."""

    def __init__(self, pages: PdfPages, parent: QWidget | None = None) -> None:
        # Kept: the dialog does not own its printer (and `printer()` is the dialog's own method).
        self.kept_printer = make_printer(pages.title)
        super().__init__(self.kept_printer, parent)
        self.pages = pages
        self.setWindowTitle(f"Print preview – {pages.title}" if pages.title else "Print preview")
        self.setAccessibleName("Print preview")
        self.resize(820, 900)
        self.paintRequested.connect(self._paint)
        self.finished.connect(self._done)
        self._failed = False

    @property
    def preview(self) -> QPrintPreviewWidget:
        found = self.findChild(QPrintPreviewWidget)
        assert found is not None
        return found

    def _paint(self, printer: QPrinter) -> None:
        try:
            paint_pdf(printer, self.pages)
        except Exception as exc:
            if not self._failed:  # the preview repaints often: say it once
                self._failed = True
                show_error(self, exc)

    def _done(self, _result: int) -> None:
        self.pages.close()


def show_print_preview(
    pdf: bytes, *, title: str, parent: QWidget | None = None
) -> PrintPreviewDialog | None:
    """Open the print preview of `pdf` (window-modal, deleted when closed). Returns the dialog, or
    None after saying why when the PDF cannot be read."""
    try:
        pages = PdfPages(pdf, title=title)
    except UserError as exc:
        show_error(parent, exc)
        return None
    dialog = PrintPreviewDialog(pages, parent)
    dialog.finished.connect(dialog.deleteLater)
    dialog.open()
    return dialog
