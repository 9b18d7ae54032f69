"""The claim schedule an auditor ticks, read back with pypdf and drawn with pdftoppm: a
landscape page; per family its reference whole, its entry dates, keyworker, eligibility at
entry with sources and dates, route and amount; per problem the figures before and after with
their periods, when it became sustained, the evidence, the practitioner who recorded it and the
family member it is about in a column of its own; a sign-off block. The CSV holds the same
rows."""

import csv
import datetime as dt
import io
import subprocess
from pathlib import Path

import pypdf
import pytest

from fmdesk.claims import (
    SCHEDULE_HEADER,
    ClaimBatch,
    readiness_by_family,
    ready_families,
    schedule_csv_row,
    schedule_rows,
    submit_batch,
)
from fmdesk.csvcells import csv_bytes
from fmdesk.families import Family, Person, PersonRole
from fmdesk.outcomes import FrameworkLibrary, IndicatorTick, Measure, OutcomeEvidence
from fmdesk.outcomes.records import MeasureKind, MeasureStage
from fmdesk.payments import shipped_payment_tables
from fmdesk.plans import FamilyPlan, PlanGoal
from fmdesk.records import Record
from reports.claims import schedule_pdf
from tests.tools import require_tools
from tests.unit.test_programme import TODAY, fixture_programme

D = dt.date.fromisoformat
REFERENCE = "FM-2025-0018"


def schedule_records() -> tuple[list[Record], Family]:
    """The hand-computed programme, FM-001 renamed FM-2025-0018 and given a crime/ASB problem
    at entry: ASB incidents over 12 months before and 6 months after, and the police's data
    showing the fall; and a letter about the father's health."""
    records, refs = fixture_programme()
    old = refs["FM-001"]
    family = old.replace(reference=REFERENCE)
    records = [family if r is old else r for r in records]
    # Its plan takes on the new problem too (a claim needs a plan covering every problem).
    records = [
        r.replace(goals=(PlanGoal(words="Everyone safe at home", problems=("1", "5", "6")),))
        if isinstance(r, FamilyPlan) and r.family_id == family.id
        else r
        for r in records
    ]
    adult = Person(
        family_id=family.id,
        role=PersonRole.PARENT_CARER,
        given_name="Mariusz",
        family_name="Nowak",
        date_of_birth=D("1985-02-11"),
    )
    records += [
        adult,
        IndicatorTick(
            family_id=family.id,
            indicator="1C",
            person_id=adult.id,
            on=D("2025-05-01"),
            evidence_source="Police ASB data",
            recorded_by="Pat Keyworker",
        ),
        Measure(
            family_id=family.id,
            kind=MeasureKind.ASB_INCIDENTS,
            stage=MeasureStage.BASELINE,
            value=10,
            period_start=D("2024-05-01"),
            on=D("2025-04-30"),
            source="Police ASB data",
            recorded_by="Pat Keyworker",
        ),
        Measure(
            family_id=family.id,
            kind=MeasureKind.ASB_INCIDENTS,
            value=1,
            period_start=D("2025-05-01"),
            on=D("2025-10-31"),
            source="Police ASB data",
            recorded_by="Pat Keyworker",
        ),
        OutcomeEvidence(
            family_id=family.id,
            outcome="6.1",
            holds_from=D("2025-10-01"),
            source="Community mental health team letter",
            description="Engaging with treatment since the plan began.",
            person_id=adult.id,
            recorded_by="Siobhán Kelly",
        ),
    ]
    return records, family


@pytest.fixture(scope="module")
def schedule():
    records, family = schedule_records()
    families = [r for r in records if isinstance(r, Family)]
    outcomes = readiness_by_family(families, records, FrameworkLibrary.shipped(), TODAY)
    batch = ClaimBatch(
        reference="2025/26 Q3",
        period_start=D("2025-10-01"),
        period_end=D("2025-12-31"),
        made_on=TODAY,
        made_by="Central Team",
        family_ids=(family.id,),
    )
    batch = submit_batch(batch, on=TODAY, by="Łucja Nowak", approved_by="Amara Okafor")
    assert [o.family.id for o in ready_families(outcomes)] == [family.id]
    rows = schedule_rows(batch, outcomes, shipped_payment_tables())
    return batch, rows


