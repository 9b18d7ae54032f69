"""The Star chart and the Star progress PDF, read back with pypdf and pdffonts."""

import datetime as dt
import io
import subprocess
from pathlib import Path

import pypdf
import pytest

from fmdesk.families import Family, FamilyStatus
from fmdesk.plans import date_text
from fmdesk.stars import (
    Instrument,
    InstrumentCatalogue,
    Participation,
    StarReading,
    complete_reading,
    new_reading,
    parse_instrument,
)
from reports.base import build_pdf, write_pdf
from reports.star import family_star_chart, star_chart, star_progress_pdf
from tests.tools import require_tools

FAMILY = Family(reference="FM-0107", name="Ó Briain", status=FamilyStatus.ACTIVE)
FIRST_DAY = dt.date(2025, 3, 3)
SECOND_DAY = dt.date(2025, 5, 26)
LATEST_DAY = dt.date(2025, 8, 18)


@pytest.fixture
def star() -> Instrument:
    return InstrumentCatalogue().default


def reading(
    instrument: Instrument, scores: list[int], taken_on: dt.date, *, completed: bool = True
) -> StarReading:
    r = new_reading(instrument, family_id=FAMILY.id, taken_on=taken_on, taken_by="Siobhán Kelly")
    for area_id, score in zip(instrument.area_ids, scores, strict=True):
        r = r.with_score(area_id, score)
    return complete_reading(r, instrument) if completed else r


def pdf_text(pdf: bytes) -> str:
    """All the text, with line breaks and runs of spaces made single spaces (labels wrap)."""
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    return " ".join(" ".join(page.extract_text() or "" for page in reader.pages).split())


def fonts_of(pdf: bytes, tmp_path: Path) -> list[list[str]]:
    require_tools("pdffonts")
    path = write_pdf(pdf, tmp_path / "star.pdf")
    out = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True)
    return [line.split() for line in out.stdout.splitlines()[2:]]


def test_chart_pdf_holds_every_area_label_and_both_dates(star: Instrument, tmp_path: Path) -> None:
    first = reading(star, [2, 3, 4, 8, 9, 5, 5, 1, 10, 7], FIRST_DAY)
    latest = reading(star, [3, 4, 3, 9, 10, 6, 4, 10, 10, 6], LATEST_DAY)

    pdf = build_pdf([star_chart(star, latest, first)], title="Star chart")

    words = pdf_text(pdf)
    for area in star.areas:
        assert area.name in words
    assert "Star reading of 3 March 2025 (earlier)" in words
    assert "Star reading of 18 August 2025 (latest)" in words
    fonts = fonts_of(pdf, tmp_path)
    assert fonts, "the PDF names no fonts"
    # Columns: name type encoding emb sub uni ...; every font must be embedded DejaVu.
    assert all(row[0].endswith(("DejaVuSans", "DejaVuSans-Bold")) for row in fonts)
    assert all(row[-5] == "yes" for row in fonts)


def test_progress_pdf_shows_change_movement_and_readings_over_time(
    star: Instrument, tmp_path: Path
) -> None:
    first = reading(star, [2, 3, 4, 8, 9, 5, 5, 1, 10, 7], FIRST_DAY)
    second = reading(star, [3, 3, 4, 8, 9, 6, 5, 4, 9, 7], SECOND_DAY).replace(
        participation=Participation.PRACTITIONER_ONLY, retrospective=True
    )
    latest = reading(star, [3, 4, 3, 9, 10, 6, 4, 10, 10, 6], LATEST_DAY)
    latest = latest.with_score("routine", 10, "Bedtime chart on the fridge; Łukasz up on time")
    draft = reading(star, [9] * 10, dt.date(2025, 9, 1), completed=False)
    deleted = reading(star, [1] * 10, dt.date(2025, 4, 14)).replace(deleted=True)

    pdf = star_progress_pdf(
        FAMILY, star, [latest, draft, second, deleted, first], printed_on=dt.date(2025, 9, 2)
    )
    write_pdf(pdf, tmp_path / "progress.pdf")

    words = pdf_text(pdf)
    assert "Star progress: Ó Briain" in words
    assert "Case FM-0107" in words
    assert (
        "From 3 March 2025 to 18 August 2025: 3 areas moved up a stage, 2 moved down a stage, "
        "5 stayed in the same stage" in words
    )
    assert "The total score went from 54 to 65 (+11)" in words
    # Readings over time: the three completed readings, not the draft or the deleted one.
    assert "Total 54 58 65 +11" in words
    assert "Daily routine 1 4 10 +9" in words
    assert "1 September 2025" not in words
    assert "14 April 2025" not in words
    assert "Practitioner only · retrospective" in words
    assert "Bedtime chart on the fridge; Łukasz up on time" in words
    for stage in star.stages:
        assert stage.name in words
    assert "Up 4 stages" in words
    assert all(row[-5] == "yes" for row in fonts_of(pdf, tmp_path))


