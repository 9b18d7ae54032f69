"""`fmdesk init` and `passwd` judge a new passphrase knowing whose store it is, as the app's
welcome page does: the owner's own surname and the year is refused (issue 15)."""

from pathlib import Path

from db.store import Store
from fmdesk.roles import Role
from tests.cli import run_cli
from tests.conftest import TEST_PASSPHRASE, StoreTemplates
from ui.actions.passphrase import strength

NAME = "Eleanor Fairbrother"
OWN_NAME_AND_YEAR = "Fairbrother2025"
GOOD = "quillfeather maple lantern harbour"


def test_on_its_own_the_surname_and_year_would_pass() -> None:
    # What made the command line's check too weak: without the name it scores 3 of 4.
    assert strength(OWN_NAME_AND_YEAR).acceptable
    assert not strength(OWN_NAME_AND_YEAR, [NAME]).acceptable


def test_init_refuses_the_owners_surname_and_the_year(tmp_path: Path) -> None:
    path = tmp_path / "store"
    env = {"FMDESK_HOME": str(tmp_path / "home"), "FMDESK_NEW_PASSPHRASE": OWN_NAME_AND_YEAR}
    refused = run_cli("init", "--store", path, "--name", NAME, env=env)
    assert refused.returncode == 1
    assert "That passphrase is too weak" in refused.stderr
    assert not path.exists()
    made = run_cli(
        "init", "--store", path, "--name", NAME, env={**env, "FMDESK_NEW_PASSPHRASE": GOOD}
    )
    assert made.returncode == 0, made.stderr


def test_passwd_refuses_the_owners_surname_and_the_year(
    tmp_path: Path, store_templates: StoreTemplates
) -> None:
    path = store_templates.copy(tmp_path / "store", Role.PRACTITIONER, name=NAME)
    before = (path / "keys.json").read_bytes()
    env = {
        "FMDESK_HOME": str(tmp_path / "home"),
        "FMDESK_PASSPHRASE": TEST_PASSPHRASE,
        "FMDESK_NEW_PASSPHRASE": OWN_NAME_AND_YEAR,
    }
    refused = run_cli("passwd", "--store", path, env=env)
    assert refused.returncode == 1
    assert "That passphrase is too weak" in refused.stderr
    assert (path / "keys.json").read_bytes() == before
    Store.open(path, TEST_PASSPHRASE).close()
