"""JSON from another computer, read within bounds: size, depth and the size of numbers.

Python's json reads anything: a manifest nested 100,000 deep ends in a RecursionError, a
5,000-digit number in a ValueError (CPython refuses to convert more than 4,300 digits), and a
structure nested 900 deep is read, only to break whatever walks it later. `loads` refuses each
of these with a `JsonRefused` whose message says what is wrong, in words a person importing a
file can pass on, before the value goes anywhere.
"""

import dataclasses
import json
import math
from typing import Any


class JsonRefused(ValueError):
    """The bytes are not JSON fmdesk reads; the message says why ("it is nested too deeply")."""


@dataclasses.dataclass(frozen=True, kw_only=True)
class JsonBounds:
    max_bytes: int
    # Objects and lists inside one another. A record is at most 6 deep (a plan's goal's action's
    # note), a definition's content about 10; the manifest 3.
    max_depth: int = 32
    # Digits in a number: 2^53 has 16; nothing fmdesk writes comes near 30.
    max_digits: int = 30


def loads(data: bytes, bounds: JsonBounds) -> Any:
    """The JSON value in `data` (UTF-8), or JsonRefused."""
    if len(data) > bounds.max_bytes:
        raise JsonRefused(f"it is {len(data):,} bytes, more than the {bounds.max_bytes:,} allowed")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise JsonRefused("it is not UTF-8 text") from None
    return loads_text(text, bounds, brackets=data.count(b"[") + data.count(b"{"))


def loads_text(text: str, bounds: JsonBounds, *, brackets: int | None = None) -> Any:
    """`loads` for text already decoded (and within `bounds.max_bytes`); `brackets` is the
    number of '[' and '{' in it, if the caller has counted them."""
    try:
        value = _decoder(bounds).decode(text)
    except json.JSONDecodeError as exc:
        raise JsonRefused(f"it is not JSON ({exc.msg} at character {exc.pos + 1:,})") from None
    except RecursionError:
        raise JsonRefused(_too_deep(bounds)) from None
    # Counting brackets is cheap and bounds the depth from above: only a value with many of
    # them needs walking.
    if brackets is None:
        brackets = text.count("[") + text.count("{")
    if brackets > bounds.max_depth and _deeper_than(value, bounds.max_depth):
        raise JsonRefused(_too_deep(bounds))
    return value


# One decoder per set of bounds: a sync import reads a line at a time, thousands of them.
_DECODERS: dict[JsonBounds, json.JSONDecoder] = {}


def _decoder(bounds: JsonBounds) -> json.JSONDecoder:
    decoder = _DECODERS.get(bounds)
    if decoder is None:

        def whole(digits: str) -> int:
            if len(digits) > bounds.max_digits:
                raise JsonRefused(f"it holds a number {len(digits):,} digits long")
            return int(digits)

        def fraction(digits: str) -> float:
            if len(digits) > bounds.max_digits:
                raise JsonRefused(f"it holds a number {len(digits):,} digits long")
            value = float(digits)
            if not math.isfinite(value):
                raise JsonRefused("it holds a number too large to read")
            return value

        def constant(name: str) -> Any:
            raise JsonRefused(f"it holds {name}, which is not a JSON number")

        decoder = json.JSONDecoder(parse_int=whole, parse_float=fraction, parse_constant=constant)
        _DECODERS[bounds] = decoder
    return decoder


def _deeper_than(value: Any, limit: int) -> bool:
    """Whether objects and lists nest more than `limit` deep in `value` (no recursion)."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children: Any = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        if depth > limit:
            return True
        stack.extend((c, depth + 1) for c in children if isinstance(c, dict | list))
    return False


def _too_deep(bounds: JsonBounds) -> str:
    return f"it is nested more than {bounds.max_depth} levels deep"
