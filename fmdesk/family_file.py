"""One family's whole record as a JSON file: the answer to a subject access request, and a way to
move a family between stores by hand. Format documented in docs/family-file.md."""

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from fmdesk import catalog
from fmdesk.errors import ValidationError
from fmdesk.families import Family
from fmdesk.records import Record, record_from_dict

FORMAT = "fmdesk-family"
VERSION = 1


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
    """Validate a family file; every problem is a ValidationError naming where it is."""
    if not isinstance(data, Mapping) or data.get("format") != FORMAT:
        raise ValidationError("This is not an fmdesk family file (no 'format': 'fmdesk-family').")
    version = data.get("version")
    if not isinstance(version, int) or version > VERSION:
        raise ValidationError(
            f"This family file has version {version!r}; this fmdesk reads version {VERSION}. "
            "Update fmdesk to import it."
        )
    family = Family.from_dict(_object(data.get("family"), "family"))
    rows = data.get("records", [])
    if not isinstance(rows, list):
        raise ValidationError("records: expected a list")
    known = catalog.RECORD_KINDS
    records: list[Record] = []
    for i, row in enumerate(rows):
        row = _object(row, f"records[{i}]")
        kind = row.get("kind")
        if not isinstance(kind, str) or kind not in known:
            raise ValidationError(f"records[{i}].kind: unknown record kind {kind!r}")
        fields = _object(row.get("record"), f"records[{i}].record")
        try:
            record = record_from_dict(kind, fields)
        except ValidationError as exc:
            raise ValidationError(f"records[{i}]: {exc}") from None
        if record.family_id != family.id:
            raise ValidationError(f"records[{i}]: belongs to another family")
        records.append(record)
    return family, records


def _object(value: Any, where: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise ValidationError(f"{where}: expected an object")
    return value
