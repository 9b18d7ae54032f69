"""The whole-family assessment: templates as data, the Assessment record and its rules.

    template.py    the template model (sections, questions, rating scale), its file format and
                   the library of templates a store can use
    record.py      the Assessment record and the edits a draft takes (answers, indicators,
                   agencies)
    steps.py       the steps through the household, and where the flow resumes
    completion.py  what still blocks completion, signing off, sharing with the family
    reviews.py     copies and reviews, and the ratings that changed between them

The guided flow calls `steps()` for the step list, `missing_before_completion()` for what still
blocks completion, and `complete()` when the practitioner signs it off.

This package's names are the public face (`from fmdesk.assessment import Assessment`) for db/,
reports/ and ui/. Inside fmdesk, import from the module that holds the name.
"""

from fmdesk.assessment.completion import (
    AssessmentIncompleteError,
    Missing,
    complete,
    missing_before_completion,
    share_with_family,
)
from fmdesk.assessment.record import (
    AgencyInvolved,
    Answer,
    AnswerKey,
    Assessment,
    AssessmentState,
    IndicatorTick,
    at_step,
    new_assessment,
    set_agencies,
    set_answer,
    tick_indicator,
    untick_indicator,
)
from fmdesk.assessment.reviews import (
    Direction,
    RatingChange,
    rating_changes,
    start_copy,
    start_review,
)
from fmdesk.assessment.steps import (
    Step,
    household,
    resume_index,
    short_names,
    steps,
)
from fmdesk.assessment.template import (
    DEFAULT_RATING_SCALE,
    DEFAULT_TEMPLATE_ID,
    TEMPLATE_FOLDER,
    TEMPLATE_PACKAGE,
    E,
    Element,
    ElementKind,
    Option,
    RatingScale,
    Scope,
    Section,
    SectionKind,
    Source,
    Template,
    TemplateLibrary,
    bundled_templates,
    default_template,
    find_template,
    load_template,
    parse_template,
    parse_template_text,
)

__all__ = [
    "DEFAULT_RATING_SCALE",
    "DEFAULT_TEMPLATE_ID",
    "TEMPLATE_FOLDER",
    "TEMPLATE_PACKAGE",
    "AgencyInvolved",
    "Answer",
    "AnswerKey",
    "Assessment",
    "AssessmentIncompleteError",
    "AssessmentState",
    "Direction",
    "E",
    "Element",
    "ElementKind",
    "IndicatorTick",
    "Missing",
    "Option",
    "RatingChange",
    "RatingScale",
    "Scope",
    "Section",
    "SectionKind",
    "Source",
    "Step",
    "Template",
    "TemplateLibrary",
    "at_step",
    "bundled_templates",
    "complete",
    "default_template",
    "find_template",
    "household",
    "load_template",
    "missing_before_completion",
    "new_assessment",
    "parse_template",
    "parse_template_text",
    "rating_changes",
    "resume_index",
    "set_agencies",
    "set_answer",
    "share_with_family",
    "short_names",
    "start_copy",
    "start_review",
    "steps",
    "tick_indicator",
    "untick_indicator",
]
