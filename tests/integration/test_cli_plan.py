"""`fmdesk plan print` and `plan show` end to end: a real store and PDF, the commands run in this
process (tests/cli.py), and a real process at a pseudo-terminal for the hidden prompt."""

import datetime as dt
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from pypdf import PdfReader

from db.plans import save_plan_version
from fmdesk.families import Family, FamilyStatus, Person, PersonRole
from fmdesk.plans import ActionOwner, ActionStatus, PlanAction, PlanGoal, first_plan, new_version
from fmdesk.roles import Role
from fmdesk.stars import InstrumentCatalogue, complete_reading, new_reading
from fmdesk.taf import TafMember
from tests.cli import Ran, run_cli
from tests.conftest import TEST_PASSPHRASE, StoreTemplates

REFERENCE = "FM-2025-0007"


@pytest.fixture
def home(tmp_path: Path, store_templates: StoreTemplates) -> Path:
    """An fmdesk home holding a store with one family, a two-version plan and two Star readings,
    and one family with no plan."""
    home = tmp_path / "home"
    store = store_templates.open(home / "store", Role.PRACTITIONER, name="Pat Keyworker")
    try:
        family = Family(
            reference=REFERENCE,
            name="Ó Briain family",
            status=FamilyStatus.ACTIVE,
            lead_practitioner="Pat Keyworker",
        )
        mum = Person(
            family_id=family.id,
            role=PersonRole.PARENT_CARER,
            given_name="Siobhán",
            family_name="Ó Briain",
        )
        nurse = TafMember(
            family_id=family.id, agency="School health", role="School nurse", name="Zoë Adeyemi"
        )
        goal = PlanGoal(
            words="Aoife gets to school on time",
            problems=("2",),
            actions=(
                PlanAction(
                    what="Walk to school together",
                    owner=ActionOwner.family_member(mum.id),
                    by_when=dt.date(2025, 3, 14),
                ),
                PlanAction(
                    what="Breakfast club place",
                    owner=ActionOwner.agency_worker("School health", "Zoë Adeyemi"),
                    by_when=dt.date(2025, 3, 7),
                ),
            ),
        )
        store.save(family, mum, nurse, Family(reference="FM-2025-0008", name="Empty family"))
        one = save_plan_version(
            store, first_plan(family.id, made_on=dt.date(2025, 2, 3), goals=[goal])
        )
        done = goal.replace(
            actions=(goal.actions[0].replace(status=ActionStatus.DONE), goal.actions[1])
        )
        save_plan_version(store, new_version(one, made_on=dt.date(2025, 4, 28), goals=[done]))
        instrument = InstrumentCatalogue().default
        for taken_on, score in ((dt.date(2025, 2, 3), 3), (dt.date(2025, 4, 28), 6)):
            reading = new_reading(instrument, family_id=family.id, taken_on=taken_on)
            for area in instrument.areas:
                reading = reading.with_score(area.id, score)
            store.save(complete_reading(reading, instrument))
    finally:
        store.close()
    return home


def _env(home: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("FMDESK_")}
    env["PYTHON_KEYRING_BACKEND"] = "keyring.backends.null.Keyring"  # never a real keychain
    return {**env, "FMDESK_HOME": str(home), "FMDESK_PASSPHRASE": TEST_PASSPHRASE, **extra}


def fmdesk(home: Path, *args: str, **env: str) -> Ran:
    return run_cli(
        *args, env={"FMDESK_HOME": str(home), "FMDESK_PASSPHRASE": TEST_PASSPHRASE, **env}
    )


def fmdesk_at_a_terminal(home: Path, *args: str, answers: dict[str, str]) -> tuple[int, str]:
    """Run fmdesk with a pseudo-terminal as its controlling terminal, as a person at a
    keyboard would, typing each answer when its prompt appears; returns the exit code and
    everything the terminal showed."""
    import pty  # POSIX only, like the test that uses it
    import select

    main_fd, child_fd = pty.openpty()
    # In a session of its own the child opens the terminal by name, which makes it the
    # controlling terminal that a hidden prompt reads from (getpass opens /dev/tty).
    start = (
        f"import os; fd = os.open({os.ttyname(child_fd)!r}, os.O_RDWR); "
        "[os.dup2(fd, n) for n in (0, 1, 2)]; from ui.main import main; main()"
    )
    child = subprocess.Popen(
        [sys.executable, "-c", start, *args],
        env=_env(home),
        stdin=child_fd,
        stdout=child_fd,
        stderr=child_fd,
        start_new_session=True,
    )
    os.close(child_fd)
    shown, pending = b"", dict(answers)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        ready, _, _ = select.select([main_fd], [], [], 1)
        if not ready:
            if child.poll() is not None:
                break
            continue
        try:
            chunk = os.read(main_fd, 4096)
        except OSError:  # EIO: the child has closed the terminal
            break
        if not chunk:
            break
        shown += chunk
        for prompt in list(pending):
            if shown.rstrip().endswith(prompt.encode()):
                os.write(main_fd, pending.pop(prompt).encode() + b"\n")
    os.close(main_fd)
    return child.wait(timeout=60), shown.decode("utf-8", "replace")


