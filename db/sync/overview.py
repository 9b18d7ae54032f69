"""Where sync stands: what the Sync page and `fmdesk sync status` show.

`unsent_summary` and `unsent_warning` say what has not reached the other side: when the last
bundle was sent and acknowledged, how many changes wait, and (on a practitioner's laptop) a
warning once a change has waited longer than the council's number of days
(`unsent_warning_days`, default 7). The caseload and the Sync page both show them.

Threading: like the Store, call on its thread.
"""

import dataclasses
import datetime as dt
from typing import NamedTuple

from db.store import Store
from db.sync import quarantine
from db.sync.enrolment import Partner, ReEnrolment, identity, partners, re_enrolments
from db.sync.field_conflicts import open_count
from db.sync.inbox import ImportResult
from db.sync.outbox import unacknowledged
from db.sync.purge import purgeable_families
from db.sync.tables import ACKNOWLEDGED_AT_SETTING, PARTNER_REKEYED_SETTING
from fmdesk import hlc
from fmdesk.errors import UserError
from fmdesk.families import Family
from fmdesk.roles import Role

# After how many days a change not yet acknowledged by the coordinator is warned about. The
# council's number: set with `fmdesk sync warn-after DAYS`.
UNSENT_WARNING_DAYS_SETTING = "sync.unsent_warning_days"
DEFAULT_UNSENT_WARNING_DAYS = 7


@dataclasses.dataclass(frozen=True, kw_only=True)
class PartnerStatus:
    partner: Partner
    pending: int  # records the partner has not acknowledged
    # When the partner's latest acknowledgement of our bundles arrived (UTC); None: never, or
    # before this store kept the time.
    acked_at: str | None = None
    # When the partner's store says it was last re-keyed after a suspected compromise (UTC);
    # None: never, or not said in a bundle yet.
    rekeyed_at: str | None = None

    @property
    def name(self) -> str:
        return self.partner.enrolment.name or self.partner.enrolment.store_id

    @property
    def rekey_warning(self) -> str:
        """What the coordinator should know of the partner's re-key ("" if none)."""
        if not self.rekeyed_at:
            return ""
        return (
            f"{self.name}'s store was re-keyed on {self.rekeyed_at[:10]} after a suspected "
            "compromise: its sync keys were not changed, so treat bundles signed by it before "
            "then with care (docs/recovery.md)"
        )


@dataclasses.dataclass(frozen=True, kw_only=True)
class SyncStatus:
    """What the Sync page and `fmdesk sync status` show."""

    role: Role
    name: str
    fingerprint: str
    partners: tuple[PartnerStatus, ...]
    open_conflicts: int
    quarantined: int  # incoming records rejected and not yet acknowledged by their sender
    purgeable: tuple[Family, ...]
    last_import: ImportResult | None
    # Incoming records refused, newest first (quarantine.held_records), and every partner key
    # replaced, oldest first.
    refused: tuple[quarantine.Quarantined, ...] = ()
    re_enrolments: tuple[ReEnrolment, ...] = ()
    # What has not reached the other side, the council's number of days, and the warning due
    # once a change has waited longer ("" when none is: always on a coordinator's store).
    unsent: "UnsentSummary | None" = None
    warn_after_days: int = DEFAULT_UNSENT_WARNING_DAYS
    unsent_warning: str = ""


def status(store: Store) -> SyncStatus:
    me = identity(store)
    with store.transaction():
        acked = _acked_at(store)
        rekeyed = _by_partner(store, PARTNER_REKEYED_SETTING)
        known = tuple(
            PartnerStatus(
                partner=p,
                pending=len(unacknowledged(store, p.enrolment.store_id)),
                acked_at=acked.get(p.enrolment.store_id),
                rekeyed_at=rekeyed.get(p.enrolment.store_id),
            )
            for p in partners(store)
        )
        open_conflicts = open_count(store)
        quarantined = quarantine.held_count(store)
        last = store.db.execute(
            "SELECT summary FROM sync_imported ORDER BY imported_at DESC, rowid DESC LIMIT 1"
        ).fetchone()
        refused = tuple(quarantine.held_records(store))
        replaced = tuple(re_enrolments(store))
    return SyncStatus(
        role=store.info.role,
        name=store.info.owner_name,
        fingerprint=me.fingerprint,
        partners=known,
        open_conflicts=open_conflicts,
        quarantined=quarantined,
        purgeable=tuple(purgeable_families(store)),
        last_import=ImportResult.from_json(last[0]) if last else None,
        refused=refused,
        re_enrolments=replaced,
        unsent=unsent_summary(store),
        warn_after_days=unsent_warning_days(store),
        unsent_warning=unsent_warning(store),
    )


def _acked_at(store: Store) -> dict[str, str]:
    return _by_partner(store, ACKNOWLEDGED_AT_SETTING)


