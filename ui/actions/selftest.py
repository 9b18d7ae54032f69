"""`fmdesk self-test`: check that an installed copy of fmdesk works, step by step.

A support person runs it on a council laptop (or CI runs it on the packaged build). In a
folder of its own it checks the files that ship with the program (report fonts, definitions),
creates an encrypted store, writes a family and reads it back, prints a plan PDF, sends a sync
bundle between two stores enrolled with each other, and opens a window. Nothing it does touches
the user's own store.

Each step reports OK with what it checked, or FAILED with what went wrong and what to do. A step
that needs an earlier one that failed is SKIPPED rather than failing again for the same reason.
Threading: runs on the calling thread (the command line's). Nothing here imports Qt: the steps
that need a desktop (ui/window/selfcheck.py) are handed in by the program (ui/main.py).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import io
import secrets
import time
from collections.abc import Callable, Sequence
from importlib import resources
from pathlib import Path

from db import keychain, sync
from db.errors import WrongPassphrase
from db.keyslots import KdfParams
from db.plans import save_plan_version
from db.store import DB_NAME, Store
from fmdesk.assessment import load_template
from fmdesk.errors import UserError
from fmdesk.families import Family, FamilyStatus, Person, PersonRole
from fmdesk.outcomes.framework import Framework, load_framework
from fmdesk.plans import ActionOwner, PlanAction, PlanGoal, first_plan
from fmdesk.roles import Role
from fmdesk.stars import load_instrument
from fmdesk.sync.bundle import AGE_MAGIC
from fmdesk.terms import terms_warnings
from reports.base import FONT_DIR
from ui.actions.documents import CouldNotSave, build_plan_pdf, save

FONT_FILES = ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf", "DejaVuSans-Oblique.ttf")
SQLITE_PLAIN_HEADER = b"SQLite format 3\x00"
REINSTALL = "Reinstall fmdesk; if this step fails again, send this output to IT support."
# Names outside ASCII on purpose: the fonts, the store and the bundle must all carry them.
FAMILY_NAME = "Łukasz and Zoë Ó Siadhail"


class StepStatus(enum.StrEnum):
    OK = "ok"
    FAILED = "FAILED"
    SKIPPED = "skipped"
    INFO = "info"  # a fact about this computer that is not a fault either way


@dataclasses.dataclass(frozen=True, kw_only=True)
class StepResult:
    name: str
    status: StepStatus
    # What was checked (OK, INFO), what went wrong and what to do (FAILED), or why not (SKIPPED).
    detail: str
    seconds: float = 0.0


@dataclasses.dataclass(frozen=True, kw_only=True)
class SelfTestReport:
    steps: tuple[StepResult, ...]

    @property
    def failed(self) -> tuple[StepResult, ...]:
        return tuple(s for s in self.steps if s.status is StepStatus.FAILED)

    @property
    def passed(self) -> bool:
        return not self.failed and not any(s.status is StepStatus.SKIPPED for s in self.steps)


class StepFailed(Exception):
    """A step found a fault; the message says what went wrong and what to do."""


def shipped_definitions() -> Path:
    """The folder of definition files that came with this copy of fmdesk (a real folder both in
    a source checkout and in the packaged build)."""
    return Path(str(resources.files("fmdesk").joinpath("definitions")))


def run_self_test(
    work_dir: Path,
    *,
    font_dir: Path = FONT_DIR,
    definitions_dir: Path | None = None,
    kdf: KdfParams | None = None,
    desktop_steps: Sequence[tuple[str, Callable[[], str]]] = (),
    report: Callable[[StepResult], None] | None = None,
) -> SelfTestReport:
    """Run every step in `work_dir` (a folder fmdesk may write in; the command line gives a
    fresh temporary one) and return their results, calling `report` after each as it finishes.

    `font_dir` and `definitions_dir` are the shipped files to check (this copy's by default).
    `kdf` is the passphrase key derivation for the test stores (a real store's by default).
    `desktop_steps` are (name, step) pairs run after the rest: the window check, which needs Qt.
    """
    results: list[StepResult] = []

    def record(result: StepResult) -> StepResult:
        results.append(result)
        if report is not None:
            report(result)
        return result

    check = _Checks(Path(work_dir), kdf=kdf)
    record(_run("Program files", lambda: _program_files(font_dir, definitions_dir)))
    store_ok = record(_run("Encrypted store", check.create_store)).status is StepStatus.OK
    family_ok = False
    if store_ok:
        family_ok = record(_run("Family record", check.write_family)).status is StepStatus.OK
    else:
        record(_skipped("Family record", "needs the encrypted store"))
    for name, step in (("Plan PDF", check.print_plan), ("Sync bundle", check.send_bundle)):
        if family_ok:
            record(_run(name, step))
        else:
            record(_skipped(name, "needs the family record"))
    for name, step in desktop_steps:
        record(_run(name, step))
    record(_keychain())
    check.close()
    return SelfTestReport(steps=tuple(results))


def _run(name: str, step: Callable[[], str]) -> StepResult:
    started = time.perf_counter()
    try:
        detail = step()
        status = StepStatus.OK
    except StepFailed as exc:
        detail, status = str(exc), StepStatus.FAILED
    except UserError as exc:  # already says what happened and what to do
        detail, status = str(exc), StepStatus.FAILED
    except Exception as exc:  # a missing library or a bug: name it for IT support
        detail, status = f"{type(exc).__name__}: {exc}. {REINSTALL}", StepStatus.FAILED
    return StepResult(
        name=name, status=status, detail=detail, seconds=time.perf_counter() - started
    )


def _skipped(name: str, why: str) -> StepResult:
    return StepResult(name=name, status=StepStatus.SKIPPED, detail=why)


# ---- program files ---------------------------------------------------------------------------


def _program_files(font_dir: Path, definitions_dir: Path | None) -> str:
    from reportlab.pdfbase.ttfonts import TTFont

    for file_name in FONT_FILES:
        path = font_dir / file_name
        if not path.is_file():
            raise StepFailed(
                f"The report font {path} is missing, so no PDF can be printed. {REINSTALL}"
            )
        try:  # parse the whole font, as printing does
            TTFont("SelfTest" + path.stem, str(path))
        # A cut-short or overwritten font makes reportlab raise TTFError, struct.error,
        # IndexError or others, depending on where the damage is: any of them means damaged.
        except Exception as exc:
            raise StepFailed(
                f"The report font {path} is damaged ({exc}), so no PDF can be printed. {REINSTALL}"
            ) from None
    folder = definitions_dir or shipped_definitions()
    loaders: dict[str, Callable[[Path], object]] = {
        "frameworks": load_framework,
        "templates": load_template,
        "instruments": load_instrument,
    }
    counts: dict[str, int] = {}
    loaded: list[object] = []
    for kind, load in loaders.items():
        files = sorted((folder / kind).glob("*.json"))
        if not files:
            raise StepFailed(f"No {kind} were found in {folder / kind}. {REINSTALL}")
        for file in files:
            try:
                loaded.append(load(file))
            except UserError as exc:
                raise StepFailed(
                    f"A shipped definition file is not valid: {exc}. {REINSTALL}"
                ) from None
        counts[kind] = len(files)
    # Today outside a framework's own term dates is warned about, not failed (issue 17).
    frameworks = [f for f in loaded if isinstance(f, Framework)]
    warnings = "".join(f"; warning: {w}" for w in terms_warnings(frameworks, dt.date.today()))
    return (
        f"{len(FONT_FILES)} fonts; definitions: {counts['frameworks']} outcomes framework(s), "
        f"{counts['templates']} assessment template(s), {counts['instruments']} Star "
        f"instrument(s){warnings}"
    )


# ---- the store, a family, a plan, a bundle ---------------------------------------------------


class _Checks:
    """The steps that share the test stores. Each method is one step and returns what it
    checked; the stores are closed by `close()` whatever happened."""

    def __init__(self, work_dir: Path, *, kdf: KdfParams | None) -> None:
        self.work_dir = work_dir
        self.kdf = kdf
        self.passphrase = "self-test " + secrets.token_urlsafe(18)
        self.practitioner: Store | None = None
        self.coordinator: Store | None = None
        self.family: Family | None = None

    @property
    def store_path(self) -> Path:
        return self.work_dir / "practitioner"

    def close(self) -> None:
        for store in (self.practitioner, self.coordinator):
            if store is not None:
                store.close()

    def _store(self) -> Store:
        if self.practitioner is None:  # run_self_test runs later steps only after the store's
            raise RuntimeError("the encrypted store step has not run")
        return self.practitioner

    def _family(self) -> Family:
        if self.family is None:
            raise RuntimeError("the family record step has not run")
        return self.family

    def _create(self, path: Path, role: Role, name: str) -> Store:
        try:
            return Store.create(path, self.passphrase, role=role, name=name, kdf=self.kdf)
        except OSError as exc:
            raise StepFailed(
                f"Could not create a store in {path}: {exc.strerror or exc}. The self-test needs "
                "a folder it can write to: free some disk space, or point TMPDIR (TEMP on "
                "Windows) at a writable folder."
            ) from None

    def create_store(self) -> str:
        store = self._create(self.store_path, Role.PRACTITIONER, "Self-test Practitioner")
        store.close()
        header = (self.store_path / DB_NAME).read_bytes()[:16]
        if header == SQLITE_PLAIN_HEADER:
            raise StepFailed(
                "The store was written without encryption: this copy of fmdesk has plain SQLite "
                f"in place of SQLCipher. Do not use it for real data. {REINSTALL}"
            )
        try:
            Store.open(self.store_path, "not the " + self.passphrase).close()
        except WrongPassphrase:
            pass
        else:
            raise StepFailed(
                f"The store opened with a wrong passphrase, so it is not protected. {REINSTALL}"
            )
        self.practitioner = Store.open(self.store_path, self.passphrase)
        return "created with SQLCipher, unreadable without its key, refused a wrong passphrase"

    def write_family(self) -> str:
        family = Family(
            reference="SELF-TEST-1",
            name=FAMILY_NAME,
            status=FamilyStatus.ACTIVE,
            postcode="LS1 1AA",
            lead_practitioner="Self-test Practitioner",
        )
        people = [
            Person(
                family_id=family.id,
                role=PersonRole.PARENT_CARER,
                given_name="Zoë",
                family_name="Ó Siadhail",
                relationship="Mum",
            ),
            Person(
                family_id=family.id,
                role=PersonRole.CHILD,
                given_name="Łukasz",
                family_name="Ó Siadhail",
                date_of_birth=dt.date(2016, 5, 2),
            ),
        ]
        saved = self._store().save(family, *people)
        # Read back through a fresh unlock, as the app does the next morning.
        self._store().close()
        self.practitioner = None
        self.practitioner = store = Store.open(self.store_path, self.passphrase)
        read_family = store.get(Family, family.id)
        read_people = sorted(store.list(Person, family_id=family.id), key=lambda p: p.id)
        if read_family != saved[0] or read_people != sorted(saved[1:], key=lambda p: p.id):
            raise StepFailed(
                f"The family read back from the store differs from the one written. {REINSTALL}"
            )
        self.family = saved[0]
        return f"wrote and read back a family of {len(people)} ({FAMILY_NAME})"

    def print_plan(self) -> str:
        store, family = self._store(), self._family()
        mum = store.list(Person, family_id=family.id)[0]
        action = PlanAction(
            what="Set two alarms and lay out the uniform the night before",
            owner=ActionOwner.family_member(mum.id),
            by_when=dt.date.today() + dt.timedelta(days=14),
        )
        plan = first_plan(
            family.id,
            made_on=dt.date.today(),
            goals=[PlanGoal(words="Everyone gets to school on time", actions=(action,))],
        )
        save_plan_version(store, plan)
        pdf = build_plan_pdf(store, family.id)
        if not pdf.startswith(b"%PDF-") or b"/FontFile2" not in pdf:
            raise StepFailed(
                "The plan PDF was made without its embedded font, so names would print "
                f"wrongly. {REINSTALL}"
            )
        target = self.work_dir / "plan.pdf"
        try:
            save(target, pdf)
        except CouldNotSave as exc:
            raise StepFailed(f"Could not write the plan PDF to {target}: {exc.reason}") from None
        if target.read_bytes() != pdf:
            raise StepFailed(
                f"The plan PDF at {target} does not read back as written. Check the disk."
            )
        # The print preview and Print draw the PDF's pages with PDFium (a library shipped with
        # fmdesk): page 1 must come out with ink on it.
        pixels = _page_one_grey(pdf)
        if sum(1 for value in pixels if value < 200) < len(pixels) // 100:  # ~9% when right
            raise StepFailed(f"The plan's page 1 draws blank for printing. {REINSTALL}")
        self._protect_plan(store, family)
        return (
            f"printed a plan ({len(pdf) // 1024} KB, font embedded), drew its page 1 and "
            "protected a copy with a password (AES-256)"
        )

    def _protect_plan(self, store: Store, family: Family) -> None:
        """A password-protected plan is encrypted by pypdf (AES-256), which nothing else in
        this step uses: a build that left it out would fail only when a practitioner chose a
        password."""
        from pypdf import PdfReader

        password = secrets.token_urlsafe(12)
        try:
            protected = build_plan_pdf(store, family.id, password=password)
            reader = PdfReader(io.BytesIO(protected))
            opened = reader.is_encrypted and bool(reader.decrypt(password))
            text = reader.pages[0].extract_text() if opened else ""
        except ImportError as exc:
            raise StepFailed(f"Cannot protect a PDF with a password ({exc}). {REINSTALL}") from None
        if b"/AESV3" not in protected or "Everyone gets to school on time" not in text:
            raise StepFailed(
                f"A password-protected plan did not come out encrypted and readable. {REINSTALL}"
            )

    def send_bundle(self) -> str:
        store, family = self._store(), self._family()
        self.coordinator = coordinator = self._create(
            self.work_dir / "coordinator", Role.COORDINATOR, "Self-test Central Team"
        )
        sync.enrol(store, sync.identity(coordinator).enrolment)
        sync.enrol(coordinator, sync.identity(store).enrolment)
        target = self.work_dir / "to-coordinator.fmb"
        try:
            exported = sync.export_bundle(store, coordinator.info.store_id, target)
        except OSError as exc:
            raise StepFailed(
                f"Could not write the sync bundle {target}: {exc.strerror or exc}. Check that "
                "the folder can be written to and the disk has space."
            ) from None
        data = target.read_bytes()
        if not data.startswith(AGE_MAGIC) or FAMILY_NAME.encode("utf-8") in data:
            raise StepFailed(f"The sync bundle {target} is not encrypted. {REINSTALL}")
        imported = sync.import_bundle(coordinator, target)
        arrived = coordinator.get(Family, family.id)
        if arrived != family or imported.new != exported.changes:
            raise StepFailed(
                "The coordinator's store did not receive what the bundle carried "
                f"({imported.new} of {exported.changes} records). {REINSTALL}"
            )
        return (
            f"sent {exported.changes} records, encrypted and signed, to an enrolled "
            "coordinator store, which imported them"
        )


# ---- this computer ---------------------------------------------------------------------------


def _page_one_grey(pdf: bytes) -> bytes:
    """Page 1 drawn by PDFium at 20 dpi, one grey byte a pixel: what Print and the preview use."""
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(pdf)
    try:
        bitmap = document[0].render(scale=20 / 72, grayscale=True)
        return bytes(bitmap.buffer)
    finally:
        document.close()


def _keychain() -> StepResult:
    import keyring

    backend = type(keyring.get_keyring())
    if keychain.available():
        detail = (
            f"'Remember on this computer' can use the keychain ({backend.__module__}."
            f"{backend.__name__})"
        )
    else:
        detail = (
            "no usable keychain here: 'Remember on this computer' is off and the "
            "passphrase is asked for at each unlock"
        )
    return StepResult(name="Keychain", status=StepStatus.INFO, detail=detail)
