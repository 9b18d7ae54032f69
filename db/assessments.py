"""Whole-family assessments through the encrypted store: the templates this store can use, one
family's list, one save.

The templates are fmdesk's own plus the council's, held in the store as Definition records
(fmdesk/definition.py, db/definitions.py), which bundles carry to practitioners; the store's
library of them is built once and kept (db/library.py `definitions`).

Each function is one call from the UI's worker thread (or a test, or the command line); each write
is one transaction. The rules themselves (steps, completion, reviews) live in fmdesk.assessment.
"""

import dataclasses
import datetime as dt
from pathlib import Path
from typing import cast

from db.library import add_definition_file, definitions
from db.store import Store
from fmdesk.assessment import Assessment, Template, TemplateLibrary
from fmdesk.definition import DefinitionKind
from fmdesk.errors import UserError, ValidationError


@dataclasses.dataclass(frozen=True)
class Templates:
    """The templates this store can use, and a sentence for each council template left out
    (an id@version already loaded with different content)."""

    library: TemplateLibrary
    problems: tuple[str, ...] = ()


def load_templates(store: Store) -> Templates:
    """fmdesk's templates plus the council's held in the store, oldest first, from the
    store's kept library: shared, so read-only."""
    found = definitions(store)
    return Templates(found.templates, found.problems_of(DefinitionKind.TEMPLATE))


def add_template_file(store: Store, path: str | Path) -> Template:
    """Check a council's assessment template file and keep its content in the store (a
    Definition record, which bundles carry to practitioners); new assessments then start from
    it. Raises ValidationError naming the file and field, or when the same id@version is
    already loaded with different content."""
    return cast(Template, add_definition_file(store, DefinitionKind.TEMPLATE, path))


def load_assessments(store: Store, family_id: str) -> list[Assessment]:
    """The family's assessments, newest first (by the day started, then the last saved)."""
    found = store.list(Assessment, family_id=family_id)
    found.sort(key=lambda a: (a.started_on or dt.date.min, a.revision), reverse=True)
    return found


def load_assessment(store: Store, assessment_id: str) -> Assessment:
    assessment = store.get(Assessment, assessment_id)
    if assessment is None or assessment.deleted:
        raise UserError("That assessment is no longer in this store.")
    return assessment


def save_assessment(store: Store, assessment: Assessment) -> Assessment:
    """Save a draft (or its completion, or sharing) and return the saved copy.

    A completed assessment is read-only everywhere: a stored completed assessment is never
    overwritten with different answers (say a draft left open in another window)."""
    with store.transaction():
        stored = store.get(Assessment, assessment.id)
        if stored is not None and stored.is_read_only:
            unchanged = assessment.replace(revision=stored.revision) == stored
            shared_now = assessment.shared_on is not None and stored.shared_on is None
            same_content = _without_sharing(assessment) == _without_sharing(stored)
            if not unchanged and not (shared_now and same_content):
                raise ValidationError(
                    "This assessment was completed and can no longer be changed. "
                    "Start a review to record what has changed."
                )
        (saved,) = store.save(assessment)
    return saved


def _without_sharing(assessment: Assessment) -> tuple:
    # Every field but the bookkeeping that sharing (or a save) changes.
    return (
        assessment.template,
        assessment.answers,
        assessment.indicators,
        assessment.agencies,
        assessment.completed_on,
        assessment.completed_by,
        assessment.review_of,
        assessment.copied_from,
        assessment.family_id,
    )
