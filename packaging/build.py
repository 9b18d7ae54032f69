"""Build fmdesk for the platform this runs on, and say how big it is.

    python packaging/build.py [--archive] [--installer] [--dist DIR] [--work DIR]

`make package` runs it plainly. (Keep this folder free of an __init__.py: a package named
`packaging` here would hide the `packaging` library that pip and PyInstaller import.)

- Always: PyInstaller one-folder build from packaging/fmdesk.spec into dist/fmdesk (and
  dist/fmdesk.app on macOS), then the size of what was built and of its largest parts.
- `--archive`: also pack the folder as dist/fmdesk-VERSION-PLATFORM.tar.gz (.zip on Windows),
  the file a Linux deployment hands out (with install/install.sh, the menu entry and the icon
  inside), and print its size.
- `--installer` (Windows only): also run Inno Setup's compiler (iscc) on
  packaging/windows/fmdesk.iss, giving dist/installer/fmdesk-VERSION-setup.exe.

Exit code 0 when everything asked for was built. docs/deploying.md says what to do with it.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import subprocess
import sys
import tarfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "packaging" / "fmdesk.spec"
DIST = ROOT / "dist"
WORK = ROOT / "build" / "pyinstaller"
ISS = ROOT / "packaging" / "windows" / "fmdesk.iss"
LINUX = ROOT / "packaging" / "linux"
ICONS = ROOT / "packaging" / "icons"


def version() -> str:
    sys.path.insert(0, str(ROOT))
    import fmdesk

    return fmdesk.__version__


def platform_tag() -> str:
    system = {"win32": "windows", "darwin": "macos"}.get(sys.platform, sys.platform)
    return f"{system}-{platform.machine().lower()}"


def folder_size(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file() and not f.is_symlink())


def mib(size: int) -> str:
    return f"{size / 2**20:.1f} MiB"


def biggest_parts(folder: Path, count: int = 8) -> list[tuple[int, str]]:
    """The largest top-level entries of the build's library folder, to see where size goes."""
    internal = folder / "_internal" if (folder / "_internal").is_dir() else folder
    parts = []
    for entry in internal.iterdir():
        if entry.is_symlink():
            continue
        size = folder_size(entry) if entry.is_dir() else entry.stat().st_size
        parts.append((size, entry.name))
    return sorted(parts, reverse=True)[:count]


def run_pyinstaller(dist: Path, work: Path) -> Path:
    command = [
        sys.executable,
        "-m",
        "PyInstaller",
        "--noconfirm",
        "--clean",
        "--distpath",
        str(dist),
        "--workpath",
        str(work),
        str(SPEC),
    ]
    print("building:", " ".join(command), flush=True)
    env = {**os.environ, "PYTHONHASHSEED": "0"}  # repeatable ordering of collected files
    subprocess.run(command, check=True, cwd=ROOT, env=env)
    return dist / "fmdesk"


def make_archive(folder: Path) -> Path:
    base = folder.parent / f"fmdesk-{version()}-{platform_tag()}"
    if sys.platform == "win32":
        target = base.with_suffix(".zip")
        with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
            for file in sorted(folder.rglob("*")):
                archive.write(file, Path("fmdesk") / file.relative_to(folder))
        return target
    target = Path(f"{base}.tar.gz")
    with tarfile.open(target, "w:gz") as archive:
        archive.add(folder, arcname="fmdesk")
        if sys.platform.startswith("linux"):  # what packaging/linux/install.sh needs beside it
            for extra in (LINUX / "install.sh", LINUX / "fmdesk.desktop", ICONS / "fmdesk.png"):
                archive.add(extra, arcname=f"fmdesk/install/{extra.name}")
    return target


def make_installer() -> Path:
    iscc = shutil.which("iscc") or shutil.which("ISCC")
    default = Path(os.environ.get("PROGRAMFILES(X86)", r"C:\Program Files (x86)"))
    candidate = default / "Inno Setup 6" / "ISCC.exe"
    if iscc is None and candidate.exists():
        iscc = str(candidate)
    if iscc is None:
        raise SystemExit("Inno Setup 6 is not installed (no iscc): see docs/deploying.md.")
    subprocess.run([iscc, f"/DAppVersion={version()}", str(ISS)], check=True, cwd=ROOT)
    return DIST / "installer" / f"fmdesk-{version()}-setup.exe"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--archive", action="store_true", help="also pack a .tar.gz / .zip")
    parser.add_argument("--installer", action="store_true", help="also run Inno Setup (Windows)")
    parser.add_argument("--dist", type=Path, default=DIST, help="where the build goes (dist/)")
    parser.add_argument("--work", type=Path, default=WORK, help="PyInstaller's work folder")
    args = parser.parse_args(argv)
    if args.installer and sys.platform != "win32":
        parser.error("--installer builds the Windows installer, so it runs on Windows only")
    if args.installer and args.dist.resolve() != DIST:
        parser.error("the installer script takes the build from dist/: leave out --dist")

    started = time.monotonic()
    folder = run_pyinstaller(args.dist.resolve(), args.work.resolve())
    built_in = time.monotonic() - started
    size = folder_size(folder)
    print(f"\nBuilt fmdesk {version()} for {platform_tag()} in {built_in:.0f} s: {folder}")
    print(f"Package size: {mib(size)} ({size:,} bytes) unpacked")
    for part_size, name in biggest_parts(folder):
        print(f"  {mib(part_size):>10}  {name}")
    app = folder.parent / "fmdesk.app"
    if sys.platform == "darwin" and app.exists():
        print(f"macOS app: {app} ({mib(folder_size(app))})")
    if args.archive:
        archive = make_archive(folder)
        print(f"Archive: {archive} ({mib(archive.stat().st_size)})")
    if args.installer:
        installer = make_installer()
        print(f"Installer: {installer} ({mib(installer.stat().st_size)})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
