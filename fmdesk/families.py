"""Families, the people in and around them, consent, case notes and the family's status.

A family moves identified → allocated → engaged (or refused) → active → closed, and a closed
family can be reopened with a reason. `change_status` is the only way to move it, so every move is
checked and leaves a StatusChange record for the timeline and the programme's figures.
"""

import dataclasses
import datetime as dt
import enum
from collections.abc import Iterable
from typing import ClassVar

from fmdesk import references
from fmdesk.errors import ValidationError
from fmdesk.records import Record, record_kind


class FamilyStatus(enum.StrEnum):
    IDENTIFIED = "identified"
    ALLOCATED = "allocated"
    ENGAGED = "engaged"
    REFUSED = "refused"
    ACTIVE = "active"
    CLOSED = "closed"

    @property
    def label(self) -> str:
        return self.value.capitalize()


class ClosureReason(enum.StrEnum):
    NEEDS_MET = "needs_met"
    STEPPED_DOWN = "stepped_down"
    STEPPED_UP = "stepped_up"
    MOVED_AWAY = "moved_away"
    DISENGAGED = "disengaged"

    @property
    def label(self) -> str:
        return CLOSURE_LABELS[self]


CLOSURE_LABELS = {
    ClosureReason.NEEDS_MET: "Needs met",
    ClosureReason.STEPPED_DOWN: "Stepped down to universal services",
    ClosureReason.STEPPED_UP: "Stepped up to children's social care",
    ClosureReason.MOVED_AWAY: "Moved away",
    ClosureReason.DISENGAGED: "Family disengaged or withdrew consent",
}


class Intensity(enum.StrEnum):
    HIGH = "high"
    MEDIUM = "medium"
    STANDARD = "standard"

    @property
    def label(self) -> str:
        return self.value.capitalize()


class ReferralSource(enum.StrEnum):
    """Where the family came to the programme from ("" when not recorded)."""

    NOT_RECORDED = ""
    DATA_MATCHING = "data_matching"
    SOCIAL_CARE_STEP_DOWN = "social_care_step_down"
    SCHOOL = "school"
    POLICE = "police"
    HEALTH = "health"
    HOUSING = "housing"
    EMPLOYMENT = "employment"
    EARLY_HELP = "early_help"
    FAMILY = "family"
    OTHER = "other"

    @property
    def label(self) -> str:
        return REFERRAL_LABELS[self]


REFERRAL_LABELS = {
    ReferralSource.NOT_RECORDED: "Not recorded",
    ReferralSource.DATA_MATCHING: "Identified from the council's data",
    ReferralSource.SOCIAL_CARE_STEP_DOWN: "Stepped down from children's social care",
    ReferralSource.SCHOOL: "School or college",
    ReferralSource.POLICE: "Police or youth offending",
    ReferralSource.HEALTH: "Health services",
    ReferralSource.HOUSING: "Housing",
    ReferralSource.EMPLOYMENT: "Jobcentre Plus or an employment service",
    ReferralSource.EARLY_HELP: "Early help or a children's centre",
    ReferralSource.FAMILY: "The family itself",
    ReferralSource.OTHER: "Another agency",
}


class DeliveredBy(enum.StrEnum):
    """Who works with the family: the programme's core team, intensively, or a worker in the
    wider network (a social worker, an education welfare officer...)."""

    NOT_RECORDED = ""
    CORE_TEAM = "core_team"
    WIDER_NETWORK = "wider_network"

    @property
    def label(self) -> str:
        return {
            "": "Not recorded",
            "core_team": "The core team, intensively",
            "wider_network": "The wider network",
        }[self.value]


class Tenure(enum.StrEnum):
    NOT_RECORDED = ""
    COUNCIL = "council"
    HOUSING_ASSOCIATION = "housing_association"
    PRIVATE_RENTED = "private_rented"
    OWNER_OCCUPIER = "owner_occupier"
    TEMPORARY = "temporary"
    OTHER = "other"

    @property
    def label(self) -> str:
        return {
            "": "Not recorded",
            "council": "Council tenant",
            "housing_association": "Housing association tenant",
            "private_rented": "Private rented",
            "owner_occupier": "Owner occupier",
            "temporary": "Temporary accommodation",
            "other": "Other housing",
        }[self.value]


