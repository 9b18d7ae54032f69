"""One change signal: after a write, each screen reloads only if it shows what changed.

Counted on a real window over a real store: each feature tab's reads (its `reload`, wrapped to
count and then do the real thing) and each list of the family page (its model's `modelReset`,
the signal a view redraws on).
"""

from collections.abc import Callable

from PySide6.QtWidgets import QPlainTextEdit

from db.store import Store
from fmdesk.families import CaseNote, Family, FamilyStatus
from tests.conftest import TEST_PASSPHRASE
from tests.ui.conftest import unlock
from ui.kit.pages import FeatureTab
from ui.record.family_page import FamilyPage
from ui.window.main_window import MainWindow


def open_family(qtbot, window: MainWindow, path) -> Family:
    with Store.open(path, TEST_PASSPHRASE) as store:
        family = next(f for f in store.list(Family) if f.status is not FamilyStatus.CLOSED)
    unlock(qtbot, window)
    window.open_family(family.id)
    qtbot.waitUntil(lambda: window.pages.currentWidget() is window.family_page)
    qtbot.waitUntil(lambda: not window.runner.busy)
    return family


def count_reloads(monkeypatch, tabs: list[FeatureTab]) -> dict[str, int]:
    counts = {type(t).__name__: 0 for t in tabs}
    for tab in tabs:
        real: Callable[..., None] = tab.reload

        monkeypatch.setattr(tab, "reload", _counting(real, counts, type(tab).__name__))
    return counts


def _counting(real: Callable[..., None], counts: dict[str, int], name: str) -> Callable[..., None]:
    def counted(*args: object, **kwargs: object) -> None:
        counts[name] += 1
        real(*args, **kwargs)

    return counted


def count_resets(page: FamilyPage) -> dict[str, int]:
    counts: dict[str, int] = {}
    for name in ("people_model", "consent_model", "notes_model"):
        counts[name] = 0
        model = getattr(page, name)
        model.modelReset.connect(lambda name=name: counts.__setitem__(name, counts[name] + 1))
    return counts


def test_saving_a_note_reloads_the_notes_view_and_nothing_else(
    qtbot, make_window, make_store, monkeypatch
) -> None:
    path = make_store(4)
    window = make_window(path)
    family = open_family(qtbot, window, path)
    page = window.family_page
    page.tabs.setCurrentIndex(3)  # Notes and visits
    tabs = count_reloads(monkeypatch, page.feature_tabs)
    views = count_resets(page)

    page.new_note_button.click()
    qtbot.waitUntil(lambda: page.note_form.record is not None and not page.note_form.record.text)
    text = page.note_form.editor("text")
    assert isinstance(text, QPlainTextEdit)
    text.setPlainText("Home visit: Mum says mornings are calmer.")
    page.note_form.flush()
    qtbot.waitUntil(lambda: not window.runner.busy)

    with Store.open(path, TEST_PASSPHRASE) as store:
        notes = store.list(CaseNote, family_id=family.id)
    assert any(n.text == "Home visit: Mum says mornings are calmer." for n in notes)
    assert views["notes_model"] >= 1  # the new note is listed
    assert views["people_model"] == views["consent_model"] == 0
    # The Timeline shows every kind, but is not on screen: it reads when it is next shown.
    assert tabs == {
        "AssessmentTab": 0,
        "StarTab": 0,
        "PlanTab": 0,
        "OutcomesTab": 0,
        "TimelineTab": 0,
    }

    timeline = next(t for t in page.feature_tabs if type(t).__name__ == "TimelineTab")
    page.tabs.setCurrentWidget(timeline)  # now the timeline catches up
    qtbot.waitUntil(lambda: tabs["TimelineTab"] == 1 and not window.runner.busy)
    model = timeline.model  # type: ignore[attr-defined]
    assert any("calmer" in (model.index(r, 3).data() or "") for r in range(model.rowCount()))


def test_a_change_to_the_household_reaches_the_tabs_that_show_people(
    qtbot, make_window, make_store, monkeypatch
) -> None:
    path = make_store(4)
    window = make_window(path)
    open_family(qtbot, window, path)
    page = window.family_page
    page.tabs.setCurrentIndex(1)  # Household
    tabs = count_reloads(monkeypatch, page.feature_tabs)
    views = count_resets(page)

    page.add_child_button.click()
    qtbot.waitUntil(lambda: not window.runner.busy)

    assert views["people_model"] >= 1
    assert views["notes_model"] == 0
    # The plan (who owns an action) and outcomes (whose indicators) show people; they read
    # again when next shown. The assessment and Star tabs take the household from the record.
    assert tabs["AssessmentTab"] == 0
    assert tabs["StarTab"] == 0
    plan = next(t for t in page.feature_tabs if type(t).__name__ == "PlanTab")
    page.tabs.setCurrentWidget(plan)
    qtbot.waitUntil(lambda: not window.runner.busy)
    assert tabs["PlanTab"] == 1
    assert tabs["OutcomesTab"] == 0  # still hidden
