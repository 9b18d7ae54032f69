"""The printed family action plan, read back with pypdf and pdffonts."""

import datetime as dt
import io
import re
import subprocess
from pathlib import Path

import pypdf
from reportlab.platypus import Paragraph

from fmdesk.families import Family, FamilyStatus, Person, PersonRole
from fmdesk.plans import (
    ActionOwner,
    ActionStatus,
    FamilyPlan,
    PlanAction,
    PlanGoal,
    date_text,
    first_plan,
    new_version,
)
from fmdesk.taf import TafMember
from reports.base import make_styles, write_pdf
from reports.plan import plan_pdf
from tests.tools import require_tools

FAMILY = Family(
    reference="FM-0042",
    name="Ashworth",
    status=FamilyStatus.ACTIVE,
    lead_practitioner="Amira Shah",
)
ZOE = Person(
    family_id=FAMILY.id,
    role=PersonRole.PARENT_CARER,
    given_name="Zoë",
    family_name="Ashworth",
    relationship="Mum",
)
LUKASZ = Person(
    family_id=FAMILY.id,
    role=PersonRole.OTHER_ADULT,
    given_name="Łukasz",
    family_name="Nowak",
    relationship="Zoë's partner",
)
KAI = Person(
    family_id=FAMILY.id,
    role=PersonRole.CHILD,
    given_name="Kai",
    family_name="Ashworth",
    date_of_birth=dt.date(2016, 5, 2),
)
GRANDAD = Person(
    family_id=FAMILY.id,
    role=PersonRole.SIGNIFICANT_ADULT,
    given_name="Rhys",
    family_name="Ashworth",
)
PEOPLE = [ZOE, LUKASZ, KAI, GRANDAD]
MEMBERS = [
    TafMember(
        family_id=FAMILY.id,
        agency="Hillside Primary School",
        role="Family support worker",
        name="Siobhán Kelly",
    ),
    TafMember(
        family_id=FAMILY.id, agency="Riverside Housing", role="Housing officer", name="Dev Patel"
    ),
    TafMember(
        family_id=FAMILY.id,
        agency="Youth service",
        name="Nadia Okafor",
        left_on=dt.date(2025, 1, 31),
    ),
]
NAMES = {p.id: p.full_name for p in PEOPLE}


def sample_plan() -> FamilyPlan:
    school = PlanGoal(
        words="We want Kai to get to school every day and on time",
        problems=("2",),
        outcome_measures=("2.1",),
        actions=(
            PlanAction(
                what="Set two alarms and lay out the uniform the night before",
                owner=ActionOwner(person_id=ZOE.id),
                by_when=dt.date(2025, 3, 17),
                status=ActionStatus.DONE,
            ).with_note(dt.date(2025, 3, 24), "On time every day for two weeks"),
            PlanAction(
                what="Meet Zoë and Kai at the gate on Monday mornings",
                owner=ActionOwner.agency_worker("Hillside Primary School", "Siobhán Kelly"),
                by_when=dt.date(2025, 4, 30),
                status=ActionStatus.IN_PROGRESS,
            ),
            PlanAction(
                what="Walk Kai to school on Thursdays",
                owner=ActionOwner(person_id=LUKASZ.id),
                by_when=dt.date(2025, 4, 29),
                status=ActionStatus.DROPPED,
                dropped_reason="Shifts changed",
            ),
        ),
    )
    home = PlanGoal(
        words="A warm, dry home",
        problems=("6",),
        actions=(
            PlanAction(
                what="Inspect the damp and book the repair",
                owner=ActionOwner.agency_worker("Riverside Housing", "Dev Patel"),
                by_when=dt.date(2025, 4, 14),
            ),
        ),
    )
    one = first_plan(FAMILY.id, made_on=dt.date(2025, 2, 3), goals=[school, home])
    return new_version(
        one, made_on=dt.date(2025, 4, 7), made_at="TAF meeting 3", next_review=dt.date(2025, 6, 2)
    )


def pages_text(pdf: bytes, password: str | None = None) -> list[str]:
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    if password is not None:
        assert reader.is_encrypted
        reader.decrypt(password)
    # Table cells wrap, so compare with line breaks as spaces.
    return [re.sub(r"\s+", " ", page.extract_text()) for page in reader.pages]


