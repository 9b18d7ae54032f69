"""English school terms for any year (fmdesk/terms.py), and the warning when a framework's own
term dates do not reach a day to be judged (issue 17)."""

import datetime as dt

import pytest

from fmdesk.outcomes import shipped_frameworks
from fmdesk.terms import (
    SchoolTerm,
    easter_sunday,
    english_terms,
    known_terms,
    last_terms,
    term_for,
    terms_warnings,
)

D = dt.date


@pytest.mark.parametrize(
    ("year", "easter"),
    [
        (2024, D(2024, 3, 31)),
        (2025, D(2025, 4, 20)),
        (2026, D(2026, 4, 5)),
        (2027, D(2027, 3, 28)),
        (2038, D(2038, 4, 25)),
        (2285, D(2285, 3, 22)),
    ],
)
def test_easter_is_computed(year: int, easter: dt.date) -> None:
    assert easter_sunday(year) == easter


def test_dateutil_agrees_on_every_easter_where_it_is_installed() -> None:
    easter = pytest.importorskip("dateutil.easter")
    for year in range(1900, 2200):
        assert easter_sunday(year) == easter.easter(year), year


def test_the_school_year_2026_has_three_terms_around_easter_2027() -> None:
    autumn, spring, summer = english_terms(2026)
    assert (autumn.name, autumn.start, autumn.end) == (
        "Autumn 2026",
        D(2026, 9, 1),
        D(2026, 12, 20),
    )
    assert (spring.name, spring.start, spring.end) == ("Spring 2027", D(2027, 1, 4), D(2027, 3, 25))
    assert (summer.name, summer.start, summer.end) == ("Summer 2027", D(2027, 4, 5), D(2027, 7, 22))


def test_terms_do_not_run_out_and_the_councils_dates_come_first() -> None:
    council = (SchoolTerm("Autumn 2026", D(2026, 9, 3), D(2026, 12, 18), "council"),)
    terms = known_terms(council_terms=council)
    assert term_for(D(2026, 12, 7), terms) == council[0]
    assert term_for(D(2090, 10, 1), terms).name == "Autumn 2090"
    window = last_terms(D(2026, 12, 7), 3, terms)
    assert [t.name for t in window] == ["Spring 2026", "Summer 2026", "Autumn 2026"]


def test_a_framework_whose_terms_end_is_warned_about() -> None:
    frameworks = {f.id: f for f in shipped_frameworks()}
    sf = frameworks["supporting-families-2022"]
    warnings = terms_warnings([sf], D(2026, 12, 7))
    assert len(warnings) == 1
    assert warnings[0].startswith(f"{sf.name}: its term dates end with Summer 2026")
    assert (
        "is judged by the usual English pattern (Autumn 2026, 2026-09-01 to 2026-12-20)"
        in (warnings[0])
    )
    assert terms_warnings([sf], D(2025, 12, 7)) == []
    council = english_terms(2026)
    (judged,) = terms_warnings([sf], D(2026, 12, 7), council)
    assert judged.endswith(
        "is judged by the council's term dates (Autumn 2026, 2026-09-01 to 2026-12-20)"
    )


def test_self_test_warns_when_today_is_outside_a_frameworks_term_dates(tmp_path) -> None:
    from reports.base import FONT_DIR
    from ui.actions.selftest import _program_files, shipped_definitions

    detail = _program_files(FONT_DIR, shipped_definitions())
    sf = next(f for f in shipped_frameworks() if f.id == "supporting-families-2022")
    if terms_warnings([sf], dt.date.today()):
        assert f"warning: {sf.name}: its term dates end with Summer 2026" in detail


def test_a_frameworks_calendar_goes_on_after_its_own_dates() -> None:
    sf = next(f for f in shipped_frameworks() if f.id == "supporting-families-2022")
    own = [t for t in sf.term_calendar if not t.generated]
    assert own[-1].name == "Summer 2026"
    index = sf.term_index_for(D(2026, 12, 7))
    assert index is not None
    term = sf.term_calendar[index]
    assert (term.name, term.start, term.generated) == ("Autumn 2026", D(2026, 9, 1), True)
    assert sf.term_calendar[-1].name == "Summer 2101"
    # In a holiday, the term that ended last, as before.
    summer = sf.term_calendar[sf.term_index_for(D(2026, 8, 10))]
    assert summer.name == "Summer 2026"
