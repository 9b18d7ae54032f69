"""What a text field of a record may hold: the one rule for every way a record is made.

Every record checks its text when it is made (`fmdesk.records.record_kind` runs `check_record`
before the record's own checks), so the rule holds for a record typed in the app, given on the
command line, read from a CSV or a family file, or arriving in a sync bundle:

- text is kept in Unicode normal form C, so "ë" typed as one character and as "e" plus a
  combining diaeresis is one name (NFC: what keyboards and most files produce);
- no control characters: NUL and the other C0 and C1 controls are refused, except tab, line
  feed and carriage return in fields that hold more than one line;
- no text-direction overrides or isolates (U+202A-U+202E, U+2066-U+2069), which make text show
  differently from what it says (the "Trojan Source" trick: CVE-2021-42574);
- no lone surrogates (they are not Unicode text and cannot be written as UTF-8);
- a maximum length: a name (`NAME_FIELDS`) 200 characters on one line, a note or other long
  text (`LONG_FIELDS`) 100,000, any other text 2,000.

The message names the field and says what to do. Records read back from this computer's own
store are not checked again (`fmdesk.records.Record.from_stored`), so a record saved before
these rules still opens; it is checked when it is next changed.
"""

import dataclasses
import re
import unicodedata
from typing import Any

# Fields that name a person, a family or an organisation: one line, at most NAME_MAX.
NAME_FIELDS = frozenset(
    {
        "name",
        "given_name",
        "family_name",
        "known_as",
        "reference",
        "lead_practitioner",
        "to_name",
        "from_name",
        "worker",
        "by",
        "made_by",
        "recorded_by",
        "taken_by",
        "author",
        "completed_by",
        "practitioner",
        "approved_by",
        "submitted_by",
        "closed_by",
        "added_by",
        "others",
        "apologies",
    }
)
# Fields that hold free text written by a person: notes, reasons, summaries, answers.
LONG_FIELDS = frozenset(
    {
        "text",
        "notes",
        "note",
        "summary",
        "description",
        "evidence",
        "reason",
        "family_views",
        "decisions",
        "words",
        "detail",
        "strengths",
        "needs",
        "moving_on",
        "what",
        "dropped_reason",
        "withdrawn_reason",
        "before",
        "after",
    }
)
NAME_MAX = 200
LONG_MAX = 100_000
OTHER_MAX = 2_000

# Refused everywhere: C0 controls but tab, line feed and carriage return; DEL and the C1
# controls; the bidirectional embeddings, overrides and isolates; lone surrogates.
_REFUSED_CHARS = "\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff"
# Refused in a field of one line, as well.
_BREAK_CHARS = "\t\n\r\u2028\u2029"
_REFUSED = re.compile(f"[{_REFUSED_CHARS}]")
_REFUSED_IN_A_LINE = re.compile(f"[{_REFUSED_CHARS}{_BREAK_CHARS}]")
_LINE_BREAKS = re.compile(f"[{_BREAK_CHARS}]")

_BIDI = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def limit_for(field: str) -> tuple[int, bool]:
    """(the most characters, whether it may hold line breaks) for a field of this name."""
    if field in NAME_FIELDS:
        return NAME_MAX, False
    if field in LONG_FIELDS:
        return LONG_MAX, True
    return OTHER_MAX, True


class _Problem(Exception):
    """What is wrong with a text, worded once the caller says where it is."""

    def __init__(self, char: str = "", length: int = 0, limit: int = 0) -> None:
        super().__init__()
        self.char, self.length, self.limit = char, length, limit

    def message(self, where: str) -> str:
        if self.length:
            return (
                f"{where} is too long ({self.length:,} characters; it may hold at most "
                f"{self.limit:,}). Shorten it"
            )
        if _LINE_BREAKS.fullmatch(self.char):
            return f"{where} must be on one line: it holds a line break or a tab. Remove it"
        return _refusal(where, self.char)


def _clean(value: str, limit: int, multiline: bool) -> str:
    bad = (_REFUSED if multiline else _REFUSED_IN_A_LINE).search(value)
    if bad is not None:
        raise _Problem(char=bad.group())
    if not value.isascii() and not unicodedata.is_normalized("NFC", value):
        value = unicodedata.normalize("NFC", value)
    if len(value) > limit:
        raise _Problem(length=len(value), limit=limit)
    return value


