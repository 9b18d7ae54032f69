"""Family references that cannot collide across laptops, and the council's own identifiers.

A family's reference is `FM-YEAR-CODE-NUMBER`, e.g. `FM-2026-K7QM-0031`:

- CODE is the reference code of the store that registered the family: four characters derived
  once from the store's id (a random UUID) and then kept in the store's settings, so it never
  changes under a practitioner's feet. Every store has its own, the coordinator's included, and
  the coordinator can work out each enrolled practitioner's code from their enrolment (it holds
  the store id) before a single family arrives: two practitioners who would share one are shown
  to it then, and one of them is given another (`check_code`).
- NUMBER counts that store's families (it does not restart each year), so CODE-NUMBER alone
  never repeats; the year is there for people.

Two laptops therefore never number a family alike, without asking anyone first: a family
registered in a home visit with no connection gets its final reference at once. References
made before this scheme (`FM-2026-0007`, from each laptop's own count) still parse; a clash
among them is shown to the coordinator to resolve, never merged (db/families.py).

The code is opaque on purpose. Initials ("PK") would read better but clash often (two of a
hundred practitioners share initials more often than not), and a family's reference outlives
its allocation: a reassigned family would carry the first practitioner's initials for good.

Beside the reference sit the council's identifiers, checked here: the case system's id for the
family (Liquidlogic EHM, Mosaic...: free text, the council's own format), and for each person
the NHS number (ten digits, modulus 11 check digit) and the UPN (the DfE's unique pupil number:
thirteen characters, a check letter first).

Pure: no store, no Qt.
"""

import dataclasses
import hashlib
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Mapping

from fmdesk.errors import ValidationError

PREFIX = "FM"
CODE_LENGTH = 4
# The demo caseload's own code; db/families.py puts a store's demo families in its own series.
DEMO_CODE = "DEMO"
# Crockford's base 32 (no I, L, O or U: nothing to misread or mishear); the first character is
# always a letter, so a code never looks like a year or a number.
_CODE_FIRST = "ABCDEFGHJKMNPQRSTVWXYZ"
_CODE_REST = "0123456789" + _CODE_FIRST
# A code someone chose: 2-6 letters and digits, starting with a letter.
_CODE_CHOSEN = re.compile(r"[A-Z][A-Z0-9]{1,5}")
_REFERENCE = re.compile(
    r"(?P<prefix>[A-Z]{1,6})-(?P<year>[0-9]{4})-(?:(?P<code>[A-Z][A-Z0-9]{1,5})-)?"
    r"(?P<number>[0-9]{4,})",
    re.IGNORECASE,
)


class IdentifierError(ValidationError, ValueError):
    """An identifier that is not well formed. A ValueError too, so a record refuses it as it
    refuses any other broken rule (a form shows it; a bundle quarantines the record)."""


# ---- the reference scheme --------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Reference:
    prefix: str
    year: int
    code: str  # "" for a reference made before codes (FM-2026-0007)
    number: int

    @property
    def text(self) -> str:
        return format_reference(self.year, self.code, self.number, prefix=self.prefix)


def derive_code(store_id: str) -> str:
    """The reference code a store starts with, worked out from its id alone: the same on the
    practitioner's laptop and at the coordinator, which sees the id in the enrolment."""
    digest = hashlib.sha256(f"fmdesk reference code\0{store_id}".encode()).digest()
    value = int.from_bytes(digest[:8], "big")
    chars = [_CODE_FIRST[value % len(_CODE_FIRST)]]
    value //= len(_CODE_FIRST)
    for _ in range(CODE_LENGTH - 1):
        chars.append(_CODE_REST[value % len(_CODE_REST)])
        value //= len(_CODE_REST)
    return "".join(chars)


def check_code(text: str) -> str:
    """A reference code someone typed, upper-cased; refused in words when it will not do."""
    code = text.strip().upper()
    if not _CODE_CHOSEN.fullmatch(code):
        raise ValidationError(
            f"{text.strip() or 'An empty code'!r} cannot be a reference code: use 2 to 6 "
            "letters and digits, starting with a letter (for example K7QM)."
        )
    return code


def format_reference(year: int, code: str, number: int, *, prefix: str = PREFIX) -> str:
    middle = f"-{code}" if code else ""
    return f"{prefix}-{year:04d}{middle}-{number:04d}"


def parse_reference(text: str) -> Reference | None:
    """The parts of a reference in fmdesk's form (with or without a code); None for any other
    (a data-matching key the coordinator imported, a council's own reference)."""
    found = _REFERENCE.fullmatch(text.strip())
    if found is None:
        return None
    return Reference(
        prefix=found["prefix"].upper(),
        year=int(found["year"]),
        code=(found["code"] or "").upper(),
        number=int(found["number"]),
    )


