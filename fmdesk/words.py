"""Counting in words: "1 family", "2 families"."""


def plural(count: int, one: str, many: str) -> str:
    """'1 family', '2 families', '0 families'."""
    return f"{count} {one if count == 1 else many}"


def families(count: int) -> str:
    return plural(count, "family", "families")
