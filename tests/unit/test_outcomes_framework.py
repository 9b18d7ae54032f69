"""Framework files: the shipped ones load, broken ones are refused naming the field, and
versions live side by side so a family keeps the rules it was attached under."""

import copy
import json
from importlib import resources
from pathlib import Path
from typing import Any

import pytest

from fmdesk.errors import ValidationError
from fmdesk.families import Family
from fmdesk.outcomes import (
    FrameworkLibrary,
    FrameworkNotFound,
    attach_framework,
    load_framework,
    parse_framework,
    shipped_frameworks,
)
from fmdesk.outcomes.framework import AttendanceTest, Comparison, EmploymentTest, FallTest

SHIPPED = (
    "families-matter-2015.json",
    "supporting-families-2022.json",
    "troubled-families-2012.json",
)


def shipped_data(name: str) -> dict[str, Any]:
    folder = resources.files("fmdesk").joinpath("definitions", "frameworks")
    return json.loads(folder.joinpath(name).read_text(encoding="utf-8"))


@pytest.mark.parametrize("name", SHIPPED)
def test_each_shipped_framework_validates(name: str) -> None:
    framework = parse_framework(shipped_data(name), name)
    assert framework.problems
    assert framework.term_calendar


def test_the_shipped_set_is_found_by_the_library() -> None:
    refs = [f.ref for f in FrameworkLibrary.shipped().all()]
    assert refs == [
        "families-matter@2015.1",
        "supporting-families-2022@1",
        "troubled-families-2012@1",
    ]
    assert len(shipped_frameworks()) == len(SHIPPED)


def test_families_matter_has_every_indicator_and_outcome_of_the_plan() -> None:
    framework = FrameworkLibrary.shipped().get("families-matter@2015.1")
    indicators = {p.code: "".join(i.code[-1] for i in p.indicators) for p in framework.problems}
    assert indicators == {
        "1": "ABCDEFG",
        "2": "ABCDEFGH",
        "3": "ABCDEFGHIJ",
        "4": "ABCDE",
        "5": "ABC",
        "6": "ABCDEF",
    }
    outcomes = [o.code for p in framework.problems for o in p.outcomes]
    expected = (
        [f"1.{n}" for n in range(1, 6)]
        + [f"2.{n}" for n in range(1, 4)]
        + [f"3.{n}" for n in range(1, 10)]
        + [f"4.{n}" for n in range(1, 9)]
        + ["4.8b", "5.1", "5.2"]
        + [f"6.{n}" for n in range(1, 14)]
    )
    assert outcomes == expected
    for problem in framework.problems:
        for outcome in problem.outcomes:
            assert outcome.evidence, f"{outcome.code} has no evidence sources"
    # The thresholds the plan states, as data.
    _, attendance = framework.outcome("2.2")
    assert attendance.test == AttendanceTest(min_percent=90, max_exclusions=2)
    _, asb = framework.outcome("1.3")
    assert isinstance(asb.test, FallTest)
    assert asb.test.min_fall_percent == 60
    _, employment = framework.outcome("4.1")
    assert isinstance(employment.test, EmploymentTest)
    assert employment.test.weeks_by_benefit["uc"] == 13
    assert framework.claim.alternative_routes[0].outcome == "4.1"


def test_the_2012_results_and_the_2022_framework_keep_their_rules() -> None:
    library = FrameworkLibrary.shipped()
    phase1 = library.get("troubled-families-2012@1")
    _, school = phase1.outcome("2.1")
    assert school.test == AttendanceTest(
        min_percent=85, comparison=Comparison.OVER, max_exclusions=2
    )
    assert [r.name for r in phase1.claim.alternative_routes] == ["Continuous employment"]
    sf = library.get("supporting-families-2022@1")
    assert len(sf.problems) == 10
    assert sf.eligibility.min == 3
    assert not sf.claim.alternative_routes  # no employment route
    assert {o.period.count for p in sf.problems for o in p.outcomes} == {6}


