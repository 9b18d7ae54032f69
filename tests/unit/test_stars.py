"""Star instruments, readings, change, stage movement, due dates and outcome evidence."""

import copy
import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

from fmdesk.errors import ValidationError
from fmdesk.stars import (
    DueState,
    Instrument,
    InstrumentCatalogue,
    Participation,
    ReadingStatus,
    StarReading,
    StarReadingEdit,
    StarSchedule,
    builtin_instruments,
    check_reading,
    compare_readings,
    complete_reading,
    delete_reading,
    edit_completed_reading,
    load_instrument,
    new_reading,
    parse_instrument,
    readings_table,
    star_due,
    star_evidence,
    to_plain_instrument,
)

FAMILY = "family-1"
ENGAGED = dt.date(2025, 3, 3)


@pytest.fixture
def star() -> Instrument:
    return InstrumentCatalogue().default


def reading(
    instrument: Instrument,
    scores: list[int],
    taken_on: dt.date,
    *,
    completed: bool = True,
) -> StarReading:
    r = new_reading(instrument, family_id=FAMILY, taken_on=taken_on, taken_by="Zoë Fairweather")
    for area_id, score in zip(instrument.area_ids, scores, strict=True):
        r = r.with_score(area_id, score)
    return complete_reading(r, instrument) if completed else r


def licensed_style_data() -> dict[str, Any]:
    """A made-up instrument shaped like a licensed one: 8 areas on 1–5, wording per score."""
    return {
        "id": "council-licensed-star",
        "version": 3,
        "name": "Council licensed star (test)",
        "licence": "Licensed to the test council; not for redistribution.",
        "scale": {"min": 1, "max": 5},
        "stages": [
            {"name": "Band A", "from": 1, "to": 1},
            {"name": "Band B", "from": 2, "to": 3},
            {"name": "Band C", "from": 4, "to": 5},
        ],
        "areas": [
            {
                "id": f"area-{n}",
                "name": f"Test area {n}",
                "scores": {str(s): f"Wording {n}.{s}" for s in range(1, 6)},
            }
            for n in range(1, 9)
        ],
    }


# ---- instruments ----------------------------------------------------------------------------


def test_our_star_is_the_default_with_ten_areas_on_one_to_ten(star: Instrument) -> None:
    assert star.ref == "family-progress-star@1"
    assert len(star.areas) == 10
    assert (star.scale_min, star.scale_max) == (1, 10)
    covered = [s for band in star.stages for s in range(band.low, band.high + 1)]
    assert covered == list(range(1, 11))
    assert all(area.help for area in star.areas)
    assert star.licence


def test_builtin_instruments_survive_a_round_trip_through_file_data() -> None:
    for instrument in builtin_instruments():
        assert parse_instrument(to_plain_instrument(instrument)) == instrument


@pytest.mark.parametrize(
    ("score", "stage"),
    [(1, 0), (2, 0), (3, 1), (4, 1), (5, 2), (6, 2), (7, 3), (8, 3), (9, 4), (10, 4)],
)
def test_stage_of_each_score_at_band_edges(star: Instrument, score: int, stage: int) -> None:
    assert star.stage_index(score) == stage
    assert star.stage(score) is star.stages[stage]


def test_a_score_off_the_scale_has_no_stage(star: Instrument) -> None:
    with pytest.raises(ValidationError, match="outside"):
        star.stage(11)


def band_error(stages: list[dict[str, Any]]) -> str:
    data = licensed_style_data()
    data["stages"] = stages
    with pytest.raises(ValidationError) as caught:
        parse_instrument(data, source="/somewhere/council-star.json")
    return str(caught.value)


def test_a_gap_between_bands_is_rejected_naming_the_bands_and_scores() -> None:
    message = band_error(
        [
            {"name": "Low", "from": 1, "to": 2},
            {"name": "High", "from": 4, "to": 5},
        ]
    )
    assert message.startswith("council-star.json: ")
    assert '"Low" (1–2)' in message
    assert '"High" (4–5)' in message
    assert "gap" in message
    assert "score 3" in message


