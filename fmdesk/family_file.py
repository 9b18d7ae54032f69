"""One family's whole record as a JSON file: the answer to a subject access request, and a way to
move a family between stores by hand. Format documented in docs/family-file.md, with a published
JSON Schema (docs/schemas/family-file.schema.json)."""

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from fmdesk import catalog
from fmdesk.errors import ValidationError
from fmdesk.families import Family
from fmdesk.records import Record, record_from_dict
from fmdesk.schemas import SchemaName, Wording, first_error

FORMAT = "fmdesk-family"
VERSION = 1


class FamilyFileWording(Wording):
    """A family file's shape failures in the words its messages have always used: a missing
    part reads as an empty one ("family: expected an object")."""

    missing_as_empty = True

    def choice(self, value: Any, key: str, allowed: Sequence[Any]) -> str:
        if key == "kind":
            return f"unknown record kind {value!r}"
        return super().choice(value, key, allowed)


WORDING = FamilyFileWording()


def build_family_file(
    family: Family, records: Sequence[Mapping[str, Any]], *, exported_by: str, on: dt.datetime
) -> dict[str, Any]:
    """`records` are the store's rows, {"kind": ..., "record": {...}}, the family's own row
    included. The record is nested, not merged with "kind": a Consent has its own `kind`."""
    others = [
        {"kind": r["kind"], "record": dict(r["record"])}
        for r in records
        if r["record"].get("id") != family.id
    ]
    others.sort(key=lambda r: (r["kind"], r["record"].get("revision", ""), r["record"]["id"]))
    return {
        "format": FORMAT,
        "version": VERSION,
        "exported_at": on.isoformat(timespec="seconds"),
        "exported_by": exported_by,
        "family": family.to_dict(),
        "records": others,
    }


def parse_family_file(data: Any) -> tuple[Family, list[Record]]:
    """Validate a family file; every problem is a ValidationError naming where it is.

    The format and version are checked first (a newer file's new fields are not the user's
    mistake), then the shape against the schema; each record's own fields are then checked by
    its record kind, as a bundle's are."""
    if not isinstance(data, Mapping) or data.get("format") != FORMAT:
        raise ValidationError("This is not an fmdesk family file (no 'format': 'fmdesk-family').")
    version = data.get("version")
    if not isinstance(version, int) or version > VERSION:
        raise ValidationError(
            f"This family file has version {version!r}; this fmdesk reads version {VERSION}. "
            "Update fmdesk to import it."
        )
    fault = first_error(SchemaName.FAMILY_FILE, data, WORDING)
    if fault is not None:  # named by its place alone, as the record checks below name theirs
        raise ValidationError(": ".join(fault))
    family = Family.from_dict(data["family"])
    known = catalog.RECORD_KINDS
    records: list[Record] = []
    for i, row in enumerate(data.get("records", ())):
        kind = row["kind"]
        if kind not in known:  # a kind the schema names whose module is not loaded here
            raise ValidationError(f"records[{i}].kind: unknown record kind {kind!r}")
        try:
            record = record_from_dict(kind, row["record"])
        except ValidationError as exc:
            raise ValidationError(f"records[{i}]: {exc}") from None
        if record.family_id != family.id:
            raise ValidationError(f"records[{i}]: belongs to another family")
        records.append(record)
    return family, records
