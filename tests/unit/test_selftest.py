"""`fmdesk self-test`: every step passes on a working copy, and each one, made to fail for real
(a damaged font, a broken definition file, a folder that cannot be written, a Qt platform that
is not there), says what went wrong and what to do. The stores are real SQLCipher files."""

import io
import json
import os
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pypdf
import pytest

from db.keyslots import KdfParams
from fmdesk.sync.bundle import AGE_MAGIC
from reports.base import FONT_DIR
from tests.cli import Ran, run_cli, run_program
from ui.actions.selftest import (
    FAMILY_NAME,
    SelfTestReport,
    StepResult,
    StepStatus,
    run_self_test,
    shipped_definitions,
)

STEPS = [
    "Program files",
    "Encrypted store",
    "Family record",
    "Plan PDF",
    "Sync bundle",
    "Keychain",
]


def self_test(work_dir: Path, **options: object) -> SelfTestReport:
    """The self-test without its window step (pytest-qt owns this process's QApplication) and
    with cheap key derivation; the command-line tests below run it whole."""
    return run_self_test(work_dir, kdf=KdfParams.fast(), **options)  # type: ignore[arg-type]


def step(report: SelfTestReport, name: str) -> StepResult:
    return next(s for s in report.steps if s.name == name)


def statuses(report: SelfTestReport) -> dict[str, StepStatus]:
    return {s.name: s.status for s in report.steps}


def test_every_step_passes_and_leaves_a_real_pdf_and_an_encrypted_bundle(
    tmp_path: Path,
) -> None:
    seen: list[str] = []
    report = self_test(tmp_path / "work", report=lambda s: seen.append(s.name))

    assert report.passed, report.steps
    assert seen == STEPS == [s.name for s in report.steps]
    assert step(report, "Keychain").status is StepStatus.INFO
    plan = pypdf.PdfReader(io.BytesIO((tmp_path / "work" / "plan.pdf").read_bytes()))
    assert FAMILY_NAME in plan.pages[0].extract_text()
    assert "protected a copy with a password (AES-256)" in step(report, "Plan PDF").detail
    bundle = (tmp_path / "work" / "to-coordinator.fmb").read_bytes()
    assert bundle.startswith(AGE_MAGIC)
    assert FAMILY_NAME.encode() not in bundle
    assert (
        not (tmp_path / "work" / "practitioner" / "fmdesk.db")
        .read_bytes()
        .startswith(b"SQLite format 3")
    )


def test_a_damaged_font_fails_the_program_files_step_and_names_the_file(
    tmp_path: Path,
) -> None:
    fonts = tmp_path / "fonts"
    shutil.copytree(FONT_DIR, fonts)
    bold = fonts / "DejaVuSans-Bold.ttf"
    bold.write_bytes(bold.read_bytes()[:2000])  # cut short, as by a failed copy

    report = self_test(tmp_path / "work", font_dir=fonts)

    files = step(report, "Program files")
    assert files.status is StepStatus.FAILED
    assert str(bold) in files.detail
    assert "damaged" in files.detail
    assert "Reinstall fmdesk" in files.detail
    assert not report.passed
    # The store, the family, the PDF and the bundle do not depend on that copy of the fonts.
    assert statuses(report)["Sync bundle"] is StepStatus.OK


def test_a_missing_font_says_no_pdf_can_be_printed(tmp_path: Path) -> None:
    fonts = tmp_path / "fonts"
    shutil.copytree(FONT_DIR, fonts)
    (fonts / "DejaVuSans.ttf").unlink()

    files = step(self_test(tmp_path / "work", font_dir=fonts), "Program files")

    assert files.status is StepStatus.FAILED
    assert f"{fonts / 'DejaVuSans.ttf'} is missing, so no PDF can be printed" in files.detail


def test_a_broken_definition_file_is_named_with_the_field(tmp_path: Path) -> None:
    definitions = tmp_path / "definitions"
    shutil.copytree(shipped_definitions(), definitions)
    framework = definitions / "frameworks" / "families-matter-2015.json"
    data = json.loads(framework.read_text(encoding="utf-8"))
    data["problems"][1]["outcomes"][0]["period"] = "forever"
    framework.write_text(json.dumps(data), encoding="utf-8")

    files = step(self_test(tmp_path / "work", definitions_dir=definitions), "Program files")

    assert files.status is StepStatus.FAILED
    assert "families-matter-2015.json: problems[1].outcomes[0].period" in files.detail
    assert "Reinstall fmdesk" in files.detail


def test_missing_star_instruments_are_reported(tmp_path: Path) -> None:
    definitions = tmp_path / "definitions"
    shutil.copytree(shipped_definitions(), definitions)
    shutil.rmtree(definitions / "instruments")

    files = step(self_test(tmp_path / "work", definitions_dir=definitions), "Program files")

    assert files.status is StepStatus.FAILED
    assert f"No instruments were found in {definitions / 'instruments'}" in files.detail


def test_a_folder_that_cannot_be_written_fails_the_store_and_skips_what_needs_it(
    tmp_path: Path,
) -> None:
    # A file where the work folder's parent should be: no one, root included, can make a
    # folder inside it.
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("in the way")
    work = blocker / "work"

    report = self_test(work)

    store = step(report, "Encrypted store")
    assert store.status is StepStatus.FAILED
    assert f"Could not create a store in {work / 'practitioner'}" in store.detail
    assert "folder it can write to" in store.detail
    assert statuses(report) == {
        "Program files": StepStatus.OK,
        "Encrypted store": StepStatus.FAILED,
        "Family record": StepStatus.SKIPPED,
        "Plan PDF": StepStatus.SKIPPED,
        "Sync bundle": StepStatus.SKIPPED,
        "Keychain": StepStatus.INFO,
    }
    assert step(report, "Plan PDF").detail == "needs the family record"
    assert not report.passed