class PastOrPresent(enum.StrEnum):
    """A characteristic of the family, past or present ("" when not recorded)."""

    NOT_RECORDED = ""
    YES = "yes"
    NO = "no"

    @property
    def label(self) -> str:
        return {"": "Not recorded", "yes": "Yes, past or present", "no": "No"}[self.value]


# Which moves are allowed. Closing is possible from anywhere but closed; reopening needs a reason.
TRANSITIONS: dict[FamilyStatus, frozenset[FamilyStatus]] = {
    FamilyStatus.IDENTIFIED: frozenset({FamilyStatus.ALLOCATED, FamilyStatus.CLOSED}),
    FamilyStatus.ALLOCATED: frozenset(
        {FamilyStatus.ENGAGED, FamilyStatus.REFUSED, FamilyStatus.CLOSED}
    ),
    FamilyStatus.ENGAGED: frozenset({FamilyStatus.ACTIVE, FamilyStatus.CLOSED}),
    FamilyStatus.REFUSED: frozenset({FamilyStatus.ALLOCATED, FamilyStatus.CLOSED}),
    FamilyStatus.ACTIVE: frozenset({FamilyStatus.CLOSED}),
    FamilyStatus.CLOSED: frozenset({FamilyStatus.ACTIVE}),
}


@record_kind
@dataclasses.dataclass(frozen=True, kw_only=True)
class Family(Record):
    KIND: ClassVar[str] = "family"

    reference: str
    name: str
    status: FamilyStatus = FamilyStatus.IDENTIFIED
    closure_reason: ClosureReason | None = None
    intensity: Intensity = Intensity.STANDARD
    address: str = ""
    postcode: str = ""
    lead_practitioner: str = ""
    # The practitioner store this family is allocated to (coordinator side); "" if none.
    allocated_to: str = ""
    identified_on: dt.date | None = None
    next_action: str = ""
    next_action_due: dt.date | None = None
    # "id@version" of the outcomes framework the family was attached under; it keeps that one.
    framework: str = ""
    # Set only in a practitioner's own store, when the coordinator has reassigned the family to
    # another practitioner (db/sync.py): the family is then read-only there until it is purged.
    # Local to that store: never sent in a bundle (LOCAL_FIELDS), never taken from one.
    withdrawn_on: dt.date | None = None
    withdrawn_reason: str = ""
    # The council's own id for the family in its case system (Liquidlogic EHM, Mosaic...), when
    # it has one: beside the reference, never instead of it (fmdesk/references.py).
    case_id: str = ""
    # References the family had before a rename (a reference two families shared, put right):
    # kept so that a search for one on paper still finds it.
    former_references: tuple[str, ...] = ()
    # What the council's papers count the family by (the programme dashboard): where it was
    # referred from, the agency or team leading the work, whether the core team or the wider
    # network works with it, and its housing, domestic abuse and social care history.
    referral_source: ReferralSource = ReferralSource.NOT_RECORDED
    lead_agency: str = ""
    delivered_by: DeliveredBy = DeliveredBy.NOT_RECORDED
    tenure: Tenure = Tenure.NOT_RECORDED
    domestic_abuse: PastOrPresent = PastOrPresent.NOT_RECORDED
    known_to_social_care: PastOrPresent = PastOrPresent.NOT_RECORDED

    LOCAL_FIELDS: ClassVar[tuple[str, ...]] = ("withdrawn_on", "withdrawn_reason")

    def __post_init__(self) -> None:
        if not self.family_id:
            object.__setattr__(self, "family_id", self.id)
        if not self.reference.strip():
            raise ValueError("a family needs a case reference")
        if self.case_id:
            object.__setattr__(self, "case_id", references.case_id(self.case_id))
        if (self.status is FamilyStatus.CLOSED) != (self.closure_reason is not None):
            raise ValueError("a closed family needs a closure reason, and only a closed one")

    @property
    def is_read_only(self) -> bool:
        return self.status is FamilyStatus.CLOSED or self.withdrawn_on is not None

    @property
    def read_only_reason(self) -> str:
        """Why nothing about this family can be changed here, as the start of a sentence ("This
        case is closed"); "" when it can be changed. Reassignment comes first: reopening would
        not help."""
        if self.withdrawn_on is not None:
            on = self.withdrawn_on
            return f"This family was reassigned to another practitioner on {on.day} {on:%B %Y}"
        if self.status is FamilyStatus.CLOSED:
            return "This case is closed"
        return ""

    @property
    def withdrawn_text(self) -> str:
        """What the app says about a family the coordinator has reassigned; "" if it is not."""
        if self.withdrawn_on is None:
            return ""
        on = self.withdrawn_on
        text = f"Reassigned to another practitioner by the coordinator on {on.day} {on:%B %Y}"
        return f"{text}: {self.withdrawn_reason}" if self.withdrawn_reason else f"{text}."


