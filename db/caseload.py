"""What the caseload shows after its rows: what is due and late for each family, who holds each
family (on a coordinator's store), and what has not yet reached the other side.

The rules are the core's (fmdesk/caseload.py: `action_items`, `review_item`, `consent_items`,
the Star schedule); this module only reads what they need, in SQL, so no plan, consent or
reading is decoded as a record: one current plan body per family and a few columns of the rest.

Threading: like the Store, call on its thread.
"""

import dataclasses
import datetime as dt
import json
from collections import defaultdict

from db import allocation, sync
from db.stars import star_schedule
from db.store import Store
from fmdesk.caseload import (
    CONSENT_RENEW_DAYS,
    DueItem,
    DueKind,
    DueSummary,
    action_items,
    consent_items,
    review_item,
    sync_line,
)
from fmdesk.errors import UserError
from fmdesk.families import ConsentKind, Family, FamilyStatus, StatusChange
from fmdesk.plans import ActionStatus, FamilyPlan
from fmdesk.roles import Role
from fmdesk.stars import ReadingStatus, StarReading, star_due_after
from fmdesk.taf import TafMeeting

# The council's number of days after which consent is asked for again (default a year).
CONSENT_RENEW_SETTING = "consent.renew_after_days"

# Families with nothing to do: closed, refused, reassigned away, or not yet worked with.
_WORKED_WITH = {FamilyStatus.ALLOCATED, FamilyStatus.ENGAGED, FamilyStatus.ACTIVE}


@dataclasses.dataclass(frozen=True)
class CaseloadExtras:
    role: Role
    due: dict[str, DueSummary]  # family id → what is due
    practitioners: dict[str, str]  # family id → who holds it (coordinator's store only)
    sync_line: str  # when the last bundle went, was acknowledged, and what waits
    sync_warning: str  # the council's warning once changes have waited too long; "" if not


def consent_renew_days(store: Store) -> int:
    value = store.get_setting(CONSENT_RENEW_SETTING, CONSENT_RENEW_DAYS)
    return value if isinstance(value, int) and value > 0 else CONSENT_RENEW_DAYS


def set_consent_renew_days(store: Store, days: int) -> None:
    if not 30 <= days <= 1095:
        raise UserError("Say a number of days from 30 to 1095 after which consent is renewed.")
    store.set_setting(CONSENT_RENEW_SETTING, days)


def caseload_extras(store: Store, on: dt.date, *, now: dt.datetime | None = None) -> CaseloadExtras:
    """Everything the caseload shows after its rows, as on `on` (and `now`, for the sync
    warning; default this moment)."""
    families = store.list(Family)
    coordinator = store.info.role is Role.COORDINATOR
    summary = sync.unsent_summary(store)
    return CaseloadExtras(
        role=store.info.role,
        due=due_by_family(store, families, on),
        practitioners=practitioners(store, families) if coordinator else {},
        sync_line=sync_line(*summary, coordinator=coordinator),
        sync_warning=sync.unsent_warning(store, now=now),
    )


def practitioners(store: Store, families: list[Family]) -> dict[str, str]:
    """Family id → the practitioner holding it: the enrolled practitioner's name, else the
    family's lead practitioner; "" when nobody holds it yet."""
    names = {p.enrolment.store_id: p.enrolment.name for p in sync.partners(store)}
    holders = allocation.family_holders(store)
    return {f.id: names.get(holders.get(f.id, ""), "") or f.lead_practitioner for f in families}


def due_by_family(store: Store, families: list[Family], on: dt.date) -> dict[str, DueSummary]:
    working = {f.id: f for f in families if f.status in _WORKED_WITH and f.withdrawn_on is None}
    items: dict[str, list[DueItem]] = defaultdict(list)
    for family in working.values():
        if family.next_action_due is not None:
            items[family.id].append(
                DueItem(family.next_action_due, DueKind.ACTION, family.next_action)
            )
    db = store.db
    last_meeting = {
        family_id: dt.date.fromisoformat(held)
        for family_id, held in db.execute(
            "SELECT family_id, max(body ->> '$.held_on') FROM records "
            "WHERE kind = ? AND deleted = 0 GROUP BY family_id",
            [TafMeeting.KIND],
        )
    }
    # Each family's current plan version: SQLite takes the bare column from the max row.
    for family_id, body, _ in db.execute(
        "SELECT family_id, body, max(CAST(body ->> '$.version' AS INTEGER)) FROM records "
        "WHERE kind = ? AND deleted = 0 GROUP BY family_id",
        [FamilyPlan.KIND],
    ):
        if family_id not in working:
            continue
        plan = json.loads(body)
        actions = [
            (a["what"], dt.date.fromisoformat(a["by_when"]), ActionStatus(a["status"]))
            for g in plan.get("goals", [])
            for a in g.get("actions", [])
        ]
        items[family_id] += action_items(actions)
        made_on = dt.date.fromisoformat(plan["made_on"])
        met = last_meeting.get(family_id)
        next_review = plan.get("next_review")
        items[family_id] += review_item(
            dt.date.fromisoformat(next_review) if next_review else None,
            max(made_on, met) if met else made_on,
        )
    renew = consent_renew_days(store)
    consents: dict[str, list[tuple[ConsentKind, dt.date, dt.date | None]]] = defaultdict(list)
    for family_id, kind, given, withdrawn in db.execute(
        "SELECT family_id, body ->> '$.kind', body ->> '$.given_on', body ->> '$.withdrawn_on' "
        "FROM records WHERE kind = 'consent' AND deleted = 0"
    ):
        if family_id in working:
            consents[family_id].append(
                (
                    ConsentKind(kind),
                    dt.date.fromisoformat(given),
                    dt.date.fromisoformat(withdrawn) if withdrawn else None,
                )
            )
    for family_id, held in consents.items():
        items[family_id] += consent_items(held, on, renew_after_days=renew)
    items_star(store, working, on, items)
    return {fid: DueSummary(tuple(sorted(found)), on) for fid, found in items.items()}


def items_star(
    store: Store, working: dict[str, Family], on: dt.date, items: dict[str, list[DueItem]]
) -> None:
    """The next Star reading of each engaged or active family (fmdesk/stars/schedule.py)."""
    schedule = star_schedule(store)
    engaged_on = {
        family_id: dt.date.fromisoformat(day)
        for family_id, day in store.db.execute(
            "SELECT family_id, max(body ->> '$.on') FROM records "
            "WHERE kind = ? AND deleted = 0 AND body ->> '$.to_status' = ? GROUP BY family_id",
            [StatusChange.KIND, FamilyStatus.ENGAGED.value],
        )
    }
    latest = {
        family_id: dt.date.fromisoformat(day)
        for family_id, day in store.db.execute(
            "SELECT family_id, max(body ->> '$.taken_on') FROM records "
            "WHERE kind = ? AND deleted = 0 AND body ->> '$.status' = ? GROUP BY family_id",
            [StarReading.KIND, ReadingStatus.COMPLETED.value],
        )
    }
    for family_id, family in working.items():
        if family.status not in (FamilyStatus.ENGAGED, FamilyStatus.ACTIVE):
            continue
        due = star_due_after(engaged_on.get(family_id), latest.get(family_id), on, schedule)
        if due.due_on is not None:
            items[family_id].append(DueItem(due.due_on, DueKind.STAR))
