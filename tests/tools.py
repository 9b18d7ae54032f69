"""The Debian tools some tests use to check fmdesk's files from outside: age and minisign (bundles),
pdffonts and pdftoppm from poppler-utils (PDFs).

`make test` installs them first where it may (as root with apt, as CI runs), so there a missing
tool is a broken set-up and the test fails saying so: CI never passes by skipping. Elsewhere (a
developer without root) the test is skipped with the command that installs the tool.
"""

import os
import shutil

import pytest

PACKAGE = {"age": "age", "minisign": "minisign", "pdffonts": "poppler-utils"}
PACKAGE["pdftoppm"] = "poppler-utils"


def could_install() -> bool:
    """What `make system-deps` checks before it installs the tools."""
    return hasattr(os, "geteuid") and os.geteuid() == 0 and shutil.which("apt-get") is not None


def require_tools(*names: str) -> None:
    """Fail or skip (see the module's note) unless every tool in `names` is on PATH."""
    missing = [n for n in names if shutil.which(n) is None]
    if not missing:
        return
    packages = " ".join(sorted({PACKAGE.get(n, n) for n in missing}))
    if could_install():
        pytest.fail(f"{', '.join(missing)} missing: run `make system-deps` ({packages})")
    pytest.skip(f"{', '.join(missing)} not installed: sudo apt-get install {packages}")
