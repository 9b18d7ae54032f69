"""The record base every stored and synced object shares, and its JSON form.

A record is a frozen dataclass with a stable UUID (`id`), the family it belongs to
(`family_id`; a Family's is its own id), a `revision` (a hybrid-logical-clock timestamp set by
the store on every save) and a `deleted` flag (a tombstone, kept so deletions sync).

Each record class names its kind (`KIND`) and registers itself with `@record_kind`. The store
keeps every kind in one table of JSON documents and sync moves them as JSON lines, so a new
record type needs a class here and nothing else: no table, no migration, no sync code.

`to_dict`/`from_dict` turn a record into plain JSON types and back: dates as ISO strings, enums
as their values, tuples as lists, nested value dataclasses as objects.

Every record's text meets one rule (fmdesk/text.py: normal form C, no control characters or
direction overrides, a length limit), checked whenever a record is made, before its own
`__post_init__` checks: `record_kind` sees to it, so a new record type cannot forget it.
`from_stored` makes a record from this store's own saved JSON without checking its text again.

"Recorded in error", as case systems have it: a record entered by mistake is not deleted but
marked (`recorded_in_error`: why, who and when; `mark_in_error`). The mark is a field like any
other, so it is a new revision that the history keeps and a bundle carries. A marked record
stays in the record, shown as such, and drops out of every figure and claim: whatever counts
records asks `counts(record)` (or `Record.in_error`). `to_dict` leaves the field out while it is
empty, so records never marked keep the JSON form they had.
"""

import contextvars
import dataclasses
import datetime as dt
import enum
import types
import typing
import uuid
from collections.abc import Mapping
from typing import Any, ClassVar, Self, TypeVar

from fmdesk import text
from fmdesk.errors import ValidationError

SYNC_FIELDS = ("id", "family_id", "revision", "deleted")
IN_ERROR_FIELD = "recorded_in_error"
# The kinds a person may mark as recorded in error (the app and `fmdesk families
# recorded-in-error`): a consent, a person, a note or visit, a Star reading, outcome evidence,
# and an action of the plan, which is not a record of its own but part of a plan version
# (fmdesk/plans.py mark_action_in_error).
PLAN_ACTION = "plan_action"
CORRECTABLE_KINDS: dict[str, str] = {
    "consent": "consent",
    "person": "person",
    "note": "note or visit",
    "star_reading": "Star reading",
    "outcome_evidence": "outcome evidence",
    PLAN_ACTION: "plan action",
}


def new_id() -> str:
    return str(uuid.uuid4())


@dataclasses.dataclass(frozen=True, kw_only=True)
class ErrorMark:
    """Why a record was recorded in error, who said so, and when (UTC)."""

    reason: str
    by: str = ""
    at: dt.datetime

    def __post_init__(self) -> None:
        if not self.reason.strip():
            raise ValueError("say why it was recorded in error")


@dataclasses.dataclass(frozen=True, kw_only=True)
class Record:
    KIND: ClassVar[str] = ""
    # Append-only kinds (notes, visits) never merge field by field: each side's are kept.
    APPEND_ONLY: ClassVar[bool] = False

    id: str = dataclasses.field(default_factory=new_id)
    family_id: str = ""
    revision: str = ""
    deleted: bool = False
    # Marked as entered by mistake (see the module's docstring); None for every other record.
    recorded_in_error: ErrorMark | None = None

    def __post_init__(self) -> None:
        # Every record class's own __post_init__ runs this first (record_kind wraps it).
        if not _STORED.get():
            text.check_record(self)

    @property
    def in_error(self) -> bool:
        return self.recorded_in_error is not None

    def to_dict(self) -> dict[str, Any]:
        plain = to_plain(self)
        if plain.get(IN_ERROR_FIELD, True) is None:
            del plain[IN_ERROR_FIELD]
        return plain

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Self:
        """A record from plain data from anywhere (a bundle, a family file): every check runs."""
        return from_plain(cls, data)

    @classmethod
    def from_stored(cls, data: Mapping[str, Any]) -> Self:
        """A record from this store's own saved JSON: its text was checked when it was saved,
        or it was saved before fmdesk/text.py's rules and must still open. The record's own
        checks still run; its text is checked when it is next changed."""
        token = _STORED.set(True)
        try:
            return from_plain(cls, data)
        finally:
            _STORED.reset(token)

    def replace(self, **changes: Any) -> Self:
        return dataclasses.replace(self, **changes)


