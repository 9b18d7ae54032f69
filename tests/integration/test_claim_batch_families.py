"""A claim batch shows its families (issue 17): `claims show` and `claims batches` list each
family of a batch by reference and name, with what each claims."""

from pathlib import Path

from tests.integration.test_as_at import home  # noqa: F401 - the fixture
from tests.integration.test_cli import fmdesk


def test_claims_show_and_batches_list_a_batchs_families(
    home: Path,  # noqa: F811 - the fixture
) -> None:
    made = fmdesk(
        home, "claims", "batch", "Q3", "--from", "2025-10-01", "--to", "2025-12-31", "--all-ready"
    )
    assert made.returncode == 0, made.stderr
    shown = fmdesk(home, "claims", "show", "q3")
    assert shown.returncode == 0, shown.stderr
    lines = shown.stdout.splitlines()
    assert lines[0].startswith("Batch Q3: 1 family, 2025-10-01 to 2025-12-31")
    assert lines[1].split()[:1] == ["FM-001"]
    assert lines[1].endswith(": £800.00")
    listed = fmdesk(home, "claims", "batches")
    assert listed.stdout.splitlines()[:2] == lines[:2]
    missing = fmdesk(home, "claims", "show", "Q9")
    assert missing.returncode == 1
    assert "There is no claim batch called Q9." in missing.stderr