class PersonRole(enum.StrEnum):
    PARENT_CARER = "parent_carer"
    CHILD = "child"
    OTHER_ADULT = "other_adult"
    SIGNIFICANT_ADULT = "significant_adult"  # outside the home: an absent parent, a grandparent

    @property
    def label(self) -> str:
        return ROLE_LABELS[self]


ROLE_LABELS = {
    PersonRole.PARENT_CARER: "Parent or carer",
    PersonRole.CHILD: "Child",
    PersonRole.OTHER_ADULT: "Other adult in the home",
    PersonRole.SIGNIFICANT_ADULT: "Significant adult outside the home",
}


@record_kind
@dataclasses.dataclass(frozen=True, kw_only=True)
class Person(Record):
    KIND: ClassVar[str] = "person"

    role: PersonRole
    given_name: str
    family_name: str
    known_as: str = ""
    date_of_birth: dt.date | None = None
    # An unborn child has an expected date of delivery instead of a date of birth.
    expected_date: dt.date | None = None
    gender: str = ""
    relationship: str = ""
    parental_responsibility: bool = False
    school: str = ""
    language: str = "English"
    interpreter_needed: bool = False
    # The council's identifiers for the person, where known: the unique pupil number and the
    # NHS number, kept in their plain form (checked and tidied here: fmdesk/references.py).
    upn: str = ""
    nhs_number: str = ""

    def __post_init__(self) -> None:
        if not self.family_id:
            raise ValueError("a person belongs to a family")
        if not (self.given_name.strip() or self.known_as.strip()):
            raise ValueError("a person needs a name")
        if self.upn:
            object.__setattr__(self, "upn", references.upn(self.upn))
        if self.nhs_number:
            object.__setattr__(self, "nhs_number", references.nhs_number(self.nhs_number))

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.given_name, self.family_name) if p).strip()

    @property
    def display_name(self) -> str:
        if self.known_as and self.known_as != self.given_name:
            return f"{self.full_name} ({self.known_as})"
        return self.full_name

    @property
    def in_household(self) -> bool:
        return self.role is not PersonRole.SIGNIFICANT_ADULT

    @property
    def is_unborn(self) -> bool:
        return self.date_of_birth is None and self.expected_date is not None

    def age(self, on: dt.date) -> int | None:
        """Whole years on `on`; None when unborn or the date of birth is unknown."""
        born = self.date_of_birth
        if born is None or born > on:
            return None
        return on.year - born.year - ((on.month, on.day) < (born.month, born.day))

    def age_text(self, on: dt.date) -> str:
        if self.is_unborn:
            return f"due {self.expected_date:%d %b %Y}"
        years = self.age(on)
        if years is None:
            return ""
        if years == 0 and self.date_of_birth is not None:
            months = (on.year - self.date_of_birth.year) * 12 + on.month - self.date_of_birth.month
            months -= on.day < self.date_of_birth.day
            return f"{max(months, 0)} months"
        return str(years)