# Set while a record is made from this store's own saved JSON (Record.from_stored).
_STORED: contextvars.ContextVar[bool] = contextvars.ContextVar("fmdesk_stored", default=False)

R = TypeVar("R", bound=Record)
RECORD_KINDS: dict[str, type[Record]] = {}


def counts(record: Record) -> bool:
    """Whether a record counts in figures, claims and rules: held (not deleted) and not
    recorded in error."""
    return not record.deleted and record.recorded_in_error is None


def mark_in_error(record: R, reason: str, *, by: str, at: dt.datetime) -> R:
    """`record` marked as recorded in error because of `reason`, by `by`, at `at` (UTC).
    Refused (ValidationError, in words) for a kind that cannot be marked, a deleted record, one
    already marked, and a blank reason."""
    what = CORRECTABLE_KINDS.get(record.KIND)
    if what is None:
        raise ValidationError(
            f"A {record.KIND.replace('_', ' ')} cannot be marked as recorded in error."
        )
    if record.deleted:
        raise ValidationError(f"That {what} has been deleted; there is nothing to mark.")
    if record.recorded_in_error is not None:
        mark = record.recorded_in_error
        who = f" by {mark.by}" if mark.by else ""
        raise ValidationError(
            f"That {what} was already marked as recorded in error{who} on "
            f"{mark.at:%d %b %Y}: {mark.reason}"
        )
    if not reason.strip():
        raise ValidationError(
            f"Say why the {what} was recorded in error (for example 'entered on the wrong "
            "family'): the reason stays in the record and its history."
        )
    stamp = at.astimezone(dt.UTC).replace(microsecond=0)
    return record.replace(recorded_in_error=ErrorMark(reason=reason.strip(), by=by, at=stamp))


def record_kind(cls: type[R]) -> type[R]:
    """Class decorator: register a record class under its KIND for the store and sync, and
    make its own `__post_init__` (if it has one) check the record's text first."""
    if not cls.KIND:
        raise TypeError(f"{cls.__name__} needs a KIND")
    existing = RECORD_KINDS.get(cls.KIND)
    if existing is not None and existing is not cls:
        raise TypeError(f"record kind {cls.KIND!r} is registered twice")
    own = cls.__dict__.get("__post_init__")
    if own is not None and not getattr(own, "checks_text", False):
        cls.__post_init__ = _text_first(own)  # type: ignore[method-assign]
    RECORD_KINDS[cls.KIND] = cls
    return cls


def _text_first(own: Any) -> Any:
    def post_init(self: Record) -> None:
        Record.__post_init__(self)
        own(self)

    post_init.checks_text = True  # type: ignore[attr-defined]
    post_init.__name__ = "__post_init__"
    post_init.__doc__ = own.__doc__
    post_init.__qualname__ = own.__qualname__
    return post_init


def kind_class(kind: str) -> type[Record]:
    try:
        return RECORD_KINDS[kind]
    except KeyError:
        raise ValidationError(f"unknown record kind {kind!r}") from None


def record_from_dict(kind: str, data: Mapping[str, Any]) -> Record:
    return kind_class(kind).from_dict(data)


# ---- plain JSON conversion -----------------------------------------------------------------


# Types whose values are already plain JSON (exact types: a StrEnum is a str subclass).
_PLAIN_TYPES = frozenset({str, int, float, bool, type(None)})
# Field names per dataclass, so a sync import of thousands of records does not ask
# `dataclasses.fields()` for each one (speed only; the result is the same).
_FIELD_NAMES: dict[type, tuple[str, ...]] = {}


