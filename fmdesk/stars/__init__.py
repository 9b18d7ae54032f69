"""Star readings: instruments as data, readings, change over time, due dates and evidence.

    instrument.py  the instrument (areas, scale, stage bands), its file format and the catalogue
    reading.py     the StarReading record, completing it, and edits and deletions with a reason
    comparison.py  change between two readings, stage movement, and the table over time
    schedule.py    when the next reading is due (the caseload's "Star due")
    evidence.py    a reading as evidence for an outcome ("7 or more on the Star")

This package's names are the public face: `from fmdesk.stars import StarReading` works for
db/, reports/ and ui/. Inside fmdesk, import from the module that holds the name.
"""

from fmdesk.stars.comparison import (
    AreaChange,
    ReadingComparison,
    ReadingsRow,
    ReadingsTable,
    compare_readings,
    readings_table,
)
from fmdesk.stars.evidence import (
    StarEvidence,
    star_evidence,
)
from fmdesk.stars.instrument import (
    DEFAULT_INSTRUMENT_ID,
    INSTRUMENT_FILE_FORMAT,
    Area,
    Instrument,
    InstrumentCatalogue,
    StageBand,
    builtin_instruments,
    load_instrument,
    parse_instrument,
    split_ref,
    to_plain_instrument,
)
from fmdesk.stars.reading import (
    PARTICIPATION_LABELS,
    AreaScore,
    FieldChange,
    Participation,
    ReadingStatus,
    StarReading,
    StarReadingDeletion,
    StarReadingEdit,
    check_reading,
    complete_reading,
    completed_readings,
    delete_reading,
    edit_completed_reading,
    new_reading,
    reading_changes,
)
from fmdesk.stars.schedule import (
    DueState,
    StarDue,
    StarSchedule,
    next_star_due,
    star_due,
    star_due_after,
)

__all__ = [
    "DEFAULT_INSTRUMENT_ID",
    "INSTRUMENT_FILE_FORMAT",
    "PARTICIPATION_LABELS",
    "Area",
    "AreaChange",
    "AreaScore",
    "DueState",
    "FieldChange",
    "Instrument",
    "InstrumentCatalogue",
    "Participation",
    "ReadingComparison",
    "ReadingStatus",
    "ReadingsRow",
    "ReadingsTable",
    "StageBand",
    "StarDue",
    "StarEvidence",
    "StarReading",
    "StarReadingDeletion",
    "StarReadingEdit",
    "StarSchedule",
    "builtin_instruments",
    "check_reading",
    "compare_readings",
    "complete_reading",
    "completed_readings",
    "delete_reading",
    "edit_completed_reading",
    "load_instrument",
    "new_reading",
    "next_star_due",
    "parse_instrument",
    "reading_changes",
    "readings_table",
    "split_ref",
    "star_due",
    "star_due_after",
    "star_evidence",
    "to_plain_instrument",
]
