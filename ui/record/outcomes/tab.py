"""The Outcomes tab of the family record: the family's outcomes framework, the indicators of need
ticked, eligibility with its reason, baseline and later measures, each outcome's progress toward
its sustained date, equivalent progress, and whether the family is ready to claim.

One panel per part, each a view in its own module, laid out here top to bottom:
- summary.py: the framework the family is attached under (it keeps that version; with none,
  pick one of the frameworks this store has, shipped or a council's file, and attach it), the
  notices, eligibility and the claim state.
- Three sections under it:
  - indicators.py: every indicator of the framework, ticked or not, for whom, when, on what
    evidence and by whom; tick and untick. Ticks from a completed whole-family assessment show
    here too but belong to the assessment.
  - measures.py: baseline and later figures (attendance, offences, benefits...), edited in place
    and saved as typed, as everywhere in the app.
  - evidence.py: each problem present and what meets it (an outcome, or equivalent progress
    approved by a named person, shown as such); each outcome achieved or not yet, since when,
    and a bar toward the day it will have been sustained; evidence, and a Star reading as
    evidence where allowed.

The tab holds the state (the FamilyOutcomes last read) and is the only one that reads and
writes: the panels are given what to show and say through signals what the user asked for.
Nothing is worked out on the GUI thread from the store: every read and write is a Task
(FeatureTab.read and .write), and the answers come from fmdesk.outcomes via db/outcomes.py.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtWidgets import QTabWidget, QVBoxLayout, QWidget

from db.families import FamilyRecord
from db.outcomes import (
    FamilyOutcomes,
    attach_family_framework,
    delete_outcome_records,
    load_family_outcomes,
    save_outcome_records,
    use_star_reading,
)
from fmdesk.assessment import Assessment
from fmdesk.claims import ClaimBatch
from fmdesk.definition import Definition
from fmdesk.families import Family, Person
from fmdesk.outcomes import OUTCOME_RECORD_CLASSES, Framework
from fmdesk.plans import FamilyPlan
from fmdesk.records import Record
from fmdesk.stars import StarReading
from ui.kit.dialogs import DraftKeeper
from ui.kit.pages import FeatureTab, kinds
from ui.kit.tasks import TaskContext, TaskRunner
from ui.record.outcomes.evidence import EvidencePanel
from ui.record.outcomes.indicators import IndicatorsPanel
from ui.record.outcomes.measures import MeasuresPanel
from ui.record.outcomes.summary import SummaryPanel


class OutcomesTab(FeatureTab):
    """The panels, the FamilyOutcomes they show, and the reads and writes they ask for.

    `summary`, `indicators`, `measures` and `evidence` are the panels (tests reach their widgets
    through them); `outcomes` is what was last read, `framework` its framework."""

    title = "O&utcomes"
    # The outcome records and claims, and all that the judgement reads: the family (its
    # framework), its people, the assessment and plan (claim requirements), Star readings (as
    # evidence) and the frameworks themselves.
    shows = kinds(
        *OUTCOME_RECORD_CLASSES,
        ClaimBatch,
        Family,
        Person,
        Assessment,
        FamilyPlan,
        StarReading,
        Definition,
    )

    def __init__(self, runner: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(runner, parent)
        self.outcomes: FamilyOutcomes | None = None

        self.summary = SummaryPanel(self)
        self.indicators = IndicatorsPanel(self)
        self.measures = MeasuresPanel(self)
        self.evidence = EvidencePanel(self)
        self.evidence.keep_drafts = self._drafts
        self.sections = QTabWidget(self)
        self.sections.setAccessibleName("Outcomes sections")
        self.sections.addTab(self.indicators, "Problems and &indicators")
        self.sections.addTab(self.measures, "&Measures")
        self.sections.addTab(self.evidence, "Outcomes and c&laim")

        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.sections, 1)

        self.summary.attach_requested.connect(self._attach)
        for panel in (self.indicators, self.measures, self.evidence):
            panel.save_requested.connect(self._save)
        self.indicators.delete_requested.connect(self._delete)
        self.measures.delete_requested.connect(self._delete)
        self.evidence.star_reading_requested.connect(self._use_star_reading)
        self._show(None)

    # ---- the family -----------------------------------------------------------------------

    def _drafts(self, kind: str) -> DraftKeeper | None:
        """Where an evidence dialog keeps its draft for the family shown (ui/kit/dialogs.py)."""
        return DraftKeeper(self.runner, self.record.family.id, kind) if self.record else None

    @property
    def read_only(self) -> bool:
        return self.record is None or self.record.family.is_read_only

    @property
    def framework(self) -> Framework | None:
        return self.outcomes.framework if self.outcomes else None

    def open_family(self, record: FamilyRecord) -> None:
        if self.record is None or self.record.family.id != record.family.id:
            self.flush()
            self._show(None)
        super().open_family(record)

    def reload(self) -> None:
        """Read the family's outcome picture on the worker."""
        if self.record is None:
            return
        family_id = self.record.family.id
        self.read(lambda ctx: load_family_outcomes(ctx.store, family_id), self._show)

    def flush(self) -> None:
        self.measures.flush()

    def clear(self) -> None:
        self.flush()
        super().clear()
        self._show(None)

    def _show(self, outcomes: FamilyOutcomes | None) -> None:
        self.outcomes = outcomes
        read_only = self.read_only
        # With no family open nothing is said: read_only is then only "nothing to change".
        reason = (
            self.record.family.read_only_reason if self.record is not None and read_only else ""
        )
        self.summary.show_outcomes(outcomes, read_only=read_only, read_only_reason=reason)
        self.indicators.show_outcomes(outcomes, read_only=read_only)
        self.measures.show_outcomes(outcomes, read_only=read_only)
        self.evidence.show_outcomes(outcomes, read_only=read_only)

    # ---- writing what the panels ask for ----------------------------------------------------

    def _run_write(self, op: Callable[[TaskContext], Any]) -> None:
        """Run one write on the worker, then read the picture again (FeatureTab.write and
        .read: a read older than a later write is read again)."""
        self.write(op, lambda _: self.reload())

    def _save(self, records: Sequence[Record]) -> None:
        if self.record is None or self.read_only or not records:
            return
        family_id = self.record.family.id
        chosen = list(records)
        self._run_write(lambda ctx: save_outcome_records(ctx.store, family_id, chosen))

    def _delete(self, records: Sequence[Record]) -> None:
        if self.record is None or self.read_only or not records:
            return
        family_id = self.record.family.id
        chosen = list(records)
        self._run_write(lambda ctx: delete_outcome_records(ctx.store, family_id, chosen))

    def _attach(self, ref: str) -> None:
        if self.record is None or self.read_only or not ref:
            return
        family_id = self.record.family.id
        self._run_write(lambda ctx: attach_family_framework(ctx.store, family_id, ref))

    def _use_star_reading(self, outcome: str, area: str) -> None:
        if self.record is None or self.read_only or not area:
            return
        family_id = self.record.family.id
        self._run_write(lambda ctx: use_star_reading(ctx.store, family_id, outcome, area))