def clean(value: str, field: str, where: str = "") -> str:
    """`value` in normal form C, or ValueError naming `where` (default: the field) with what
    is wrong and what to do."""
    try:
        return _clean(value, *limit_for(field))
    except _Problem as problem:
        raise ValueError(problem.message(where or _words(field))) from None


def nfc(value: str) -> str:
    """`value` in Unicode normal form C (what `clean` keeps), for comparing names."""
    if value.isascii():
        return value
    return unicodedata.normalize("NFC", value)


def printable(value: str, limit: int = 100) -> str:
    """Text from an unchecked source made safe to show in a message: controls and direction
    overrides replaced, cut to `limit` characters."""
    shown = _LINE_BREAKS.sub(" ", _REFUSED.sub("\ufffd", value))
    return shown if len(shown) <= limit else shown[: limit - 1] + "…"


def check_record(record: Any) -> None:
    """Check and normalise every text field of a record, nested value objects included
    (a plan's goals and actions, an assessment's answers). Fields holding arbitrary data
    (a definition's content, checked against its own schema) are left alone. Raises
    ValueError naming the field ("given name", "goals 1, actions 2, what"); normalised text
    is put back in place."""
    _check_object(record, "")


# Per class: (name, most characters, may hold line breaks) of each field, worked out once (a
# sync import checks thousands of records); per type: whether it is a dataclass.
_PLANS: dict[type, tuple[tuple[str, int, bool], ...]] = {}
_DATACLASS: dict[type, bool] = {}


def _plan(cls: type) -> tuple[tuple[str, int, bool], ...]:
    plan = _PLANS.get(cls)
    if plan is None:
        plan = _PLANS[cls] = tuple((f.name, *limit_for(f.name)) for f in dataclasses.fields(cls))
    return plan


def _is_dataclass(kind: type) -> bool:
    known = _DATACLASS.get(kind)
    if known is None:
        known = _DATACLASS[kind] = dataclasses.is_dataclass(kind)
    return known


def _check_object(obj: Any, where: str) -> None:
    for name, limit, multiline in _plan(type(obj)):
        value = getattr(obj, name)
        kind = type(value)
        if kind is str:
            if value:
                try:
                    cleaned = _clean(value, limit, multiline)
                except _Problem as problem:
                    raise ValueError(problem.message(_within(where, name))) from None
                if cleaned is not value:
                    object.__setattr__(obj, name, cleaned)
        elif kind is tuple:
            if value:
                checked = _check_items(value, name, limit, multiline, where)
                if checked is not None:
                    object.__setattr__(obj, name, checked)
        elif _is_dataclass(kind):
            _check_object(value, _within(where, name))


def _check_items(
    items: tuple[Any, ...], name: str, limit: int, multiline: bool, where: str
) -> tuple[Any, ...] | None:
    """Check a tuple's items; returns a new tuple if any text in it was normalised."""
    changed: list[Any] | None = None
    for index, item in enumerate(items):
        if type(item) is str:
            try:
                cleaned = _clean(item, limit, multiline)
            except _Problem as problem:
                raise ValueError(problem.message(f"{_within(where, name)} {index + 1}")) from None
            if cleaned is not item:
                changed = changed if changed is not None else list(items)
                changed[index] = cleaned
        elif _is_dataclass(type(item)):
            _check_object(item, f"{_within(where, name)} {index + 1}")
    return tuple(changed) if changed is not None else None


def _within(where: str, name: str) -> str:
    return f"{where}, {_words(name)}" if where else _words(name)


def _refusal(where: str, char: str) -> str:
    code = f"U+{ord(char):04X}"
    if char in _BIDI:
        return (
            f"{where} holds a text-direction override ({code}), which can make text show "
            "differently from what it says. Remove it (it may have come from a copied or "
            "exported file)"
        )
    if "\ud800" <= char <= "\udfff":
        return f"{where} holds a broken character ({code}) that is not Unicode text. Remove it"
    return (
        f"{where} holds a control character ({code}) that fmdesk does not keep. Remove it "
        "(it may have come from a copied or exported file)"
    )


def _words(name: str) -> str:
    return name.replace("_", " ")
