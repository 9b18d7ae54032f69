"""Print preview and printing of our PDFs (ui/kit/print_preview.py): the preview has the PDF's
pages, and what prints (here to a PDF file through QPrinter) has the same pages, on A4, in the
same places, with ink on them."""

import datetime as dt
import io
from pathlib import Path

import pypdf
import pypdfium2 as pdfium
import pytest
from PIL import Image, ImageChops, ImageStat
from PySide6.QtGui import QImage
from PySide6.QtPrintSupport import QPrinter
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

from fmdesk.errors import UserError
from fmdesk.plans import ActionOwner, PlanAction, PlanGoal
from reports.plan import plan_pdf
from tests.reports.test_plan_pdf import FAMILY, MEMBERS, PEOPLE, ZOE, sample_plan
from ui.kit.print_preview import MAX_DPI, PdfPages, PrintPreviewDialog, make_printer, paint_pdf

A4_POINTS = (595.3, 841.9)


def three_page_plan() -> bytes:
    """The long plan of tests/reports (70 actions): three pages or more."""
    actions = tuple(
        PlanAction(
            what=f"Step {i:02d}: practise the morning routine together and write down how it went",
            owner=ActionOwner(person_id=ZOE.id),
            by_when=dt.date(2025, 3, 3) + dt.timedelta(days=i),
        )
        for i in range(70)
    )
    plan = sample_plan()
    return plan_pdf(
        FAMILY,
        PEOPLE,
        plan.replace(goals=(PlanGoal(words="Mornings without rows", actions=actions),)),
        MEMBERS,
    )


def page_count(pdf: bytes) -> int:
    return len(pypdf.PdfReader(io.BytesIO(pdf)).pages)


def grey_page(pdf: bytes, index: int) -> Image.Image:
    """A page rendered back at 50 dpi, in grey."""
    document = pdfium.PdfDocument(pdf)
    try:
        return document[index].render(scale=50 / 72).to_pil().convert("L")
    finally:
        document.close()


def dark_share(image: Image.Image) -> float:
    """The share of pixels that are dark (text, lines, fills)."""
    return sum(image.histogram()[:128]) / (image.width * image.height)


def difference(a: Image.Image, b: Image.Image) -> float:
    """Mean difference of two pages' grey levels (0 the same, 255 opposite)."""
    return ImageStat.Stat(ImageChops.difference(a, b)).mean[0]