def test_overlapping_bands_are_rejected_naming_the_bands_and_shared_scores() -> None:
    message = band_error(
        [
            {"name": "Low", "from": 1, "to": 3},
            {"name": "High", "from": 3, "to": 5},
        ]
    )
    assert 'stages[1] "High" (3–5): overlaps stages[0] "Low" (1–3) at score 3' in message


def test_bands_listed_out_of_order_are_checked_in_score_order() -> None:
    data = licensed_style_data()
    data["stages"] = list(reversed(data["stages"]))
    instrument = parse_instrument(data)
    assert [band.name for band in instrument.stages] == ["Band A", "Band B", "Band C"]


def test_bands_must_reach_both_ends_of_the_scale() -> None:
    low = band_error([{"name": "Most", "from": 2, "to": 5}])
    assert "no band covers score 1" in low
    assert '"Most" (2–5)' in low
    high = band_error([{"name": "Most", "from": 1, "to": 3}])
    assert "no band covers scores 4–5" in high


def test_a_band_beyond_the_scale_or_upside_down_is_rejected() -> None:
    assert "outside the scale (1–5)" in band_error([{"name": "All", "from": 1, "to": 6}])
    message = band_error(
        [{"name": "Odd", "from": 3, "to": 1}, {"name": "Rest", "from": 4, "to": 5}]
    )
    assert '"Odd"' in message
    assert "below 'from'" in message


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda d: d.pop("version"), "version: expected a whole number"),
        (lambda d: d["scale"].update(max=1), "scale: max (1) must be above min (1)"),
        (lambda d: d["areas"][1].update(id="area-1"), "areas[1].id: 'area-1' is used"),
        (lambda d: d["areas"][2]["scores"].update({"9": "x"}), "areas[2].scores: 9 is outside"),
        (lambda d: d["areas"][0].update(name=""), "areas[0].name: missing"),
    ],
)
def test_other_mistakes_in_a_file_name_the_field(change: Any, expected: str) -> None:
    data = copy.deepcopy(licensed_style_data())
    change(data)
    with pytest.raises(ValidationError, match=r"^built-in instrument: ") as caught:
        parse_instrument(data)
    assert expected in str(caught.value)


def test_a_licensed_instrument_from_a_file_replaces_the_default(tmp_path: Path) -> None:
    path = tmp_path / "our-licensed-star.json"
    path.write_text(json.dumps(licensed_style_data()), encoding="utf-8")

    catalogue = InstrumentCatalogue.load([tmp_path])

    licensed = catalogue.default
    assert licensed.ref == "council-licensed-star@3"
    assert licensed.source == str(path)
    assert len(licensed.areas) == 8
    assert (licensed.scale_min, licensed.scale_max) == (1, 5)
    # Our own star stays loaded so readings already taken with it still open.
    assert catalogue.get("family-progress-star@1").name == "Family progress star"
    # A reading taken with it works like any other: scored, staged, described.
    r = reading(licensed, [1, 2, 3, 4, 5, 5, 4, 3], ENGAGED)
    assert r.instrument == "council-licensed-star@3"
    stage, wording = licensed.describe("area-4", 4)
    assert (stage.name, wording) == ("Band C", "Wording 4.4")
    later = reading(licensed, [2, 2, 3, 4, 5, 5, 4, 1], ENGAGED + dt.timedelta(days=84))
    assert compare_readings(licensed, r, later).movement_text() == (
        "1 area moved up a stage, 1 moved down a stage, 6 stayed in the same stage"
    )


def test_a_default_named_in_settings_wins_over_a_loaded_file(tmp_path: Path) -> None:
    path = tmp_path / "licensed.json"
    path.write_text(json.dumps(licensed_style_data()), encoding="utf-8")
    catalogue = InstrumentCatalogue.load([path], default="family-progress-star")
    assert catalogue.default.id == "family-progress-star"
    assert catalogue.get("council-licensed-star").version == 3


def test_a_broken_file_is_reported_with_its_name(tmp_path: Path) -> None:
    path = tmp_path / "broken.json"
    path.write_text('{"id": "x",', encoding="utf-8")
    with pytest.raises(ValidationError, match=r"^broken\.json: not valid JSON"):
        load_instrument(path)
    with pytest.raises(ValidationError, match="Cannot read"):
        load_instrument(tmp_path / "missing.json")


