"""`fmdesk plan wording FILE`: the council's own words on the printed plan, checked against the
schema and kept in the store; `plan print` then uses them, and the Star chart has its numbers."""

import json
from importlib import resources
from pathlib import Path

from pypdf import PdfReader

from tests.integration.test_cli_plan import REFERENCE, fmdesk, home  # noqa: F401 - the fixture


def pdf_words(path: Path) -> str:
    return " ".join(" ".join(p.extract_text() for p in PdfReader(path).pages).split())


def shipped() -> dict:
    entry = resources.files("fmdesk").joinpath("definitions", "plan-text", "plan-text.json")
    return json.loads(entry.read_text(encoding="utf-8"))


def test_the_councils_wording_prints_and_bad_wording_is_refused(
    home: Path,  # noqa: F811 - the fixture
    tmp_path: Path,
) -> None:
    before = tmp_path / "before.pdf"
    assert fmdesk(home, "plan", "print", REFERENCE, "-o", str(before)).returncode == 0
    words = pdf_words(before)
    assert "If you need help urgently" in words
    assert "Childline" in words
    assert "Your consent and your information" in words
    # The Star chart's numbers: every area went from 3 to 6.
    assert "3 February 2025 28 April 2025 Change" in words
    assert words.count("3 6 +3") == 10

    ours = shipped()
    ours["crisis_contacts"] = [
        {"who": "Anyshire children's services out of hours", "number": "01632 960000"}
    ]
    ours["privacy_words"] = ["Anyshire Council's privacy notice says how we keep your details."]
    council = tmp_path / "anyshire-plan.json"
    council.write_text(json.dumps(ours), encoding="utf-8")
    done = fmdesk(home, "plan", "wording", str(council))
    assert done.returncode == 0, done.stderr
    assert "Plans now print in the wording of anyshire-plan.json." in done.stdout
    assert "the council's own wording" in fmdesk(home, "plan", "wording").stdout

    after = tmp_path / "after.pdf"
    assert fmdesk(home, "plan", "print", REFERENCE, "-o", str(after)).returncode == 0
    words = pdf_words(after)
    assert "Anyshire children's services out of hours 01632 960000" in words
    assert "Childline" not in words
    assert "Anyshire Council's privacy notice" in words

    ours["older_child_age"] = 3
    council.write_text(json.dumps(ours), encoding="utf-8")
    refused = fmdesk(home, "plan", "wording", str(council))
    assert refused.returncode != 0
    assert "anyshire-plan.json: older_child_age: expected a whole number of years from 8 to 17" in (
        refused.stderr + refused.stdout
    )
    assert "Traceback" not in refused.stderr
    # Nothing written: the good wording is still the one in use.
    assert "the council's own wording" in fmdesk(home, "plan", "wording").stdout
    assert fmdesk(home, "plan", "wording", "--shipped").returncode == 0
    assert "fmdesk's own wording" in fmdesk(home, "plan", "wording").stdout