def broken(change: str) -> dict[str, Any]:
    """A copy of the Families Matter file with one thing wrong."""
    data = copy.deepcopy(shipped_data("families-matter-2015.json"))
    outcome = data["problems"][2]["outcomes"][0]
    if change == "period count":
        outcome["period"] = {"unit": "months", "count": 0}
    elif change == "period unit":
        outcome["period"] = {"unit": "fortnights", "count": 2}
    elif change == "misspelt threshold":
        data["problems"][1]["outcomes"][0]["test"]["min_percnt"] = 90
    elif change == "threshold out of range":
        data["problems"][1]["outcomes"][0]["test"]["min_percent"] = 190
    elif change == "indicator code":
        data["problems"][0]["indicators"][1]["code"] = "2B"
    elif change == "unknown indicator":
        outcome["indicators"] = ["3A", "3Z"]
    elif change == "duplicate outcome":
        data["problems"][2]["outcomes"][1]["code"] = "3.1"
    elif change == "route":
        data["claim"]["alternative_routes"][0]["outcome"] = "9.9"
    elif change == "overlapping terms":
        data["term_calendar"][1]["start"] = data["term_calendar"][0]["start"]
    elif change == "fall on attendance":
        data["problems"][0]["outcomes"][2]["test"]["measure"] = "attendance"
    elif change == "missing name":
        del data["problems"][4]["name"]
    return data


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ("period count", "problems[2].outcomes[0].period.count", "whole number of at least 1"),
        ("period unit", "problems[2].outcomes[0].period.unit", "'fortnights' is not one of"),
        ("misspelt threshold", "problems[1].outcomes[0].test.min_percnt", "unknown field"),
        ("threshold out of range", "problems[1].outcomes[0].test.min_percent", "from 0 to 100"),
        ("indicator code", "problems[0].indicators[1].code", "not a code like 1A"),
        ("unknown indicator", "problems[2].outcomes[0].indicators[1]", "'3Z' is not an indicator"),
        ("duplicate outcome", "problems[2].outcomes[1].code", "used twice"),
        ("route", "claim.alternative_routes[0].outcome", "'9.9' is not an outcome"),
        ("overlapping terms", "term_calendar[1].start", "not overlap"),
        ("fall on attendance", "problems[0].outcomes[2].test.measure", "measured on a count"),
        ("missing name", "problems[4].name", "missing"),
    ],
)
def test_a_malformed_framework_names_the_file_and_field(
    change: str, field: str, message: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        parse_framework(broken(change), "my-plan.json")
    assert str(caught.value).startswith(f"my-plan.json: {field}: ")
    assert message in str(caught.value)


def test_a_file_that_is_not_json_gives_the_line(tmp_path: Path) -> None:
    path = tmp_path / "council.json"
    path.write_text('{\n  "format": 1,\n  "id": "x",,\n}\n', encoding="utf-8")
    with pytest.raises(ValidationError, match=r"council.json: line 3, column 13: not valid JSON"):
        load_framework(path)


def test_a_newer_format_is_refused_plainly() -> None:
    data = shipped_data("supporting-families-2022.json")
    data["format"] = 2
    with pytest.raises(ValidationError, match="newer fmdesk"):
        parse_framework(data, "sf.json")


def test_a_council_file_loads_from_any_path(tmp_path: Path) -> None:
    data = shipped_data("supporting-families-2022.json")
    data["id"] = "our-council"
    data["name"] = "Our council's outcome plan"
    path = tmp_path / "ours.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    assert load_framework(path).ref == "our-council@1"


def test_versions_sit_side_by_side_and_a_family_keeps_its_own() -> None:
    first = parse_framework(shipped_data("troubled-families-2012.json"))
    newer_data = shipped_data("troubled-families-2012.json")
    newer_data["version"] = "2"
    newer = parse_framework(newer_data)
    library = FrameworkLibrary([newer, first])
    assert library.latest("troubled-families-2012") is newer
    family = attach_framework(Family(reference="RO-1", name="Case study"), first)
    assert library.for_family(family) is first
    with pytest.raises(ValidationError, match="on purpose"):
        attach_framework(family, newer)
    assert attach_framework(family, newer, replace=True).framework == "troubled-families-2012@2"


def test_a_changed_file_under_the_same_version_is_refused() -> None:
    data = shipped_data("troubled-families-2012.json")
    library = FrameworkLibrary([parse_framework(data)])
    data["name"] = "Edited without a new version"
    with pytest.raises(ValidationError, match="new version"):
        library.add(parse_framework(data))


def test_a_missing_version_says_so() -> None:
    family = Family(reference="FM-9", name="Kowalczyk", framework="families-matter@1999.1")
    with pytest.raises(FrameworkNotFound, match=r"families-matter@1999\.1 is not loaded"):
        FrameworkLibrary.shipped().for_family(family)