def to_plain(value: Any) -> Any:
    kind = type(value)
    if kind in _PLAIN_TYPES:
        return value
    names = _FIELD_NAMES.get(kind)
    if names is None and dataclasses.is_dataclass(value) and not isinstance(value, type):
        names = tuple(f.name for f in dataclasses.fields(value))
        _FIELD_NAMES[kind] = names
    if names is not None:
        return {name: to_plain(getattr(value, name)) for name in names}
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, dt.datetime):
        return value.isoformat(timespec="seconds")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, tuple | list):
        return [to_plain(v) for v in value]
    if isinstance(value, Mapping):
        return {str(k): to_plain(v) for k, v in value.items()}
    return value


_INIT_FIELDS: dict[type, tuple[tuple[str, Any, Any], ...]] = {}
_SHAPES: dict[Any, tuple[Any, tuple[Any, ...]]] = {}
_DATACLASS_TYPES: dict[type, bool] = {}
# What a fast converter returns when the value needs the full check (and its error message).
_SLOW = object()


def _init_fields(cls: type) -> tuple[tuple[str, Any, Any], ...]:
    """(name, type hint, fast converter or None) of each field `cls(...)` takes, worked out
    once per class."""
    fields = _INIT_FIELDS.get(cls)
    if fields is None:
        hints = typing.get_type_hints(cls)
        fields = tuple(
            (f.name, hints[f.name], _fast_converter(hints[f.name]))
            for f in dataclasses.fields(cls)
            if f.init
        )
        _INIT_FIELDS[cls] = fields
    return fields


def _fast_converter(tp: Any) -> Any:
    """A converter for the values a well-formed record holds, returning _SLOW for anything
    else so that `_convert` checks it and words the error. Decoding is most of the cost of
    listing a caseload, and most fields are text, enums, dates, numbers or optional ones."""
    origin, args = typing.get_origin(tp), typing.get_args(tp)
    if origin in (typing.Union, types.UnionType):
        inner = [a for a in args if a is not type(None)]
        if len(inner) != 1 or len(args) != 2:
            return None
        fast = _fast_converter(inner[0])
        if fast is None:
            return None
        return lambda v: None if v is None else fast(v)
    if origin is tuple and len(args) == 2 and args[1] is Ellipsis:
        return _fast_tuple(args[0])
    if tp is str:
        return lambda v: v if type(v) is str else _SLOW
    if tp is bool:
        return lambda v: v if type(v) is bool else _SLOW
    if tp is int:
        return lambda v: v if type(v) is int else _SLOW
    if isinstance(tp, type) and issubclass(tp, enum.Enum):
        members = tp._value2member_map_
        return lambda v: members.get(v, _SLOW) if type(v) is str or type(v) is int else _SLOW
    if tp is dt.date:
        return _fast_date
    if tp is dt.datetime:
        return _fast_datetime
    return None


def _fast_tuple(item_type: Any) -> Any:
    if isinstance(item_type, type) and dataclasses.is_dataclass(item_type):

        def convert_item(v: Any) -> Any:
            try:
                return from_plain(item_type, v)
            except ValidationError:
                return _SLOW  # worded again by the full check, with the field's path

    else:
        convert_item = _fast_converter(item_type)
        if convert_item is None:
            return None

    def convert(value: Any) -> Any:
        if type(value) is not list:
            return _SLOW
        items = tuple(convert_item(v) for v in value)
        return _SLOW if any(i is _SLOW for i in items) else items

    return convert


def _fast_date(value: Any) -> Any:
    if type(value) is not str:
        return _SLOW
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        return _SLOW


def _fast_datetime(value: Any) -> Any:
    if type(value) is not str:
        return _SLOW
    try:
        return dt.datetime.fromisoformat(value)
    except ValueError:
        return _SLOW


def _is_dataclass_type(tp: type) -> bool:
    known = _DATACLASS_TYPES.get(tp)
    if known is None:
        known = _DATACLASS_TYPES[tp] = dataclasses.is_dataclass(tp)
    return known