def test_the_schedule_is_landscape_and_can_be_ticked_line_by_line(schedule) -> None:
    batch, rows = schedule
    reader = pypdf.PdfReader(io.BytesIO(schedule_pdf(batch, rows)))
    box = reader.pages[0].mediabox
    assert float(box.width) > float(box.height)  # landscape A4
    assert round(float(box.width)) == 842
    text = "\n".join(page.extract_text() for page in reader.pages)
    lines = text.splitlines()
    assert reader.metadata is not None
    assert reader.trailer["/Root"]["/Lang"] == "en-GB"
    assert f"Page 1 of {len(reader.pages)}" in text
    # The family under its reference, never split across lines.
    assert any(REFERENCE in line for line in lines)
    assert "FM-2025-00" not in text.replace(REFERENCE, "")
    # No word split: every header word whole.
    for word in ("Sustained", "Recorded", "Approved", "Indicator", "Checked", "Identified"):
        assert word in text
    assert "Sustain" not in text.replace("Sustained", "")
    # Entry: dates, keyworker, eligibility with its source and date; route and amount.
    for said in (
        "Identified",
        "Attached",
        "20 May 2025",  # first engaged
        "Assessed",
        "Plan agreed",
        "Keyworker",
        "Pat Keyworker",
        "Police ASB data",
        "every problem",
        "£800.00",
        "Amount claimed",
    ):
        assert said in " ".join(lines), said
    # Figures before and after with their periods; evidence; who recorded it; about whom.
    assert "Anti-social behaviour incidents 10 (1 May 2024 to 30 Apr 2025)" in " ".join(lines)
    assert "Anti-social behaviour incidents 1 (1 May 2025 to 31 Oct 2025)" in " ".join(lines)
    assert "Mariusz" in text
    assert "Sign-off" in text
    assert "Checked for internal audit by" in text
    assert "Amara Okafor" in text


def test_recorded_by_names_the_practitioner_and_the_family_member_has_a_column(schedule) -> None:
    _, rows = schedule
    health = [(r.source, r.recorded_by, r.person) for r in rows if r.outcome == "6.1"]
    assert sorted(health) == [
        ("Community mental health team letter", "Siobhán Kelly", "Mariusz"),
        ("GP letter", "Pat Keyworker", ""),
    ]


def test_the_csv_holds_the_same_rows(schedule) -> None:
    _, rows = schedule
    data = csv_bytes([SCHEDULE_HEADER, *(schedule_csv_row(r) for r in rows)])
    read = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    assert len(read) == len(rows)
    asb = next(r for r in read if r["outcome"] == "1.3")
    assert asb["family_reference"] == REFERENCE
    assert (asb["identified_on"], asb["attached_on"]) == ("2025-05-01", "2025-05-20")
    assert (asb["assessed_on"], asb["plan_agreed_on"]) == ("2025-05-01", "2025-05-01")
    assert asb["keyworker"] == "Pat Keyworker"
    assert "1C" in asb["eligibility_at_entry"]
    assert "Police ASB data, 1 May 2025" in asb["eligibility_at_entry"]
    assert asb["figures_before"] == "Anti-social behaviour incidents 10 (1 May 2024 to 30 Apr 2025)"
    assert asb["figures_after"] == "Anti-social behaviour incidents 1 (1 May 2025 to 31 Oct 2025)"
    assert (asb["basis"], asb["recorded_by"], asb["person"]) == ("Measures", "Pat Keyworker", "")
    letter = next(r for r in read if r["evidence_source"].startswith("Community"))
    assert (letter["recorded_by"], letter["person"]) == ("Siobhán Kelly", "Mariusz")
    assert (asb["attachment_fee"], asb["results_payment"], asb["claim_amount"]) == (
        "1000.00",
        "800.00",
        "800.00",
    )


def test_the_schedule_draws_cleanly(schedule, tmp_path: Path) -> None:
    require_tools("pdftoppm")
    batch, rows = schedule
    pdf = tmp_path / "schedule.pdf"
    pdf.write_bytes(schedule_pdf(batch, rows))
    subprocess.run(
        ["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", str(pdf), str(tmp_path / "page")],
        check=True,
    )
    (page,) = tmp_path.glob("page*.png")
    assert page.stat().st_size > 10_000
