"""A Star reading as outcome evidence: does the latest reading score an area high enough?"""

import dataclasses
import datetime as dt
from collections.abc import Iterable

from fmdesk.stars.instrument import split_ref
from fmdesk.stars.reading import StarReading, completed_readings


@dataclasses.dataclass(frozen=True, kw_only=True)
class StarEvidence:
    met: bool
    area: str
    minimum: int
    maximum: int | None
    reading_id: str = ""  # the latest completed reading; "" when there is none
    taken_on: dt.date | None = None
    score: int | None = None
    text: str = ""  # a sentence naming the reading, for the outcome's evidence field


def star_evidence(
    readings: Iterable[StarReading],
    *,
    area: str,
    minimum: int,
    maximum: int | None = None,
    instrument: str = "",
    on: dt.date | None = None,
    area_name: str = "",
) -> StarEvidence:
    """Whether the latest completed reading (taken on or before `on`; of instrument id
    `instrument` if given) scores `area` within minimum..maximum, naming that reading.

    An outcome such as "7–10 on the Star in progress to work" calls this with area="work",
    minimum=7, maximum=10. Only the latest reading counts: an earlier high score that has since
    fallen is not evidence.
    """
    instrument_id = split_ref(instrument)[0] if instrument else ""
    done = [
        r for r in completed_readings(readings, instrument_id) if on is None or r.taken_on <= on
    ]
    wanted = f"{minimum}–{maximum}" if maximum is not None else f"{minimum} or more"
    label = area_name or area
    if not done:
        return StarEvidence(
            met=False,
            area=area,
            minimum=minimum,
            maximum=maximum,
            text=f"No completed Star reading yet ({label}: {wanted} needed).",
        )
    latest = done[-1]
    score = latest.score(area)
    met = score is not None and score >= minimum and (maximum is None or score <= maximum)
    scored = "not scored" if score is None else f"scored {score}"
    return StarEvidence(
        met=met,
        area=area,
        minimum=minimum,
        maximum=maximum,
        reading_id=latest.id,
        taken_on=latest.taken_on,
        score=score,
        text=(
            f"Star reading of {latest.taken_on.day} {latest.taken_on:%B %Y} "
            f"({latest.participation.label.lower()}): {label} {scored}; {wanted} needed."
        ),
    )