def test_every_action_with_its_owner_and_date_and_every_signatory() -> None:
    plan = sample_plan()
    pdf = plan_pdf(
        FAMILY,
        PEOPLE,
        plan,
        MEMBERS,
        problem_names={"2": "Children not at school enough", "6": "Health and housing"},
    )
    pages = pages_text(pdf)
    whole = " ".join(pages)
    for action in plan.actions:
        assert action.what in whole
        assert action.owner.text(NAMES) in whole
        assert date_text(action.by_when) in whole
        assert action.status.label in whole
    assert "Dropped Shifts changed" in whole
    assert "On time every day for two weeks" in whole
    for goal in plan.goals:
        assert f"“{goal.words}”" in whole
    assert "Children not at school enough" in whole
    assert "Health and housing" in whole
    assert "Next review 2 June 2025" in whole
    assert "Version 2, agreed on 7 April 2025 (TAF meeting 3)" in whole
    assert "Your keyworker Amira Shah" in whole

    signing = whole[whole.index("Signing the plan") :]
    for name in ("Zoë Ashworth", "Łukasz Nowak", "Siobhán Kelly", "Dev Patel", "Amira Shah"):
        assert name in signing
    # Children, adults outside the home and workers who have left the team do not sign.
    assert "Kai Ashworth" not in signing
    assert "Rhys Ashworth" not in signing
    assert "Nadia Okafor" not in signing


def test_marking_and_page_numbers_on_every_page() -> None:
    pdf = plan_pdf(FAMILY, PEOPLE, sample_plan(), MEMBERS, marking="OFFICIAL")
    pages = pages_text(pdf)
    assert len(pages) >= 2
    for number, page in enumerate(pages, start=1):
        assert page.count("OFFICIAL") == 2  # top and bottom
        assert "OFFICIAL-SENSITIVE" not in page
        assert f"Page {number} of {len(pages)}" in page


def test_only_embedded_fonts(tmp_path: Path) -> None:
    require_tools("pdffonts")
    path = write_pdf(plan_pdf(FAMILY, PEOPLE, sample_plan(), MEMBERS), tmp_path / "plan.pdf")
    lines = subprocess.run(
        ["pdffonts", str(path)], check=True, capture_output=True, text=True
    ).stdout.splitlines()[2:]
    assert lines, "the plan uses at least one font"
    for line in lines:
        assert "DejaVuSans" in line
        # Columns after the name and type: encoding, emb, sub, uni, object id.
        assert line.split()[-5] == "yes", line


def test_a_long_plan_repeats_table_headers_on_every_page() -> None:
    actions = tuple(
        PlanAction(
            what=f"Step {i:02d}: practise the morning routine together and write down how it went",
            owner=ActionOwner(person_id=ZOE.id)
            if i % 2
            else ActionOwner.agency_worker("Hillside Primary School", "Siobhán Kelly"),
            by_when=dt.date(2025, 3, 3) + dt.timedelta(days=i),
        )
        for i in range(70)
    )
    goal = PlanGoal(words="Mornings without rows", actions=actions)
    plan = first_plan(FAMILY.id, made_on=dt.date(2025, 3, 3), goals=[goal])
    pages = pages_text(plan_pdf(FAMILY, PEOPLE, plan, MEMBERS))
    assert len(pages) >= 3
    for action in actions:
        assert action.what in " ".join(pages)
    pages_with_steps = [p for p in pages if "Step " in p]
    assert len(pages_with_steps) >= 3
    for page in pages_with_steps:
        assert "What we will do Who By when Where it's at" in page


def test_star_chart_printed_only_when_given() -> None:
    chart = Paragraph("STAR CHART STAND-IN", make_styles().body)
    with_chart = " ".join(
        pages_text(plan_pdf(FAMILY, PEOPLE, sample_plan(), MEMBERS, star_chart=chart))
    )
    without = " ".join(pages_text(plan_pdf(FAMILY, PEOPLE, sample_plan(), MEMBERS)))
    assert "How things have changed" in with_chart
    assert "STAR CHART STAND-IN" in with_chart
    assert "How things have changed" not in without


def test_password_protects_the_plan() -> None:
    pdf = plan_pdf(FAMILY, PEOPLE, sample_plan(), MEMBERS, password="correct horse")
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    assert reader.is_encrypted
    assert not reader.decrypt("wrong")
    assert "Łukasz Nowak" in " ".join(pages_text(pdf, password="correct horse"))


