"""The assessment summary PDF, read back with pypdf."""

import datetime as dt
import io
import re
from pathlib import Path

import pytest
from pypdf import PdfReader

from fmdesk.assessment import (
    AgencyInvolved,
    Answer,
    Assessment,
    Template,
    complete,
    default_template,
    new_assessment,
    set_agencies,
    set_answer,
    share_with_family,
    start_review,
    steps,
    tick_indicator,
)
from fmdesk.families import Consent, ConsentKind, Family, Person, PersonRole
from reports.assessment import summary_pdf
from reports.base import write_pdf

ZOE_VIEWS = "I like it when Dad takes me to the park.\nI don't like it when they shout.\nI'm 7 & ½!"
SIOBHAN_VIEWS = "We're doing our best.\nThe flat is damp — the boys share a room <again>."


class Household:
    def __init__(self) -> None:
        self.template: Template = default_template()
        self.family = Family(reference="EH-0042", name="Kowalski-Byrne")
        fid = self.family.id
        self.siobhan = Person(
            family_id=fid,
            role=PersonRole.PARENT_CARER,
            given_name="Siobhán",
            family_name="Byrne",
            date_of_birth=dt.date(1988, 1, 20),
        )
        self.lukasz = Person(
            family_id=fid,
            role=PersonRole.PARENT_CARER,
            given_name="Łukasz",
            family_name="Kowalski",
            date_of_birth=dt.date(1985, 11, 3),
        )
        self.zoe = Person(
            family_id=fid,
            role=PersonRole.CHILD,
            given_name="Zoë",
            family_name="Kowalski",
            date_of_birth=dt.date(2017, 6, 2),
            school="St Mary's Primary",
        )
        self.people = [self.siobhan, self.lukasz, self.zoe]
        self.consents = [
            Consent(
                family_id=fid,
                kind=ConsentKind.ASSESS,
                person_id=self.siobhan.id,
                given_on=dt.date(2025, 3, 1),
            )
        ]

    def filled(self) -> Assessment:
        t = self.template
        a = new_assessment(self.family.id, t, practitioner="Jo Adeyemi", on=dt.date(2025, 3, 3))
        for answer in (
            Answer(section="reason", element="what_led_here", text="School raised attendance."),
            Answer(section="reason", element="asked_for_by", choice="school"),
            Answer(section="reason", element="previous_help", yes=False),
            Answer(section="child_views", person_id=self.zoe.id, element="views", text=ZOE_VIEWS),
            Answer(
                section="parent_views",
                person_id=self.siobhan.id,
                element="views",
                text=SIOBHAN_VIEWS,
            ),
            Answer(
                section="parent_views",
                person_id=self.lukasz.id,
                element="views",
                text="Work is hard to find.",
            ),
            Answer(
                section="child_development",
                person_id=self.zoe.id,
                element="learning",
                strengths="Loves reading",
                needs="Missed 14 days this term",
                rating=2,
            ),
            Answer(section="family_environment", element="housing", no_issues=True),
            Answer(section="analysis", element="analysis", text="Needs are linked."),
            Answer(section="summary_of_need", element="summary", text="Attendance; housing."),
        ):
            a = set_answer(a, t, answer)
        a = tick_indicator(a, "2a", person_id=self.zoe.id, evidence="Register, autumn term")
        return set_agencies(
            a,
            [
                AgencyInvolved(
                    agency="Łódź Street Surgery", worker="Dr Nowak", contact="01632 960123"
                )
            ],
        )

    def completed(self) -> Assessment:
        return complete(
            self.filled(),
            self.template,
            self.people,
            self.consents,
            on=dt.date(2025, 3, 14),
            by="Jo Adeyemi",
        )


def pdf_text(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    return "\n".join(page.extract_text() for page in reader.pages)


def words(text: str) -> list[str]:
    """Compare text ignoring how lines wrap on the page."""
    return re.split(r"\s+", text.strip())


@pytest.fixture
def home() -> Household:
    return Household()


def test_views_are_quoted_verbatim_with_their_names(home: Household) -> None:
    assessment = share_with_family(home.completed(), on=dt.date(2025, 3, 20))
    pdf = summary_pdf(assessment, home.template, home.family, home.people, home.consents)
    content = pdf_text(pdf)

    for line in [*ZOE_VIEWS.splitlines(), *SIOBHAN_VIEWS.splitlines()]:
        assert line in content  # each written line survives as its own line, markup and all
    assert "Child's views — Zoë" in content
    assert "Parent's or carer's views — Siobhán" in content
    assert "Parent's or carer's views — Łukasz" in content
    assert "Łódź Street Surgery" in content


def test_summary_holds_the_facts_and_ratings_in_words(home: Household) -> None:
    assessment = share_with_family(home.completed(), on=dt.date(2025, 3, 20))
    content = " ".join(
        words(
            pdf_text(
                summary_pdf(assessment, home.template, home.family, home.people, home.consents)
            )
        )
    )

    for expected in (
        "Kowalski-Byrne (EH-0042)",
        "Practitioner Jo Adeyemi",
        "Started 3 March 2025",
        "Completed 14 March 2025 by Jo Adeyemi",
        "Shared with the family 20 March 2025",
        "Who asked for help School or college",
        "Has the family had early help before? No",
        "Learning Loves reading Missed 14 days this term 2 – Significant needs",
        "Housing No issues",
        "To assess Siobhán Byrne 1 March 2025 Not withdrawn",
        "Zoë Kowalski Child 2 June 2017 (7) St Mary's Primary",
        "2a Zoë Kowalski Register, autumn term",
        "Page 1 of",
        "OFFICIAL-SENSITIVE",
    ):
        assert expected in content
    assert "(draft)" not in content


def test_a_draft_says_so(home: Household) -> None:
    content = pdf_text(summary_pdf(home.filled(), home.template, home.family, home.people))
    assert "Whole-family assessment (draft)" in content
    assert "not yet complete" in content


def test_a_review_lists_the_ratings_that_changed(home: Household) -> None:
    first = home.completed()
    review = start_review(first, on=dt.date(2025, 6, 10))
    review = set_answer(
        review,
        home.template,
        Answer(
            section="child_development",
            person_id=home.zoe.id,
            element="learning",
            strengths="Loves reading",
            needs="Attendance 94% this term",
            rating=4,
        ),
    )
    content = " ".join(
        words(
            pdf_text(
                summary_pdf(
                    review, home.template, home.family, home.people, home.consents, previous=first
                )
            )
        )
    )

    assert "What has changed since the last assessment" in content
    assert "Reviews The assessment completed on 14 March 2025" in content
    assert (
        "How the child is growing and developing — Zoë: Learning 2 – Significant needs "
        "4 – Minor needs Better"
    ) in content


def test_the_pdf_embeds_its_font_and_builds_the_same_twice(home: Household) -> None:
    assessment = home.completed()
    first = summary_pdf(assessment, home.template, home.family, home.people, home.consents)
    again = summary_pdf(assessment, home.template, home.family, home.people, home.consents)
    assert first == again
    reader = PdfReader(io.BytesIO(first))
    fonts = {
        str(font["/BaseFont"])
        for page in reader.pages
        for font in page["/Resources"]["/Font"].values()
    }
    assert fonts
    assert all("DejaVu" in name for name in fonts)


def test_every_step_has_a_heading(home: Household, tmp_path: Path) -> None:
    path = write_pdf(
        summary_pdf(home.completed(), home.template, home.family, home.people, home.consents),
        tmp_path / "summary.pdf",
    )
    content = " ".join(words(pdf_text(path.read_bytes())))
    for step in steps(home.template, home.people):
        assert step.title in content
