"""Families imported from the council's identification CSV were found by the council's data:
their referral source says so, and the dashboard's referral-source figure counts them."""

import json
from pathlib import Path

from db.store import Store
from fmdesk.families import Family, ReferralSource
from tests.integration.test_cli import PASSPHRASE, fmdesk
from tests.integration.test_identification_from_data import ROWS, csv_file, home

__all__ = ["home"]  # the fixture, shared


def test_imported_families_are_counted_as_identified_from_the_councils_data(
    home: Path, tmp_path: Path
) -> None:
    done = fmdesk(home, "families", "import-csv", str(csv_file(tmp_path, *ROWS)))
    assert done.returncode == 0, done.stderr
    with Store.open(home / "store", PASSPHRASE) as store:
        sources = {f.reference: f.referral_source for f in store.list(Family)}
    assert sources == {"K-1": ReferralSource.DATA_MATCHING, "K-2": ReferralSource.DATA_MATCHING}

    board = fmdesk(home, "programme", "dashboard", "--json")
    assert board.returncode == 0, board.stderr
    sections = {s["key"]: s for s in json.loads(board.stdout)["sections"]}
    figures = {f["label"]: f for f in sections["referrals"]["figures"]}
    assert figures["Identified from the council's data"]["value"] == 2
    assert figures["Not recorded"]["value"] == 0
