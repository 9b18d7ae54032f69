"""The app's own colours, each worked out from the system palette.

Nothing on screen names a fixed colour: a notice, a problem message, the Star chart's rings and
lines, the dashboard's bars and target tick all start from a hue and are made light or dark
enough for the palette they are drawn on, so a dark mode and Windows' contrast themes work (the
yellow notices were 1.10:1 in dark mode). Text reaches 4.5:1 against what it sits on, graphics
(lines, bars, rings, focus marks) 3:1, as WCAG 2.2 AA asks (1.4.3, 1.4.11); `PAIRS` lists each
pair, and tests/ui/test_colours.py checks every one in a light, a dark and a high-contrast
palette.

`colours()` reads the application's palette; pass a palette to ask for another. Widgets ask when
they are built or painted, so a palette set before a window opens is followed.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from functools import lru_cache

from PySide6.QtGui import QColor, QGuiApplication, QPalette

TEXT = 4.5  # WCAG 1.4.3: text against its background
GRAPHIC = 3.0  # WCAG 1.4.11: lines, bars and focus marks against what is next to them

# The hues the app's colours start from (the printed reports use the same ones).
BLUE = QColor("#1d5fa8")
ORANGE = QColor("#c0561a")
GREEN = QColor("#2e7d32")
RED = QColor("#a4262c")
AMBER = QColor("#ffc83d")
BURNT = QColor("#a33a00")


def luminance(colour: QColor) -> float:
    """WCAG relative luminance of an opaque colour."""

    def channel(value: float) -> float:
        return value / 12.92 if value <= 0.04045 else ((value + 0.055) / 1.055) ** 2.4

    return (
        0.2126 * channel(colour.redF())
        + 0.7152 * channel(colour.greenF())
        + 0.0722 * channel(colour.blueF())
    )


def contrast(a: QColor, b: QColor) -> float:
    """WCAG contrast ratio of two opaque colours, 1 to 21."""
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def mix(a: QColor, b: QColor, share: float) -> QColor:
    """`share` of `b` over `a` (0 is a, 1 is b)."""
    return QColor.fromRgbF(
        a.redF() + (b.redF() - a.redF()) * share,
        a.greenF() + (b.greenF() - a.greenF()) * share,
        a.blueF() + (b.blueF() - a.blueF()) * share,
    )


def _shades(colour: QColor) -> list[QColor]:
    """`colour` at every lightness, same hue and saturation, nearest its own first."""
    hue, saturation, lightness = colour.hslHue(), colour.hslSaturation(), colour.lightness()
    order = sorted(range(256), key=lambda v: abs(v - lightness))
    return [QColor.fromHsl(max(hue, 0), saturation, v) for v in order]


def readable(colour: QColor, *against: QColor, ratio: float = TEXT) -> QColor:
    """`colour` made just light or dark enough to reach `ratio` against each of `against`;
    failing that (two backgrounds too close to leave room between them), the shade that comes
    nearest, or black or white."""
    if all(contrast(colour, b) >= ratio for b in against):
        return QColor(colour)
    best, best_worst = QColor(colour), 0.0
    for shade in _shades(colour):
        worst = min(contrast(shade, b) for b in against)
        if worst >= ratio:
            return shade
        if worst > best_worst:
            best, best_worst = shade, worst
    for plain in (QColor("black"), QColor("white")):
        worst = min(contrast(plain, b) for b in against)
        if worst > best_worst:
            best, best_worst = plain, worst
    return best


@dataclass(frozen=True)
class Colours:
    """The named colours of one palette (see `colours`)."""

    window: QColor  # a page's background
    window_text: QColor
    base: QColor  # a chart's or a list's background
    text: QColor
    notice_background: QColor  # the banners that say what cannot be done, and why
    notice_text: QColor
    notice_border: QColor
    problem: QColor  # a message saying what is wrong, on the window
    good: QColor  # a message saying all is well
    warning: QColor  # a warning that is not yet a problem
    muted: QColor  # help text under a question
    chart_ink: QColor  # the Star's area names and legend, on the chart's base
    ring: QColor  # the Star's stage rings and spokes
    ring_text: QColor  # the numbers on the rings
    latest: QColor  # the later Star reading's line
    earlier: QColor  # the earlier reading's dashed line
    track: QColor  # the dashboard bar's empty track
    bar: QColor  # a dashboard bar
    bar_met: QColor  # a bar that has reached its target
    target: QColor  # the target tick over a bar
    focus: QColor  # the frame round the bar (or anything painted) that has keyboard focus
    score_checked: QColor  # the chosen Star score button
    score_checked_text: QColor

    def named(self) -> dict[str, QColor]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


# (foreground, background, least contrast): every pair the app draws one on the other.
PAIRS: tuple[tuple[str, str, float], ...] = (
    ("notice_text", "notice_background", TEXT),
    ("notice_border", "window", GRAPHIC),
    ("problem", "window", TEXT),
    ("problem", "base", TEXT),
    ("good", "window", TEXT),
    ("warning", "window", TEXT),
    ("muted", "window", TEXT),
    ("muted", "base", TEXT),
    ("chart_ink", "base", TEXT),
    ("ring", "base", GRAPHIC),
    ("ring_text", "base", TEXT),
    ("latest", "base", GRAPHIC),
    ("earlier", "base", GRAPHIC),
    ("bar", "track", GRAPHIC),
    ("bar", "base", GRAPHIC),
    ("bar_met", "track", GRAPHIC),
    ("bar_met", "base", GRAPHIC),
    ("target", "bar", GRAPHIC),
    ("target", "bar_met", GRAPHIC),
    ("target", "track", GRAPHIC),
    ("focus", "base", GRAPHIC),
    ("focus", "window", GRAPHIC),
    ("score_checked", "window", GRAPHIC),
    ("score_checked_text", "score_checked", TEXT),
)


def colours(palette: QPalette | None = None) -> Colours:
    """The app's colours for `palette` (the application's when None)."""
    if palette is None:
        palette = QGuiApplication.palette()
    group = QPalette.ColorGroup.Active
    roles = (
        QPalette.ColorRole.Window,
        QPalette.ColorRole.WindowText,
        QPalette.ColorRole.Base,
        QPalette.ColorRole.Text,
        QPalette.ColorRole.Highlight,
    )
    key = tuple(palette.color(group, role).rgb() for role in roles)
    return _colours(key)


@lru_cache(maxsize=16)
def _colours(key: tuple[int, ...]) -> Colours:
    window, window_text, base, text, highlight = (QColor.fromRgb(v) for v in key)
    dark = luminance(window) < 0.2
    notice_background = mix(window, AMBER, 0.22 if dark else 0.32)
    notice_text = readable(window_text, notice_background)
    track = mix(base, text, 0.10)
    # The tick is black or white, whichever stands out more from the track (the most contrast
    # there is); the bars sit between it and their track, so both the tick over a bar and the
    # bar on its track stand out.
    target = max((QColor("black"), QColor("white")), key=lambda c: contrast(c, track))
    bar = readable(BLUE, track, base, target, ratio=GRAPHIC)
    bar_met = readable(GREEN, track, base, target, ratio=GRAPHIC)
    score_checked = readable(BLUE, window, ratio=GRAPHIC)
    score_checked_text = readable(
        QColor("white") if luminance(score_checked) < 0.18 else QColor("black"), score_checked
    )
    return Colours(
        window=window,
        window_text=window_text,
        base=base,
        text=text,
        notice_background=notice_background,
        notice_text=notice_text,
        notice_border=readable(mix(window, AMBER, 0.9), window, ratio=GRAPHIC),
        problem=readable(RED, window, base),
        good=readable(GREEN, window, base),
        warning=readable(BURNT, window, base),
        muted=readable(mix(window_text, window, 0.3), window, base),
        chart_ink=readable(text, base),
        ring=readable(mix(base, text, 0.45), base, ratio=GRAPHIC),
        ring_text=readable(mix(base, text, 0.6), base),
        latest=readable(BLUE, base, ratio=GRAPHIC),
        earlier=readable(ORANGE, base, ratio=GRAPHIC),
        track=track,
        bar=bar,
        bar_met=bar_met,
        target=target,
        # The dashboard paints its bars on the page, not on a list's base: both (issue 16).
        focus=readable(highlight, base, window, ratio=GRAPHIC),
        score_checked=score_checked,
        score_checked_text=score_checked_text,
    )


# ---- style sheets for labels -------------------------------------------------------------


def notice_style(palette: QPalette | None = None, *, padding: int = 6) -> str:
    """A notice banner's style sheet: text on a pale (or, in a dark palette, deep) amber."""
    c = colours(palette)
    return (
        f"background: {c.notice_background.name()}; color: {c.notice_text.name()}; "
        f"border: 1px solid {c.notice_border.name()}; padding: {padding}px; border-radius: 3px;"
    )


def text_style(name: str, palette: QPalette | None = None, extra: str = "") -> str:
    """A label's style sheet in one of the named colours ("problem", "good", "warning"...)."""
    colour: QColor = getattr(colours(palette), name)
    return f"color: {colour.name()};{(' ' + extra) if extra else ''}"