def test_plan_print_writes_a_password_protected_plan_with_the_star_chart(
    home: Path, tmp_path: Path
) -> None:
    out = tmp_path / "plan.pdf"
    result = fmdesk(
        home,
        "plan",
        "print",
        REFERENCE.lower(),
        "-o",
        str(out),
        "--password",
        "kite-harbour",
        "--marking",
        "OFFICIAL",
    )
    assert result.returncode == 0, result.stderr
    assert f"Wrote the plan for {REFERENCE}" in result.stdout
    reader = PdfReader(out)
    assert reader.is_encrypted
    assert reader.decrypt("wrong") == 0
    assert reader.decrypt("kite-harbour") != 0
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert "Ó Briain family" in text
    assert "Version 2, agreed on 28 April 2025" in text
    assert "Aoife gets to school on time" in text
    assert "Breakfast club place" in text
    assert "Zoë Adeyemi\nSchool nurse, School health" in text  # she signs the plan
    assert "Star reading of 28 April 2025 (latest)" in text  # the Star chart's legend
    assert "OFFICIAL" in text
    assert "OFFICIAL-SENSITIVE" not in text


def test_plan_print_without_password_uses_the_default_marking(home: Path, tmp_path: Path) -> None:
    out = tmp_path / "plain.pdf"
    result = fmdesk(home, "plan", "print", REFERENCE, "-o", str(out))
    assert result.returncode == 0, result.stderr
    reader = PdfReader(out)
    assert not reader.is_encrypted
    assert "OFFICIAL-SENSITIVE" in reader.pages[0].extract_text()


def test_plan_print_explains_an_unknown_family_and_a_family_with_no_plan(
    home: Path, tmp_path: Path
) -> None:
    out = tmp_path / "none.pdf"
    unknown = fmdesk(home, "plan", "print", "FM-1999-0001", "-o", str(out))
    assert unknown.returncode == 1
    assert "No family with reference FM-1999-0001" in unknown.stderr
    assert "Traceback" not in unknown.stderr
    empty = fmdesk(home, "plan", "print", "FM-2025-0008", "-o", str(out))
    assert empty.returncode == 1
    assert "There is no plan for Empty family" in empty.stderr
    assert not out.exists()


def test_plan_show_lists_actions_and_the_changes_since_the_last_version(home: Path) -> None:
    result = fmdesk(home, "plan", "show", REFERENCE)
    assert result.returncode == 0, result.stderr
    assert "plan version 2" in result.stdout
    assert "Walk to school together | Siobhán Ó Briain | by 14 March 2025 | Done" in result.stdout
    assert "Changes since version 1:" in result.stdout
    assert "Action “Walk to school together”: not started → done." in result.stdout


@pytest.mark.skipif(sys.platform == "win32", reason="a pseudo-terminal needs POSIX")
def test_ask_password_takes_the_password_at_a_hidden_prompt_typed_twice(
    home: Path, tmp_path: Path
) -> None:
    out = tmp_path / "asked.pdf"
    code, shown = fmdesk_at_a_terminal(
        home,
        "plan",
        "print",
        REFERENCE,
        "-o",
        str(out),
        "--ask-password",
        answers={
            "Password for the PDF:": "kite-harbour",
            "Repeat for confirmation:": "kite-harbour",
        },
    )
    assert code == 0, shown
    assert "kite-harbour" not in shown  # hidden as it was typed
    assert "(password protected)" in shown
    reader = PdfReader(out)
    assert reader.is_encrypted
    assert reader.decrypt("kite-harbour") != 0


def test_the_pdf_password_comes_from_the_environment_for_scripts(
    home: Path, tmp_path: Path
) -> None:
    out = tmp_path / "scripted.pdf"
    result = fmdesk(home, "plan", "print", REFERENCE, "-o", str(out), FMDESK_PDF_PASSWORD="gull")
    assert result.returncode == 0, result.stderr
    assert "(password protected)" in result.stdout
    reader = PdfReader(out)
    assert reader.is_encrypted
    assert reader.decrypt("gull") != 0
    also = tmp_path / "asked-in-a-script.pdf"
    asked = fmdesk(
        home,
        "plan",
        "print",
        REFERENCE,
        "-o",
        str(also),
        "--ask-password",
        FMDESK_PDF_PASSWORD="gull",
    )
    assert asked.returncode == 0, asked.stderr
    assert PdfReader(also).decrypt("gull") != 0


def test_a_password_that_cannot_be_had_is_refused_before_anything_is_written(
    home: Path, tmp_path: Path
) -> None:
    out = tmp_path / "refused.pdf"
    no_terminal = fmdesk(home, "plan", "print", REFERENCE, "-o", str(out), "--ask-password")
    assert no_terminal.returncode == 1
    assert no_terminal.stderr.strip() == (
        "fmdesk: No PDF password: set FMDESK_PDF_PASSWORD or run in a terminal."
    )
    both = fmdesk(
        home, "plan", "print", REFERENCE, "-o", str(out), "--ask-password", "--password", "x"
    )
    assert both.returncode == 2
    assert "not both" in both.stderr
    blank = fmdesk(home, "plan", "print", REFERENCE, "-o", str(out), "--password", " ")
    assert blank.returncode == 1
    assert "The password cannot be blank" in blank.stderr
    marking = fmdesk(home, "plan", "print", REFERENCE, "-o", str(out), "--marking", " ")
    assert marking.returncode == 1
    assert marking.stderr.strip() == (
        "fmdesk: The marking cannot be blank; the default is OFFICIAL-SENSITIVE."
    )
    assert not out.exists()
    helped = fmdesk(home, "plan", "print", "--help").stdout
    assert "shell history" in helped
    assert "--ask-password" in helped
