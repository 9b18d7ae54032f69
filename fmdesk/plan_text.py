"""The council's wording on the printed family plan: words for an older child and from what age,
who to call in a crisis, the consent and privacy statement, and what signing means.

Data, not code: fmdesk ships its own plain wording (definitions/plan-text/plan-text.json); a
council keeps its own in the store (`PLAN_TEXT_SETTING`, set with `fmdesk plan text FILE`). Both
are checked against the published schema (definitions/schemas/plan-text.schema.json) first.
"""

import dataclasses
import functools
import json
from collections.abc import Mapping
from importlib import resources
from typing import Any

from fmdesk.schemas import SchemaName, check

# The store setting holding a council's own plan wording (the file's JSON).
PLAN_TEXT_SETTING = "plan.text"
_SHIPPED = ("definitions", "plan-text", "plan-text.json")


@dataclasses.dataclass(frozen=True)
class CrisisContact:
    who: str
    number: str


@dataclasses.dataclass(frozen=True, kw_only=True)
class PlanText:
    older_child_age: int
    older_child_heading: str
    older_child_words: tuple[str, ...]
    crisis_heading: str
    crisis_intro: str
    crisis_contacts: tuple[CrisisContact, ...]
    privacy_heading: str
    privacy_words: tuple[str, ...]
    signing_words: str

    @property
    def older_child_title(self) -> str:
        return self.older_child_heading.replace("{age}", str(self.older_child_age))

    @classmethod
    def shipped(cls) -> "PlanText":
        return _shipped()


def read_plan_text(data: Any, *, source: str) -> PlanText:
    """The wording in `data`, refused (ValidationError naming `source` and the place) when it
    does not fit the schema."""
    check(SchemaName.PLAN_TEXT, data, source=source)
    return PlanText(
        older_child_age=data["older_child_age"],
        older_child_heading=data["older_child_heading"].strip(),
        older_child_words=tuple(p.strip() for p in data["older_child_words"]),
        crisis_heading=data["crisis_heading"].strip(),
        crisis_intro=data["crisis_intro"].strip(),
        crisis_contacts=tuple(
            CrisisContact(c["who"].strip(), c["number"].strip()) for c in data["crisis_contacts"]
        ),
        privacy_heading=data["privacy_heading"].strip(),
        privacy_words=tuple(p.strip() for p in data["privacy_words"]),
        signing_words=data["signing_words"].strip(),
    )


def plan_text_from_setting(saved: Any) -> PlanText:
    """The council's wording kept in the store, else fmdesk's own."""
    if isinstance(saved, Mapping):
        return read_plan_text(saved, source="the council's plan wording")
    return PlanText.shipped()


@functools.cache
def _shipped() -> PlanText:
    entry = resources.files("fmdesk").joinpath(*_SHIPPED)
    return read_plan_text(json.loads(entry.read_text(encoding="utf-8")), source=entry.name)