def test_an_unknown_instrument_version_says_what_to_do(star: Instrument) -> None:
    with pytest.raises(ValidationError, match="Ask the coordinator"):
        InstrumentCatalogue().get("family-progress-star@99")


# ---- readings -------------------------------------------------------------------------------


def test_completing_needs_every_area_scored(star: Instrument) -> None:
    draft = new_reading(star, family_id=FAMILY, taken_on=ENGAGED)
    draft = draft.with_score("health", 4, "Registered with a GP this week")
    assert draft.status is ReadingStatus.DRAFT
    with pytest.raises(ValidationError, match="Score every area") as caught:
        complete_reading(draft, star)
    assert "Steps towards work" in str(caught.value)
    assert "Keeping healthy" not in str(caught.value)


def test_a_score_off_the_scale_is_rejected_naming_the_area(star: Instrument) -> None:
    draft = new_reading(star, family_id=FAMILY, taken_on=ENGAGED).with_score("routine", 0)
    with pytest.raises(ValidationError, match="Daily routine: 0 is not on the scale"):
        check_reading(draft, star)


def test_a_reading_round_trips_through_json(star: Instrument) -> None:
    r = reading(star, [3] * 10, ENGAGED).with_score("work", 3, "Siobhán started a course")
    r = r.replace(participation=Participation.PRACTITIONER_ONLY, retrospective=True)
    again = StarReading.from_dict(json.loads(json.dumps(r.to_dict())))
    assert again == r
    assert again.note("work") == "Siobhán started a course"


def test_editing_a_completed_reading_keeps_before_and_after(star: Instrument) -> None:
    original = reading(star, [3] * 10, ENGAGED)
    changed = original.with_score("safety", 5, "Gate fixed").replace(
        taken_on=ENGAGED.replace(day=4)
    )
    at = dt.datetime(2025, 3, 10, 14, 30)

    edited, log = edit_completed_reading(
        original, changed, instrument=star, by="Łukasz Nowak", at=at, reason="Typed 3 for 5"
    )

    assert edited.score("safety") == 5
    assert edited.status is ReadingStatus.COMPLETED
    assert (log.reading_id, log.by, log.at, log.reason) == (
        original.id,
        "Łukasz Nowak",
        at,
        "Typed 3 for 5",
    )
    found = {(c.field, c.area): (c.before, c.after) for c in log.changes}
    assert found == {
        ("taken_on", ""): ("2025-03-03", "2025-03-04"),
        ("score", "safety"): ("3", "5"),
        ("note", "safety"): ("", "Gate fixed"),
    }
    assert StarReadingEdit.from_dict(log.to_dict()) == log


def test_an_edit_needs_a_reason_and_a_change(star: Instrument) -> None:
    original = reading(star, [3] * 10, ENGAGED)
    at = dt.datetime(2025, 3, 10, 9, 0)
    with pytest.raises(ValidationError, match="Say why"):
        edit_completed_reading(
            original, original.with_score("work", 4), instrument=star, by="a", at=at, reason=" "
        )
    with pytest.raises(ValidationError, match="Nothing"):
        edit_completed_reading(original, original, instrument=star, by="a", at=at, reason="x")


def test_deleting_a_reading_needs_a_reason_and_leaves_a_record(star: Instrument) -> None:
    r = reading(star, [3] * 10, ENGAGED)
    at = dt.datetime(2025, 4, 1, 11, 0)
    with pytest.raises(ValidationError, match="Say why"):
        delete_reading(r, by="Zoë", at=at, reason="")
    tombstone, deletion = delete_reading(r, by="Zoë", at=at, reason="Entered on the wrong family")
    assert tombstone.deleted
    assert tombstone.id == r.id
    assert (deletion.reading_id, deletion.reading_taken_on, deletion.reason) == (
        r.id,
        ENGAGED,
        "Entered on the wrong family",
    )
    assert deletion.family_id == FAMILY


# ---- change and stage movement --------------------------------------------------------------