class ConsentKind(enum.StrEnum):
    ASSESS = "assess"
    SHARE = "share"

    @property
    def label(self) -> str:
        return {"assess": "To assess", "share": "To share information"}[self.value]


@record_kind
@dataclasses.dataclass(frozen=True, kw_only=True)
class Consent(Record):
    """Consent given by a person (usually a parent or carer) for the whole family."""

    KIND: ClassVar[str] = "consent"

    kind: ConsentKind
    person_id: str = ""
    given_on: dt.date
    withdrawn_on: dt.date | None = None
    recorded_by: str = ""
    notes: str = ""

    def __post_init__(self) -> None:
        if self.withdrawn_on is not None and self.withdrawn_on < self.given_on:
            raise ValueError("consent cannot be withdrawn before it was given")

    def in_force(self, on: dt.date) -> bool:
        if self.deleted or self.in_error or self.given_on > on:
            return False
        return self.withdrawn_on is None or self.withdrawn_on > on


def has_consent(consents: Iterable[Consent], kind: ConsentKind, on: dt.date) -> bool:
    return any(c.kind is kind and c.in_force(on) for c in consents)


class ContactType(enum.StrEnum):
    HOME_VISIT = "home_visit"
    OFFICE_VISIT = "office_visit"
    SCHOOL_VISIT = "school_visit"
    PHONE = "phone"
    MEETING = "meeting"
    NOTE = "note"

    @property
    def label(self) -> str:
        return {
            "home_visit": "Home visit",
            "office_visit": "Office visit",
            "school_visit": "School visit",
            "phone": "Phone call",
            "meeting": "Meeting",
            "note": "Case note",
        }[self.value]

    @property
    def is_contact(self) -> bool:
        return self is not ContactType.NOTE


@record_kind
@dataclasses.dataclass(frozen=True, kw_only=True)
class CaseNote(Record):
    """A case note or a record of contact. Append-only: two laptops' notes never conflict."""

    KIND: ClassVar[str] = "note"
    APPEND_ONLY: ClassVar[bool] = True

    on: dt.date
    contact: ContactType = ContactType.NOTE
    text: str = ""
    minutes: int = 0
    author: str = ""

    def __post_init__(self) -> None:
        if self.minutes < 0:
            raise ValueError("time spent cannot be negative")


@record_kind
@dataclasses.dataclass(frozen=True, kw_only=True)
class StatusChange(Record):
    KIND: ClassVar[str] = "status_change"
    APPEND_ONLY: ClassVar[bool] = True

    on: dt.date
    from_status: FamilyStatus
    to_status: FamilyStatus
    closure_reason: ClosureReason | None = None
    reason: str = ""
    by: str = ""


def change_status(
    family: Family,
    to: FamilyStatus,
    *,
    on: dt.date,
    by: str = "",
    reason: str = "",
    closure_reason: ClosureReason | None = None,
) -> tuple[Family, StatusChange]:
    """Move a family to a new status; returns the changed family and the record of the move."""
    if family.withdrawn_on is not None:
        said = family.withdrawn_text.rstrip(".")
        raise ValidationError(f"{said}. Its status can no longer be changed here.")
    if to not in TRANSITIONS[family.status]:
        raise ValidationError(f"A family that is {family.status.value} cannot become {to.value}.")
    if to is FamilyStatus.CLOSED and closure_reason is None:
        raise ValidationError("Choose a reason for closing the case.")
    if family.status is FamilyStatus.CLOSED and not reason.strip():
        raise ValidationError("Say why the case is being reopened.")
    changed = family.replace(
        status=to, closure_reason=closure_reason if to is FamilyStatus.CLOSED else None
    )
    change = StatusChange(
        family_id=family.id,
        on=on,
        from_status=family.status,
        to_status=to,
        closure_reason=closure_reason,
        reason=reason.strip(),
        by=by,
    )
    return changed, change
