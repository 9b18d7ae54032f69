"""The dashboard and claim schedule PDFs, read back with pypdf: figures, charts and fonts."""

import datetime as dt
import io

import pypdf
import pytest
from reportlab.graphics.shapes import String
from reportlab.lib.units import mm

from fmdesk.claims import ClaimBatch, readiness_by_family, schedule_rows, submit_batch
from fmdesk.families import Family
from fmdesk.outcomes import FrameworkLibrary
from fmdesk.programme import Chart, Dashboard, Figure, Section, build_dashboard
from fmdesk.stars import InstrumentCatalogue
from reports.claims import schedule_pdf
from reports.programme import dashboard_pdf, section_chart
from tests.unit.test_programme import TARGETS, TODAY, fixture_programme, programme_records


def read(pdf: bytes) -> pypdf.PdfReader:
    return pypdf.PdfReader(io.BytesIO(pdf))


def fonts(reader: pypdf.PdfReader) -> set[str]:
    found = set()
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            found.add(str(font.get_object()["/BaseFont"]))
    return found


@pytest.fixture(scope="module")
def programme():
    records, refs = fixture_programme()
    board = build_dashboard(
        programme_records(records), today=TODAY, targets=TARGETS, instruments=InstrumentCatalogue()
    )
    return records, refs, board


def test_the_dashboard_pdf_shows_every_section_with_its_figures(programme):
    _, _, board = programme
    reader = read(dashboard_pdf(board, marking="OFFICIAL"))
    text = "\n".join(page.extract_text() for page in reader.pages)
    for section in board.sections:
        assert section.title in text
    # The chart's words beside the bars, and the tables.
    assert "5 of 10 target (50%)" in text
    assert "1 of 6 (17%)" in text  # refused
    assert "1 of 2 (50%), avg +1.5" in text  # Star: Keeping healthy
    assert "2025/26 Q2" in text
    assert f"Page 1 of {len(reader.pages)}" in text
    assert "OFFICIAL" in reader.pages[0].extract_text()
    # Every font is the embedded DejaVu: a chart label left in Helvetica would show up here.
    assert all("DejaVu" in f for f in fonts(reader))


def test_each_figure_gets_one_bar_and_a_target_gets_a_tick(programme):
    _, _, board = programme
    chart = section_chart(board.section("year"))
    names = [type(s).__name__ for s in chart.contents]
    # label, track, value words for each of 5 figures; a bar where the value is above 0; a tick
    # for each of the 3 targets; and the axis line.
    assert names.count("String") == 10
    assert names.count("Line") == 3 + 1
    assert names.count("Rect") == 5 + 5


def test_the_schedule_pdf_lists_each_piece_of_evidence(programme):
    records, refs, _ = programme
    families = [r for r in records if isinstance(r, Family)]
    outcomes = readiness_by_family(families, records, FrameworkLibrary.shipped(), TODAY)
    batch = ClaimBatch(
        reference="2025/26 Q3",
        period_start=dt.date(2025, 10, 1),
        period_end=dt.date(2025, 12, 31),
        made_on=TODAY,
        made_by="Central Team",
        family_ids=(refs["FM-001"].id,),
    )
    batch = submit_batch(batch, on=TODAY, by="Łucja Nowak")
    reader = read(schedule_pdf(batch, schedule_rows(batch, outcomes)))
    text = "\n".join(page.extract_text() for page in reader.pages)  # landscape: on 2 pages
    assert "Claim schedule: 2025/26 Q3" in text
    assert "Submitted on 15 January 2026 by Łucja Nowak" in text
    assert "Police domestic" in " ".join(text.split())  # a cell's words wrap at spaces
    assert "GP letter" in " ".join(text.split())
    assert "Pieces of evidence\n2" in text
    assert all("DejaVu" in f for f in fonts(reader))


def test_a_long_problem_label_wraps_in_the_chart_and_is_never_cut_short() -> None:
    label = "Crime and anti-social behaviour (families-matter-2015@1)"
    section = Section(
        "outcomes",
        "Outcomes by problem",
        Chart.SHARE,
        (
            Figure("fm:1", label, 2, ("a", "b"), of=3),
            Figure("fm:2", "Health", 1, ("a",), of=3),
        ),
    )
    chart = section_chart(section)
    lines = [s.text for s in chart.contents if isinstance(s, String)]
    assert not any("…" in line for line in lines)
    label_lines = [line for line in lines if line not in ("Health", "2 of 3 (67%)", "1 of 3 (33%)")]
    assert len(label_lines) >= 2  # wrapped
    assert " ".join(label_lines) == label
    # The wrapped row is taller than the one-line row, so nothing overlaps the next bar.
    one_line = section_chart(Section("x", "x", Chart.SHARE, (section.figures[1],)))
    assert chart.height > 2 * one_line.height - 2 * mm
    text = " ".join(read(dashboard_pdf(dashboard_with(section))).pages[0].extract_text().split())
    assert label in text


def dashboard_with(*sections: Section) -> Dashboard:
    return Dashboard(2025, TODAY, sections, 3)


def test_the_quarterly_trend_is_a_table_of_quarters(programme) -> None:
    _, _, board = programme
    text = "\n".join(page.extract_text() for page in read(dashboard_pdf(board)).pages)
    assert "Quarterly trend, 2025/26" in text
    assert "Figure Q1 Q2 Q3 Q4 Year" in " ".join(text.split())
    # On 15 January 2026 the fourth quarter has begun: no quarter shows as still to come.
    trend = board.section("trend")
    identified = [f.value for f in trend.figures if f.series == "Identified"]
    assert identified == [3, 2, 0, 0]  # FM-001, FM-003, FM-005; FM-004, FM-006


def test_a_warning_about_the_day_judged_is_printed_under_the_title() -> None:
    board = Dashboard(
        2026,
        TODAY,
        (),
        1,
        notices=("Supporting Families 2022: its term dates end with Summer 2026",),
    )
    text = read(dashboard_pdf(board)).pages[0].extract_text()
    assert "Warning: Supporting Families 2022: its term dates end with Summer 2026" in " ".join(
        text.split()
    )