def test_change_and_stage_movement_at_band_edges(star: Instrument) -> None:
    # area:      health wellb feel safe netw learn behav rout home work
    before = [2, 3, 4, 8, 9, 5, 5, 1, 10, 7]
    after = [3, 4, 3, 9, 10, 6, 4, 10, 10, 6]
    first = reading(star, before, ENGAGED)
    latest = reading(star, after, ENGAGED + dt.timedelta(days=84))

    comparison = compare_readings(star, first, latest)

    moves = {a.area: (a.change, a.stage_move) for a in comparison.areas}
    assert moves == {
        "health": (1, 1),  # 2 -> 3 crosses from the first band into the second
        "adult-wellbeing": (1, 0),  # 3 -> 4 stays inside one band
        "childrens-feelings": (-1, 0),
        "safety": (1, 1),  # 8 -> 9
        "support-network": (1, 0),  # 9 -> 10
        "learning": (1, 0),  # 5 -> 6
        "behaviour": (-1, -1),  # 5 -> 4
        "routine": (9, 4),  # bottom to top: four stages
        "home-money": (0, 0),
        "work": (-1, -1),  # 7 -> 6
    }
    assert comparison.moved_up == 3
    assert comparison.moved_down == 2
    assert comparison.same_stage == 5
    assert comparison.movement_text() == (
        "3 areas moved up a stage, 2 moved down a stage, 5 stayed in the same stage"
    )
    assert comparison.total_before == sum(before)
    assert comparison.total_after == sum(after)
    assert comparison.total_change == 11
    assert comparison.average_change == pytest.approx(1.1)


def test_movement_text_for_a_single_area(star: Instrument) -> None:
    first = reading(star, [5] * 10, ENGAGED)
    latest = first.with_score("work", 4)
    assert compare_readings(star, first, latest).movement_text() == (
        "1 area moved down a stage, 9 stayed in the same stage"
    )


def test_an_area_unscored_in_a_draft_is_left_out_of_the_overall_change(star: Instrument) -> None:
    first = reading(star, [5] * 10, ENGAGED)
    draft = first.with_score("work", None).with_score("health", 7)
    comparison = compare_readings(star, first, draft)
    work = next(a for a in comparison.areas if a.area == "work")
    assert work.change is None
    assert work.stage_move == 0
    assert comparison.total_change == 2
    assert comparison.same_stage == 8


def test_readings_over_time_skip_drafts_and_deleted_ones(star: Instrument) -> None:
    first = reading(star, [2] * 10, ENGAGED)
    deleted = reading(star, [9] * 10, ENGAGED + dt.timedelta(days=30)).replace(deleted=True)
    middle = reading(star, [4] * 10, ENGAGED + dt.timedelta(days=84))
    draft = reading(star, [8] * 10, ENGAGED + dt.timedelta(days=170), completed=False)
    latest = reading(star, [5] * 9 + [7], ENGAGED + dt.timedelta(days=168))

    table = readings_table(star, [latest, draft, deleted, middle, first])

    assert [r.taken_on for r in table.readings] == [
        first.taken_on,
        middle.taken_on,
        latest.taken_on,
    ]
    work = next(row for row in table.rows if row.area == "work")
    assert work.scores == (2, 4, 7)
    assert work.change == 5
    assert table.totals == (20, 40, 52)
    assert table.total_change == 32


def test_a_single_reading_has_no_change_yet(star: Instrument) -> None:
    table = readings_table(star, [reading(star, [6] * 10, ENGAGED)])
    assert all(row.change is None for row in table.rows)
    assert table.total_change is None


# ---- due dates ------------------------------------------------------------------------------


def test_first_reading_is_due_from_engagement_for_four_weeks(star: Instrument) -> None:
    assert star_due(None, [], ENGAGED).state is DueState.NOT_DUE
    on_the_day = star_due(ENGAGED, [], ENGAGED)
    assert on_the_day.state is DueState.DUE
    assert on_the_day.label == "Star due"
    assert on_the_day.due_on == ENGAGED + dt.timedelta(days=28)
    assert star_due(ENGAGED, [], ENGAGED + dt.timedelta(days=28)).state is DueState.DUE
    late = star_due(ENGAGED, [], ENGAGED + dt.timedelta(days=29))
    assert late.state is DueState.OVERDUE
    assert late.label == "Star overdue"


