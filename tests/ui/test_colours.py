"""The app's colours in a light, a dark and a high-contrast palette: every pair it draws one on
the other reaches WCAG 2.2 AA (text 4.5:1, graphics 3:1), and the screens use them."""

import pytest
from PySide6.QtGui import QColor, QPalette

from ui.kit.colours import PAIRS, colours, contrast


def make_palette(window: str, text: str, base: str, highlight: str) -> QPalette:
    palette = QPalette()
    for role, value in (
        (QPalette.ColorRole.Window, window),
        (QPalette.ColorRole.WindowText, text),
        (QPalette.ColorRole.Base, base),
        (QPalette.ColorRole.AlternateBase, base),
        (QPalette.ColorRole.Text, text),
        (QPalette.ColorRole.Button, window),
        (QPalette.ColorRole.ButtonText, text),
        (QPalette.ColorRole.Highlight, highlight),
        (QPalette.ColorRole.HighlightedText, base),
    ):
        palette.setColor(role, QColor(value))
    return palette


PALETTES = {
    "light": make_palette("#efefef", "#000000", "#ffffff", "#308cc6"),
    "dark": make_palette("#2d2d2d", "#ffffff", "#1e1e1e", "#2a82da"),
    "windows high contrast black": make_palette("#000000", "#ffffff", "#000000", "#1aebff"),
    "windows high contrast white": make_palette("#ffffff", "#000000", "#ffffff", "#37006e"),
    "grey dark": make_palette("#3c3f41", "#bbbbbb", "#2b2b2b", "#4b6eaf"),
}


@pytest.mark.parametrize("name", PALETTES)
def test_every_pair_is_readable(qapp, name: str) -> None:
    named = colours(PALETTES[name]).named()
    too_faint = [
        f"{fg} on {bg}: {contrast(named[fg], named[bg]):.2f}:1 (needs {least}:1)"
        for fg, bg, least in PAIRS
        if contrast(named[fg], named[bg]) < least
    ]
    assert not too_faint, f"{name}: {too_faint}"