def test_any_chosen_pair_can_be_compared(star: Instrument) -> None:
    first = reading(star, [2] * 10, FIRST_DAY)
    second = reading(star, [5] * 10, SECOND_DAY)
    latest = reading(star, [4] * 10, LATEST_DAY)
    words = pdf_text(
        star_progress_pdf(
            FAMILY,
            star,
            [first, second, latest],
            first=second,
            latest=latest,
            printed_on=LATEST_DAY,
        )
    )
    assert "From 26 May 2025 to 18 August 2025: 10 areas moved down a stage" in words
    assert "Star reading of 26 May 2025 (earlier)" in words


def test_with_no_completed_reading_the_pdf_says_so(star: Instrument) -> None:
    draft = reading(star, [5] * 10, FIRST_DAY, completed=False)
    words = pdf_text(star_progress_pdf(FAMILY, star, [draft], printed_on=FIRST_DAY))
    assert "No Star reading has been completed yet." in words
    assert family_star_chart(star, [draft]) is None


def test_the_plan_chart_is_first_against_latest(star: Instrument) -> None:
    readings = [
        reading(star, [6] * 10, LATEST_DAY),
        reading(star, [2] * 10, FIRST_DAY),
        reading(star, [4] * 10, SECOND_DAY),
    ]
    chart = family_star_chart(star, readings)
    assert chart is not None
    words = pdf_text(build_pdf([chart], title="Plan"))
    assert f"Star reading of {date_text(FIRST_DAY)} (earlier)" in words
    assert f"Star reading of {date_text(LATEST_DAY)} (latest)" in words
    assert date_text(SECOND_DAY) not in words


def test_a_single_reading_is_charted_alone(star: Instrument) -> None:
    only = reading(star, [7] * 10, FIRST_DAY)
    words = pdf_text(star_progress_pdf(FAMILY, star, [only], printed_on=FIRST_DAY))
    assert "Star reading of 3 March 2025" in words
    assert "(earlier)" not in words
    assert "What has changed" not in words


def test_a_licensed_instrument_on_one_to_five_prints_its_own_labels() -> None:
    licensed = parse_instrument(
        {
            "id": "council-licensed-star",
            "version": 1,
            "name": "Council licensed star (test)",
            "licence": "Licensed to the test council.",
            "scale": {"min": 1, "max": 5},
            "stages": [
                {"name": "Band A", "from": 1, "to": 2},
                {"name": "Band B", "from": 3, "to": 5},
            ],
            "areas": [{"id": f"a{n}", "name": f"Test area {n}"} for n in range(1, 9)],
        }
    )
    first = reading(licensed, [1, 2, 3, 4, 5, 1, 2, 3], FIRST_DAY)
    latest = reading(licensed, [3, 2, 3, 4, 5, 2, 2, 1], LATEST_DAY)
    words = pdf_text(star_progress_pdf(FAMILY, licensed, [first, latest], printed_on=LATEST_DAY))
    for n in range(1, 9):
        assert f"Test area {n}" in words
    assert "scored 1–5" in words
    assert "1 area moved up a stage, 1 moved down a stage, 6 stayed in the same stage" in words
    assert "Licensed to the test council." in words
