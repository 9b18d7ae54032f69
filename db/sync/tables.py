"""The sync bookkeeping tables, and how values are written into them.

The tables (made by db/migrations.py: m003_sync) are per partner:
- `sync_partners`: each enrolled partner's enrolment, the last sequence we sent it, the highest
  sequence we imported from it, and the highest of our sequences it has acknowledged
  (db/sync/enrolment.py).
- `sync_base`: for each record, the last version both we and the partner know. A record whose
  revision differs from it is in the outbox: every export carries it until acknowledged
  (db/sync/outbox.py).
- `sync_sent`: which version of each record went in which bundle, so that an acknowledgement
  can move the base forward (db/sync/outbox.py).
- `sync_imported`: every bundle imported, by id, with its summary (importing twice is a no-op;
  db/sync/inbox.py).
- `sync_conflicts`: both values of every field two sides changed differently, until resolved
  (db/sync/field_conflicts.py).
- `sync_quarantine`: incoming records that failed validation, reported back in the next bundle
  (db/sync/quarantine.py).

Beside the tables, settings: when each partner last acknowledged one of our bundles
(`ACKNOWLEDGED_AT_SETTING`, written by db/sync/outbox.py, read by db/sync/overview.py); when
this store was last re-keyed (`REKEYED_SETTING`, written by db/rekey.py, sent in every bundle's
manifest by db/sync/outbox.py); and when each partner says its store was re-keyed
(`PARTNER_REKEYED_SETTING`, written by db/sync/inbox.py, shown by db/sync/overview.py).
"""

import datetime as dt
import json
from typing import Any

# {partner store id: when (UTC, ISO 8601) its latest acknowledgement of our bundles arrived}.
ACKNOWLEDGED_AT_SETTING = "sync.acknowledged_at"
# {"at": when (UTC, ISO 8601) this store was last re-keyed, "recovery": ...} (db/rekey.py).
REKEYED_SETTING = "security.rekeyed"
# {partner store id: when (UTC, ISO 8601) that partner's store says it was last re-keyed}.
PARTNER_REKEYED_SETTING = "sync.partner_rekeyed"


def rekeyed_at(settings: Any) -> str:
    """When this store was last re-keyed, from the value of `REKEYED_SETTING` ("" if never)."""
    return str(settings["at"]) if isinstance(settings, dict) and "at" in settings else ""


def dump(value: Any) -> str:
    """`value` as canonical JSON (sorted keys, no spaces), as the tables keep record bodies and
    conflicting values."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True)


def now() -> str:
    """The time a bundle was sent or received, or a conflict found or decided, in UTC."""
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