def test_reviews_fall_due_every_twelve_weeks_after_the_latest_reading(star: Instrument) -> None:
    taken = ENGAGED + dt.timedelta(days=10)
    done = [reading(star, [5] * 10, taken)]
    due_on = taken + dt.timedelta(days=84)
    assert star_due(ENGAGED, done, ENGAGED + dt.timedelta(days=20)).state is DueState.NOT_DUE
    assert star_due(ENGAGED, done, due_on - dt.timedelta(days=15)).state is DueState.NOT_DUE
    assert star_due(ENGAGED, done, due_on - dt.timedelta(days=14)).state is DueState.DUE
    assert star_due(ENGAGED, done, due_on).due_on == due_on
    assert star_due(ENGAGED, done, due_on + dt.timedelta(days=1)).state is DueState.OVERDUE


def test_a_draft_does_not_count_as_the_reading(star: Instrument) -> None:
    draft = reading(star, [5] * 10, ENGAGED + dt.timedelta(days=3), completed=False)
    assert star_due(ENGAGED, [draft], ENGAGED + dt.timedelta(days=40)).state is DueState.OVERDUE


def test_the_intervals_are_settable(star: Instrument) -> None:
    schedule = StarSchedule(first_within_days=14, every_days=56, notice_days=7)
    assert star_due(ENGAGED, [], ENGAGED + dt.timedelta(days=15), schedule).state is (
        DueState.OVERDUE
    )
    done = [reading(star, [5] * 10, ENGAGED)]
    result = star_due(ENGAGED, done, ENGAGED + dt.timedelta(days=49), schedule)
    assert (result.state, result.due_on) == (DueState.DUE, ENGAGED + dt.timedelta(days=56))


# ---- outcome evidence -----------------------------------------------------------------------


def test_evidence_names_the_latest_completed_reading(star: Instrument) -> None:
    first = reading(star, [3] * 10, ENGAGED)
    latest = reading(star, [3] * 9 + [7], dt.date(2025, 6, 2)).replace(
        participation=Participation.TOGETHER
    )
    evidence = star_evidence(
        [latest, first], area="work", minimum=7, maximum=10, area_name="Steps towards work"
    )
    assert evidence.met
    assert (evidence.reading_id, evidence.taken_on, evidence.score) == (
        latest.id,
        dt.date(2025, 6, 2),
        7,
    )
    assert "Star reading of 2 June 2025" in evidence.text
    assert "Steps towards work scored 7" in evidence.text


def test_evidence_at_the_threshold_edges(star: Instrument) -> None:
    for score, met in ((6, False), (7, True), (10, True)):
        r = reading(star, [5] * 9 + [score], ENGAGED)
        assert star_evidence([r], area="work", minimum=7, maximum=10).met is met
    r = reading(star, [5] * 9 + [9], ENGAGED)
    assert not star_evidence([r], area="work", minimum=7, maximum=8).met


def test_an_earlier_high_score_that_has_fallen_is_not_evidence(star: Instrument) -> None:
    high = reading(star, [8] * 10, ENGAGED)
    fallen = reading(star, [5] * 10, ENGAGED + dt.timedelta(days=84))
    draft = reading(star, [9] * 10, ENGAGED + dt.timedelta(days=90), completed=False)
    evidence = star_evidence([high, fallen, draft], area="behaviour", minimum=7)
    assert not evidence.met
    assert evidence.reading_id == fallen.id
    # As of a date before the fall, the high reading is the latest and counts.
    earlier = star_evidence(
        [high, fallen], area="behaviour", minimum=7, on=ENGAGED + dt.timedelta(days=83)
    )
    assert earlier.met
    assert earlier.reading_id == high.id


def test_no_reading_means_no_evidence(star: Instrument) -> None:
    evidence = star_evidence([], area="work", minimum=7, maximum=10)
    assert not evidence.met
    assert evidence.reading_id == ""
    assert "No completed Star reading" in evidence.text


def test_evidence_can_be_limited_to_one_instrument(star: Instrument) -> None:
    ours = reading(star, [8] * 10, ENGAGED)
    licensed = parse_instrument(licensed_style_data())
    theirs = reading(licensed, [1] * 8, ENGAGED + dt.timedelta(days=1))
    mixed = [ours, theirs]
    assert star_evidence(mixed, area="work", minimum=7, instrument="family-progress-star@1").met
    assert not star_evidence(mixed, area="work", minimum=7).met