def _shape(tp: Any) -> tuple[Any, tuple[Any, ...]]:
    """`typing.get_origin` and `get_args` of a hint, worked out once per hint."""
    try:
        return _SHAPES[tp]
    except KeyError:
        shape = (typing.get_origin(tp), typing.get_args(tp))
        _SHAPES[tp] = shape
        return shape
    except TypeError:  # an unhashable hint: work it out each time
        return typing.get_origin(tp), typing.get_args(tp)


def from_plain(cls: type[R] | type, data: Mapping[str, Any], where: str = "") -> Any:
    """Build dataclass `cls` from plain data, checking types; unknown keys are ignored
    (so a newer app's extra fields do not break an older one)."""
    if type(data) is not dict and not isinstance(data, Mapping):
        raise ValidationError(f"{where or cls.__name__}: expected an object")
    prefix = where or cls.__name__
    kwargs: dict[str, Any] = {}
    for name, tp, fast in _init_fields(cls):
        if name in data:
            value = data[name]
            if fast is not None:
                converted = fast(value)
                if converted is not _SLOW:
                    kwargs[name] = converted
                    continue
            kwargs[name] = _convert(tp, value, f"{prefix}.{name}")
    try:
        return cls(**kwargs)
    except TypeError as exc:  # a required field is missing
        raise ValidationError(f"{where or cls.__name__}: {exc}") from None
    except ValueError as exc:  # __post_init__ checks
        raise ValidationError(f"{where or cls.__name__}: {exc}") from None


def _convert(tp: Any, value: Any, where: str) -> Any:
    if tp is str and type(value) is str:  # the commonest case, first
        return value
    origin, args = _shape(tp)
    if origin in (typing.Union, types.UnionType):
        if value is None and type(None) in args:
            return None
        errors = []
        for arg in args:
            if arg is type(None):
                continue
            try:
                return _convert(arg, value, where)
            except ValidationError as exc:
                errors.append(str(exc))
        raise ValidationError(errors[0] if errors else f"{where}: unexpected value")
    if origin is tuple:
        if not isinstance(value, list | tuple):
            raise ValidationError(f"{where}: expected a list")
        item = args[0] if args else Any
        return tuple(_convert(item, v, f"{where}[{i}]") for i, v in enumerate(value))
    if origin is dict:
        if not isinstance(value, Mapping):
            raise ValidationError(f"{where}: expected an object")
        _, vt = args or (str, Any)
        return {str(k): _convert(vt, v, f"{where}.{k}") for k, v in value.items()}
    if tp is Any:
        return value
    if isinstance(tp, type):
        if _is_dataclass_type(tp):
            return from_plain(tp, value, where)
        if issubclass(tp, enum.Enum):
            try:
                # The member map first: calling the enum class costs ten times as much.
                return tp._value2member_map_[value]
            except (KeyError, TypeError):
                pass
            try:
                return tp(value)
            except ValueError:
                allowed = ", ".join(str(m.value) for m in tp)
                raise ValidationError(f"{where}: {value!r} is not one of {allowed}") from None
        if tp is dt.datetime:
            if isinstance(value, dt.datetime):
                return value
            return _parse(dt.datetime.fromisoformat, value, where, "a date and time")
        if tp is dt.date:
            if isinstance(value, dt.date):
                return value
            return _parse(dt.date.fromisoformat, value, where, "a date (YYYY-MM-DD)")
        if tp is bool:
            if not isinstance(value, bool):
                raise ValidationError(f"{where}: expected true or false")
            return value
        if tp is int:
            if isinstance(value, bool) or not isinstance(value, int):
                raise ValidationError(f"{where}: expected a whole number")
            return value
        if tp is float:
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise ValidationError(f"{where}: expected a number")
            return float(value)
        if tp is str:
            if not isinstance(value, str):
                raise ValidationError(f"{where}: expected text")
            return value
    return value


def _parse(parse: Any, value: Any, where: str, what: str) -> Any:
    if not isinstance(value, str):
        raise ValidationError(f"{where}: expected {what}")
    try:
        return parse(value)
    except ValueError:
        raise ValidationError(f"{where}: {value!r} is not {what}") from None