def banded_pdf(pages: int) -> bytes:
    """Page n (from 0) is white but for a black band across the n-th quarter of its height, so
    which page printed where can be told from the ink."""
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4, invariant=1)
    width, height = A4
    for n in range(pages):
        pdf.rect(0, height - (n + 1) * height / 4, width, height / 4, stroke=0, fill=1)
        pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def band_of(image: Image.Image) -> int:
    """Which quarter of the page's height is black."""
    quarters = [
        dark_share(image.crop((0, q * image.height // 4, image.width, (q + 1) * image.height // 4)))
        for q in range(4)
    ]
    darkest, next_darkest = sorted(quarters)[-1], sorted(quarters)[-2]
    assert darkest > 0.95, quarters
    assert next_darkest < 0.05, quarters
    return quarters.index(max(quarters))


def pdf_printer(path: Path) -> QPrinter:
    printer = make_printer("Test")
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(path))
    return printer


@pytest.fixture
def long_plan() -> bytes:
    pdf = three_page_plan()
    assert page_count(pdf) >= 3
    return pdf


def test_the_preview_shows_every_page_of_the_plan(qtbot, long_plan: bytes, tmp_path: Path) -> None:
    dialog = PrintPreviewDialog(PdfPages(long_plan, title="Family plan – Ashworth (FM-0042)"))
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.preview.pageCount() == page_count(long_plan))
    assert dialog.windowTitle() == "Print preview – Family plan – Ashworth (FM-0042)"
    dialog.grab().save(str(tmp_path / "preview.png"))
    dialog.reject()


def test_printing_gives_the_same_pages_on_a4_with_ink_on_them(
    qtbot, long_plan: bytes, tmp_path: Path
) -> None:
    pages = PdfPages(long_plan)
    printed = tmp_path / "printed.pdf"
    assert paint_pdf(pdf_printer(printed), pages) == page_count(long_plan)
    pages.close()

    reader = pypdf.PdfReader(printed)
    assert len(reader.pages) == page_count(long_plan)
    for page in reader.pages:  # A4, at its own size: the PDF printer has no hardware margins
        assert float(page.mediabox.width) == pytest.approx(A4_POINTS[0], abs=1)
        assert float(page.mediabox.height) == pytest.approx(A4_POINTS[1], abs=1)
    # Each page went to the printer as a lossless picture at 300 dpi (sharp small text).
    [picture] = [x.get_object() for x in reader.pages[0]["/Resources"]["/XObject"].values()]
    assert picture["/Width"] == pytest.approx(A4_POINTS[0] / 72 * MAX_DPI, abs=2)
    assert picture["/Filter"] == "/FlateDecode"
    first = grey_page(printed.read_bytes(), 0)
    assert dark_share(first) > 0.01, "page 1 printed blank"
    # It is the plan's page 1 where the plan has it: at least twice as close to it as to page 2.
    to_page_1 = difference(first, grey_page(long_plan, 0))
    assert to_page_1 < 10
    assert difference(first, grey_page(long_plan, 1)) > 2 * to_page_1


def test_print_from_the_preview_prints_what_it_shows(
    qtbot, long_plan: bytes, tmp_path: Path
) -> None:
    """The preview's Print, taken past the print dialog: the same paintRequested, on the
    dialog's own printer."""
    dialog = PrintPreviewDialog(PdfPages(long_plan, title="Family plan"))
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.preview.pageCount() == page_count(long_plan))
    printed = tmp_path / "from preview.pdf"
    dialog.kept_printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    dialog.kept_printer.setOutputFileName(str(printed))
    dialog.preview.print()
    assert page_count(printed.read_bytes()) == page_count(long_plan)
    assert difference(grey_page(printed.read_bytes(), 0), grey_page(long_plan, 0)) < 10
    dialog.reject()


def test_pages_print_in_order_in_place_and_only_those_chosen(qtbot, tmp_path: Path) -> None:
    pages = PdfPages(banded_pdf(4))
    printed = tmp_path / "all.pdf"
    assert paint_pdf(pdf_printer(printed), pages) == 4
    assert [band_of(grey_page(printed.read_bytes(), n)) for n in range(4)] == [0, 1, 2, 3]

    chosen = tmp_path / "pages 2-3.pdf"
    printer = pdf_printer(chosen)
    printer.setPrintRange(QPrinter.PrintRange.PageRange)
    printer.setFromTo(2, 3)
    assert paint_pdf(printer, pages) == 2
    assert page_count(chosen.read_bytes()) == 2
    assert [band_of(grey_page(chosen.read_bytes(), n)) for n in range(2)] == [1, 2]
    pages.close()


def test_rendered_pages_are_a4_images(long_plan: bytes) -> None:
    pages = PdfPages(long_plan)
    assert pages.page_count == page_count(long_plan)
    size = pages.page_size(0)
    assert (size.width(), size.height()) == pytest.approx(A4_POINTS, abs=1)
    image = pages.render(0, 72)
    assert image.format() is QImage.Format.Format_RGB888
    assert image.width() == pytest.approx(595, abs=1)
    assert image.height() == pytest.approx(842, abs=1)
    pages.close()


def test_a_password_protected_pdf_opens_with_its_password() -> None:
    pdf = plan_pdf(FAMILY, PEOPLE, sample_plan(), MEMBERS, password="kite harbour")
    with pytest.raises(UserError, match="could not be read"):
        PdfPages(pdf)
    pages = PdfPages(pdf, password="kite harbour")
    assert pages.page_count == page_count(plan_pdf(FAMILY, PEOPLE, sample_plan(), MEMBERS))
    pages.close()


def test_something_that_is_not_a_pdf_is_refused_in_words() -> None:
    with pytest.raises(UserError, match="could not be read"):
        PdfPages(b"not a PDF at all")