def test_the_password_encrypts_with_aes_256_revision_6() -> None:
    pdf = plan_pdf(FAMILY, PEOPLE, sample_plan(), MEMBERS, password="correct horse")
    assert pdf.startswith(b"%PDF-2.0")
    encrypt = pypdf.PdfReader(io.BytesIO(pdf)).trailer["/Encrypt"].get_object()
    assert (encrypt["/Filter"], encrypt["/V"], encrypt["/R"]) == ("/Standard", 5, 6)
    assert encrypt["/Length"] == 256
    assert encrypt["/CF"]["/StdCF"]["/CFM"] == "/AESV3"
    assert (encrypt["/StmF"], encrypt["/StrF"]) == ("/StdCF", "/StdCF")
    # Strings and streams are encrypted: the family's name, in the title and on every page of
    # the plain PDF, is nowhere in the protected one.
    assert b"Ashworth" in plan_pdf(FAMILY, PEOPLE, sample_plan(), MEMBERS)
    assert b"Ashworth" not in pdf


def test_the_password_opens_the_plan_to_read_and_print_but_not_to_copy_change_or_unlock() -> None:
    pdf = plan_pdf(FAMILY, PEOPLE, sample_plan(), MEMBERS, password="correct horse")
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    # Opened as the user, not the owner: the owner password is another, random one.
    assert reader.decrypt("correct horse") is pypdf.PasswordType.USER_PASSWORD
    assert reader.are_permissions_valid
    permissions = reader.user_access_permissions
    assert permissions is not None
    assert pypdf.constants.UserAccessPermissions.PRINT in permissions
    assert pypdf.constants.UserAccessPermissions.PRINT_TO_REPRESENTATION in permissions
    assert pypdf.constants.UserAccessPermissions.EXTRACT not in permissions
    assert pypdf.constants.UserAccessPermissions.MODIFY not in permissions
    assert pypdf.constants.UserAccessPermissions.ADD_OR_MODIFY not in permissions
    # A screen reader may still read the plan out.
    assert pypdf.constants.UserAccessPermissions.EXTRACT_TEXT_AND_GRAPHICS in permissions
    assert reader.metadata is not None
    assert reader.metadata.title == "Family plan – Ashworth (FM-0042), version 2"
    assert (reader.metadata.author, reader.metadata.creator) == ("fmdesk", "fmdesk")


def test_poppler_renders_the_protected_plan_with_its_password_only(tmp_path: Path) -> None:
    require_tools("pdftoppm")
    pdf = plan_pdf(FAMILY, PEOPLE, sample_plan(), MEMBERS, password="correct horse")
    path = write_pdf(pdf, tmp_path / "plan.pdf")
    assert path.read_bytes() == pdf

    def render(password: str) -> subprocess.CompletedProcess[str]:
        page_1_as_png = ["-f", "1", "-l", "1", "-r", "40", "-png"]
        out = tmp_path / password.replace(" ", "-")
        return subprocess.run(
            ["pdftoppm", "-upw", password, *page_1_as_png, str(path), str(out)],
            capture_output=True,
            text=True,
        )

    refused = render("wrong")
    assert refused.returncode != 0
    assert not list(tmp_path.glob("wrong*.png"))
    rendered = render("correct horse")
    assert rendered.returncode == 0, rendered.stderr
    (page,) = tmp_path.glob("correct-horse*.png")
    from PIL import Image

    with Image.open(page) as image:
        # Text and table rules drawn: page 1 is not blank.
        darkest, _ = image.convert("L").getextrema()
    assert darkest < 100


def test_an_empty_plan_still_prints_with_signatures() -> None:
    plan = first_plan(FAMILY.id, made_on=dt.date(2025, 2, 3))
    whole = " ".join(pages_text(plan_pdf(FAMILY, PEOPLE, plan, [])))
    assert "No goals have been agreed yet." in whole
    assert "We will agree the date of the next review together." in whole
    assert "Zoë Ashworth" in whole[whole.index("Signing the plan") :]
    assert "Amira Shah" in whole[whole.index("Signing the plan") :]


def test_same_plan_same_bytes() -> None:
    plan = sample_plan()
    assert plan_pdf(FAMILY, PEOPLE, plan, MEMBERS) == plan_pdf(FAMILY, PEOPLE, plan, MEMBERS)