def _by_partner(store: Store, setting: str) -> dict[str, str]:
    saved = store.get_setting(setting, {})
    return {k: v for k, v in saved.items() if isinstance(v, str)} if isinstance(saved, dict) else {}


class UnsentSummary(NamedTuple):
    """What has not reached the other side. On a practitioner's laptop the other side is its
    coordinator; on a coordinator's store, the latest of its practitioners and the sum of
    what each lacks. Times are in UTC; None for never."""

    last_sent: dt.datetime | None
    last_acked: dt.datetime | None  # when the latest acknowledgement of our bundles arrived
    waiting: int  # changes made or taken here that the other side has not acknowledged


def unsent_summary(store: Store) -> UnsentSummary:
    """(last sent, last acknowledged, how many changes wait). With no partner enrolled every
    record made here waits: nothing has left this computer."""
    with store.transaction():
        known = partners(store)
        if not known:
            waiting = store.db.execute("SELECT count(*) FROM records WHERE deleted = 0").fetchone()[
                0
            ]
            return UnsentSummary(None, None, waiting)
        acked = _acked_at(store)
        waiting = sum(len(unacknowledged(store, p.enrolment.store_id)) for p in known)
    sent = [_time(p.last_sent_at) for p in known]
    acks = [_time(acked.get(p.enrolment.store_id)) for p in known]
    return UnsentSummary(
        max((t for t in sent if t), default=None),
        max((t for t in acks if t), default=None),
        waiting,
    )


def oldest_waiting(store: Store) -> dt.datetime | None:
    """When the oldest change the other side has not acknowledged was made (by its revision),
    or None when nothing waits."""
    with store.transaction():
        known = partners(store)
        if known:
            revisions = [
                body["revision"]
                for p in known
                for _, body, _ in unacknowledged(store, p.enrolment.store_id)
            ]
            oldest = min(revisions, default=None)
        else:
            oldest = store.db.execute(
                "SELECT min(revision) FROM records WHERE deleted = 0"
            ).fetchone()[0]
    if not oldest or not hlc.is_revision(oldest):
        return None
    return dt.datetime.fromtimestamp(hlc.parse(oldest).millis / 1000, dt.UTC)


def unsent_warning_days(store: Store) -> int:
    value = store.get_setting(UNSENT_WARNING_DAYS_SETTING, DEFAULT_UNSENT_WARNING_DAYS)
    return value if isinstance(value, int) and value > 0 else DEFAULT_UNSENT_WARNING_DAYS


def set_unsent_warning_days(store: Store, days: int) -> None:
    if not 1 <= days <= 365:
        raise UserError("Say a number of days from 1 to 365 after which to warn.")
    store.set_setting(UNSENT_WARNING_DAYS_SETTING, days)


def unsent_warning(store: Store, *, now: dt.datetime | None = None) -> str:
    """On a practitioner's laptop, the warning to show once a change has waited more than
    `unsent_warning_days` to reach the coordinator; "" when none is due (and always on a
    coordinator's store, whose Sync page lists what each practitioner lacks)."""
    if store.info.role is not Role.PRACTITIONER:
        return ""
    summary = unsent_summary(store)
    oldest = oldest_waiting(store)
    days = unsent_warning_days(store)
    now = now or dt.datetime.now(dt.UTC)
    if not summary.waiting or oldest is None or now - oldest < dt.timedelta(days=days):
        return ""
    age = (now - oldest).days
    changes = "1 change" if summary.waiting == 1 else f"{summary.waiting} changes"
    have = "has" if summary.waiting == 1 else "have"
    if not partners(store):
        return (
            f"{changes} made on this laptop {have} reached nobody: no coordinator is enrolled. "
            f"The oldest is {age} days old. Enrol your coordinator on the Sync page."
        )
    if summary.last_sent is None:
        sent = "no bundle has been sent yet"
    else:
        sent = f"the last bundle was sent on {day_text(summary.last_sent)}"
        sent += (
            f" and the coordinator last acknowledged one on {day_text(summary.last_acked)}"
            if summary.last_acked
            else ", and the coordinator has not acknowledged one yet"
        )
    return (
        f"{changes} {have} not reached the coordinator: the oldest was made {age} days ago, and "
        f"{sent}. Send the coordinator a bundle (Sync page, or 'fmdesk bundle export')."
    )


def day_text(at: dt.datetime) -> str:
    """'3 December 2026' (UTC)."""
    return f"{at.day} {at:%B %Y}"


def _time(text: object) -> dt.datetime | None:
    if not isinstance(text, str) or not text:
        return None
    try:
        at = dt.datetime.fromisoformat(text)
    except ValueError:
        return None
    return at if at.tzinfo else at.replace(tzinfo=dt.UTC)
