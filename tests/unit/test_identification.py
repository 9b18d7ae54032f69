"""Indicators decided by the data (fmdesk/identification.py): thresholds read from the framework
file and checked against it, their boundaries and windows, and local filters named (issue 17)."""

import datetime as dt

import pytest

from fmdesk.errors import ValidationError
from fmdesk.families import Family, Person, PersonRole
from fmdesk.identification import (
    find,
    framework_terms,
    local_filter_codes,
    parse_thresholds,
    shipped_content,
    thresholds_of,
)
from fmdesk.outcomes import Measure, MeasureKind, shipped_frameworks

FRAMEWORKS = {f.id: f for f in shipped_frameworks()}
TF = FRAMEWORKS["troubled-families-2012"]
FAMILY = Family(reference="K-1", name="Nowak family")
CHILD = Person(family_id=FAMILY.id, role=PersonRole.CHILD, given_name="Kuba", family_name="Nowak")
ADULT = Person(
    family_id=FAMILY.id, role=PersonRole.PARENT_CARER, given_name="Zofia", family_name="Nowak"
)
DAY = dt.date(2026, 12, 7)


def tf_findings(*measures: Measure) -> set[str]:
    rules = thresholds_of(shipped_content(TF.ref) or {}, TF)
    found = find(rules, [CHILD, ADULT], measures, as_at=DAY, terms=framework_terms(TF))
    return {f.threshold.indicator for f in found}


def attendance(value: float, on: dt.date = dt.date(2026, 7, 17)) -> Measure:
    return Measure(
        family_id=FAMILY.id, kind=MeasureKind.ATTENDANCE, value=value, on=on, person_id=CHILD.id
    )


def test_every_shipped_framework_has_thresholds_that_name_its_own_indicators() -> None:
    for framework in FRAMEWORKS.values():
        assert thresholds_of(shipped_content(framework.ref) or {}, framework), framework.ref


def test_attendance_of_85_percent_or_less_ticks_2c_and_85_point_1_does_not() -> None:
    assert "2C" in tf_findings(attendance(85.0))
    assert "2C" not in tf_findings(attendance(85.1))


def test_a_figure_outside_the_window_ticks_nothing() -> None:
    old_term = attendance(60, on=dt.date(2025, 3, 28))  # four terms before the autumn of 2026
    assert tf_findings(old_term) == set()
    offence = Measure(
        family_id=FAMILY.id,
        kind=MeasureKind.OFFENCES,
        value=1,
        on=dt.date(2025, 11, 30),  # 12 months and a week before
        period_start=dt.date(2025, 6, 1),
        person_id=CHILD.id,
    )
    assert tf_findings(offence) == set()
    recent = Measure(
        family_id=FAMILY.id,
        kind=MeasureKind.OFFENCES,
        value=1,
        on=dt.date(2026, 6, 30),
        period_start=dt.date(2026, 1, 1),
        person_id=CHILD.id,
    )
    assert tf_findings(recent) == {"1A"}
    # An adult's offence does not tick "a child under 18 with a proven offence".
    assert tf_findings(recent.replace(person_id=ADULT.id)) == set()


def test_a_threshold_for_an_indicator_the_framework_lacks_is_refused() -> None:
    with pytest.raises(ValidationError, match="'9Z' is not an indicator of the file"):
        parse_thresholds(
            [{"indicator": "9Z", "measure": "offences", "at_least": 1, "months": 12}], TF, "my.json"
        )
    with pytest.raises(ValidationError, match="give one of below, at_most and at_least"):
        parse_thresholds(
            [{"indicator": "1A", "measure": "offences", "below": 1, "at_least": 1, "months": 6}],
            TF,
        )


def test_local_filters_are_named_by_the_eligibility_rule() -> None:
    assert local_filter_codes(TF) == frozenset({"L"})
    assert local_filter_codes(FRAMEWORKS["families-matter"]) == frozenset()