def test_a_plan_pdf_that_cannot_be_written_says_where(tmp_path: Path) -> None:
    work = tmp_path / "work"
    (work / "plan.pdf").mkdir(parents=True)  # a folder already has the PDF's name

    report = self_test(work)

    plan = step(report, "Plan PDF")
    assert plan.status is StepStatus.FAILED
    assert f"Could not write the plan PDF to {work / 'plan.pdf'}" in plan.detail
    assert statuses(report)["Sync bundle"] is StepStatus.OK


def test_a_bundle_that_cannot_be_written_fails_the_sync_step(tmp_path: Path) -> None:
    work = tmp_path / "work"
    (work / "to-coordinator.fmb").mkdir(parents=True)

    report = self_test(work)

    bundle = step(report, "Sync bundle")
    assert bundle.status is StepStatus.FAILED
    assert str(work / "to-coordinator.fmb") in bundle.detail
    assert statuses(report)["Plan PDF"] is StepStatus.OK


# ---- the command, end to end -----------------------------------------------------------------


def run_command(
    home: Path, *args: str, qt_platform: str = "offscreen"
) -> subprocess.CompletedProcess[str]:
    """The whole command, desktop step included, in a fresh process: pytest-qt owns this
    process's QApplication, and the step is about starting Qt from nothing."""
    env = {"FMDESK_HOME": str(home), "QT_QPA_PLATFORM": qt_platform}
    return run_program("self-test", *args, env=env, timeout=180)


def self_test_command(home: Path, *args: str) -> Ran:
    """The command in this process, for what it says before any step runs and where it works
    (no desktop step: no Hooks)."""
    return run_cli("self-test", *args, env={"FMDESK_HOME": str(home)})


def test_the_command_passes_every_step_and_leaves_no_store_behind(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()

    result = run_command(home)

    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("fmdesk 0.1.0 self-test (from source")
    for name in [*STEPS[:-1], "Desktop window"]:
        assert any(line.split()[:1] == ["ok"] and name in line for line in lines), name
    assert "drew a window with Qt on the 'offscreen' platform" in result.stdout
    assert lines[-1] == "Every step passed: this copy of fmdesk works."
    assert list(home.iterdir()) in ([], [home / "logs"])  # the user's store is never made


def test_a_missing_qt_platform_fails_the_window_step_with_one_line_on_stderr(
    tmp_path: Path,
) -> None:
    result = run_command(tmp_path, "--json", qt_platform="nosuchplatform")

    assert result.returncode == 1
    assert result.stderr.strip() == ("fmdesk: self-test failed: 1 of 7 steps (Desktop window).")
    data = json.loads(result.stdout)
    assert data["passed"] is False
    window = next(s for s in data["steps"] if s["name"] == "Desktop window")
    assert window["status"] == "FAILED"
    assert (
        "the 'nosuchplatform' platform plugin that QT_QPA_PLATFORM asks for" in (window["detail"])
    )
    assert "offscreen" in window["detail"]  # what this copy does have
    assert {s["status"] for s in data["steps"] if s["name"] != "Desktop window"} <= {
        "ok",
        "info",
    }


def test_the_command_refuses_a_folder_that_is_not_empty(tmp_path: Path) -> None:
    (tmp_path / "keep.txt").write_text("mine")

    result = self_test_command(tmp_path, "--folder", str(tmp_path))

    assert result.returncode == 1
    assert "is not empty; give the self-test an empty folder" in result.stderr
    assert [p.name for p in tmp_path.iterdir()] == ["keep.txt"]


def _under_a_file(tmp_path: Path) -> Path:
    (tmp_path / "notes.txt").write_text("a file, not a folder")
    return tmp_path / "notes.txt" / "self-test"


def _in_proc(_tmp_path: Path) -> Path:
    return Path("/proc/nope")


@pytest.mark.parametrize(
    "folder",
    [
        _under_a_file,
        pytest.param(
            _in_proc, marks=pytest.mark.skipif(not Path("/proc").is_dir(), reason="Linux only")
        ),
    ],
    ids=["under a file", "in /proc"],
)
def test_a_folder_that_cannot_be_made_is_one_line_saying_what_to_do(
    tmp_path: Path, folder: Callable[[Path], Path]
) -> None:
    work = folder(tmp_path)

    result = self_test_command(tmp_path, "--folder", str(work))

    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.strip().splitlines() == [
        f"fmdesk: The self-test cannot use {work} ({os.strerror(_errno(work))}): give --folder "
        "a folder you can create and write to, or leave --folder out to use a temporary one."
    ]


def _errno(path: Path) -> int:
    try:
        path.mkdir(parents=True)
    except OSError as exc:
        return exc.errno or 0
    raise AssertionError(f"{path} could be made")


def test_the_command_keeps_its_work_in_a_given_folder(tmp_path: Path) -> None:
    work = tmp_path / "kept"

    result = self_test_command(tmp_path, "--folder", str(work))

    assert result.returncode == 0, result.stdout + result.stderr
    assert sorted(p.name for p in work.iterdir()) == [
        "coordinator",
        "plan.pdf",
        "practitioner",
        "to-coordinator.fmb",
    ]


@pytest.mark.parametrize("flag", ["--version"])
def test_version_names_the_release(tmp_path: Path, flag: str) -> None:
    result = run_program(flag, env={"FMDESK_HOME": str(tmp_path)}, timeout=60)
    assert result.returncode == 0
    assert result.stdout.strip() == "fmdesk, version 0.1.0"
