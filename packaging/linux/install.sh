#!/bin/sh
# Install fmdesk system-wide on Linux, from the unpacked release archive:
#
#   tar -xzf fmdesk-VERSION-linux-x86_64.tar.gz && sudo sh fmdesk/install/install.sh
#   sudo sh fmdesk/install/install.sh --uninstall
#
# (From a source checkout after `make package`: sudo sh packaging/linux/install.sh dist/fmdesk)
# Puts the program in /opt/fmdesk, the `fmdesk` command in /usr/local/bin, and the menu entry
# and icon where desktops look for them. Nobody's data is touched either way: each user's store
# is in ~/.local/share/fmdesk.
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
PREFIX=/opt/fmdesk
BIN=/usr/local/bin/fmdesk
DESKTOP=/usr/share/applications/fmdesk.desktop
ICON=/usr/share/icons/hicolor/256x256/apps/fmdesk.png

if [ "${1:-}" = "--uninstall" ]; then
    rm -rf "$PREFIX" "$BIN" "$DESKTOP" "$ICON"
    echo "fmdesk removed (users' stores in ~/.local/share/fmdesk are kept)."
    exit 0
fi

BUILD=${1:-$HERE/..}
if [ ! -x "$BUILD/fmdesk" ]; then
    echo "No fmdesk build at $BUILD: unpack the release archive first, or give its folder." >&2
    exit 1
fi
ICON_FILE=$HERE/fmdesk.png
[ -f "$ICON_FILE" ] || ICON_FILE=$HERE/../icons/fmdesk.png
BUILD=$(cd "$BUILD" && pwd)
rm -rf "$PREFIX"
mkdir -p "$PREFIX" "$(dirname "$ICON")"
cp -a "$BUILD/." "$PREFIX/"
ln -sf "$PREFIX/fmdesk" "$BIN"
install -m 644 "$HERE/fmdesk.desktop" "$DESKTOP"
install -m 644 "$ICON_FILE" "$ICON"
if command -v update-desktop-database >/dev/null; then update-desktop-database -q || true; fi
if command -v gtk-update-icon-cache >/dev/null; then
    gtk-update-icon-cache -q /usr/share/icons/hicolor || true
fi
"$BIN" --version
echo "Installed. Check it with: fmdesk self-test"