def next_reference(held: Iterable[str], *, code: str, year: int) -> str:
    """The reference for a store's next family: one more than the highest number among the
    references with its `code` (whatever their year), and never one already `held`."""
    held = list(held)
    taken = {h.strip().casefold() for h in held}
    numbers = [
        parsed.number
        for parsed in map(parse_reference, held)
        if parsed is not None and parsed.code == code.upper()
    ]
    number = max(numbers, default=0) + 1
    while format_reference(year, code, number).casefold() in taken:
        number += 1
    return format_reference(year, code, number)


def reference_key(reference: str) -> str:
    """What makes two references the same one: case and surrounding spaces aside."""
    return unicodedata.normalize("NFC", reference).strip().casefold()


def shared_codes(codes: Mapping[str, str]) -> dict[str, list[str]]:
    """Of a {holder: code} mapping, the codes held by more than one holder, each with its
    holders in the order given."""
    by_code: dict[str, list[str]] = defaultdict(list)
    for holder, code in codes.items():
        by_code[code.upper()].append(holder)
    return {code: holders for code, holders in by_code.items() if len(holders) > 1}


# ---- the council's identifiers ---------------------------------------------------------------

CASE_ID_MAX = 64
# Check letters of a UPN: the alphabet without I, O and S.
_UPN_LETTERS = "ABCDEFGHJKLMNPQRTUVWXYZ"
_UPN_SHAPE = re.compile(rf"[{_UPN_LETTERS}][0-9]{{11}}[0-9{_UPN_LETTERS}]")


def case_id(text: str) -> str:
    """The case system's id for a family (EHM, Mosaic...): the council's own format, so only
    trimmed and kept to one short line."""
    value = text.strip()
    if len(value) > CASE_ID_MAX or any(unicodedata.category(c).startswith("C") for c in value):
        raise IdentifierError(
            f"a case system ID is one line of at most {CASE_ID_MAX} characters, as the case "
            "system shows it"
        )
    return value


def nhs_number(text: str) -> str:
    """An NHS number as ten digits ("943 476 5919" gives "9434765919"), checked with its
    modulus 11 check digit; "" stays "" (not known)."""
    digits = re.sub(r"[\s-]", "", text)
    if not digits:
        return ""
    if not (len(digits) == 10 and digits.isascii() and digits.isdigit()):
        raise IdentifierError(
            f"an NHS number is ten digits (e.g. 943 476 5919); {text.strip()!r} is not"
        )
    total = sum(int(d) * weight for d, weight in zip(digits[:9], range(10, 1, -1), strict=True))
    check = 11 - total % 11
    if check == 11:
        check = 0
    if check == 10:
        raise IdentifierError(
            f"{format_nhs_number(digits)} is not a real NHS number (no check digit fits its "
            "first nine digits): check it against a letter from the GP or hospital"
        )
    if int(digits[9]) != check:
        raise IdentifierError(
            f"the NHS number {format_nhs_number(digits)} does not check out (its last digit "
            f"should be {check}): check it against a letter from the GP or hospital"
        )
    return digits


def format_nhs_number(digits: str) -> str:
    """Ten digits as people write them: 943 476 5919."""
    if len(digits) != 10:
        return digits
    return f"{digits[:3]} {digits[3:6]} {digits[6:]}"


def upn_check_letter(rest: str) -> str:
    """The check letter of a UPN from its last twelve characters (DfE's rule: each character's
    value times its position, 2 to 13, summed, modulo 23; a letter's value is its place among
    the check letters)."""
    total = sum(
        position * (int(c) if c.isdigit() else _UPN_LETTERS.index(c))
        for position, c in enumerate(rest, 2)
    )
    return _UPN_LETTERS[total % 23]


def upn(text: str) -> str:
    """A unique pupil number upper-cased without spaces, its shape and check letter checked;
    "" stays "" (not known). A temporary UPN ends in a letter."""
    value = re.sub(r"\s", "", text).upper()
    if not value:
        return ""
    if not _UPN_SHAPE.fullmatch(value):
        raise IdentifierError(
            "a UPN is 13 characters: a check letter, then 11 digits, then a digit (or a letter "
            f"for a temporary UPN), e.g. B801200005001; {text.strip()!r} is not"
        )
    expected = upn_check_letter(value[1:])
    if value[0] != expected:
        raise IdentifierError(
            f"the UPN {value} does not check out (its first letter should be {expected}): "
            "check it with the school"
        )
    return value
