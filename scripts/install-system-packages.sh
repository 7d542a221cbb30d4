#!/usr/bin/env bash
# Installs the Debian/Ubuntu packages Biržai VMS needs outside its Python virtualenv.
#
#   scripts/install-system-packages.sh demo   # GStreamer RTSP simulator (make demo)
#   scripts/install-system-packages.sh test   # demo + Chromium for the browser tests (make test)
#
# Does nothing (and needs no root) when every package is already installed. Otherwise runs
# apt-get update && apt-get install -y --no-install-recommends ..., through sudo when not root.
# Non-interactive: never prompts, works with no stdin (CI).
set -euo pipefail

# The simulated cameras (simulator/rtsp_camera.py) run under Debian's system python3 with
# GStreamer's RTSP server; x264enc is in plugins-ugly, textoverlay (the burned-in clock) in
# gstreamer1.0-x, its font in fonts-dejavu-core. python3-venv lets `make venv` work with the system
# Python 3.11 of Debian 12. Pango is WeasyPrint's (PDF summaries and reports); the tests check PDFs
# with pdftoppm (poppler-utils).
DEMO_PACKAGES=(
    gstreamer1.0-rtsp
    gir1.2-gst-rtsp-server-1.0
    gir1.2-gstreamer-1.0
    gir1.2-gst-plugins-base-1.0
    python3-gi
    gstreamer1.0-plugins-base
    gstreamer1.0-plugins-good
    gstreamer1.0-plugins-bad
    gstreamer1.0-plugins-ugly
    gstreamer1.0-x
    gstreamer1.0-tools
    fonts-dejavu-core
    python3-venv
    libpango-1.0-0
    libpangoft2-1.0-0
)
# Browser tests drive Debian's chromium through Playwright (Playwright cannot download browsers here).
TEST_PACKAGES=("${DEMO_PACKAGES[@]}" chromium poppler-utils)

usage() {
    echo "usage: $0 demo|test" >&2
    exit 2
}

[[ $# -le 1 ]] || usage
case "${1:-demo}" in
    demo) group=demo; packages=("${DEMO_PACKAGES[@]}") ;;
    test) group=test; packages=("${TEST_PACKAGES[@]}") ;;
    *) usage ;;
esac

if ! command -v apt-get >/dev/null 2>&1 || ! command -v dpkg-query >/dev/null 2>&1; then
    cat >&2 <<EOF
ERROR: this is not a Debian/Ubuntu system (no apt-get), so the system packages of the '$group'
group cannot be installed automatically. Install by hand, with your distribution's names:
  - Python 3.11 with venv, GNU make
  - GStreamer 1.x with its RTSP server library and GObject introspection for the system python3
    (gst-rtsp-server, PyGObject/python3-gi, typelibs for Gst, GstApp, GstVideo and GstRtspServer)
  - GStreamer plugins: base, good, bad, ugly (x264enc), the pango plugin (textoverlay), gst-launch tools
  - the DejaVu fonts
EOF
    if [[ $group == test ]]; then
        echo "  - Chromium (its path is given to Playwright; Playwright cannot download browsers here)" >&2
    fi
    echo "Debian names: ${packages[*]}" >&2
    exit 1
fi

missing=()
for package in "${packages[@]}"; do
    status=$(dpkg-query -W -f='${db:Status-Status}' "$package" 2>/dev/null || true)
    [[ $status == installed ]] || missing+=("$package")
done

if [[ ${#missing[@]} -eq 0 ]]; then
    echo "System packages ($group): all ${#packages[@]} already installed."
    exit 0
fi

echo "System packages ($group): installing ${missing[*]}"

as_root=()
if [[ $(id -u) -ne 0 ]]; then
    if ! command -v sudo >/dev/null 2>&1; then
        echo "ERROR: not root and sudo is not installed. As root, run:" >&2
        echo "  apt-get update && apt-get install -y --no-install-recommends ${missing[*]}" >&2
        exit 1
    fi
    if [[ -t 0 ]]; then
        as_root=(sudo)
    else
        # No terminal to type a password into: fail fast instead of hanging on a prompt.
        as_root=(sudo -n)
    fi
fi

export DEBIAN_FRONTEND=noninteractive
run() {
    echo "+ $*"
    "$@"
}
if ! run "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update </dev/null; then
    echo "ERROR: apt-get update failed (see above)." >&2
    exit 1
fi
if ! run "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive \
    apt-get install -y --no-install-recommends "${missing[@]}" </dev/null; then
    cat >&2 <<EOF
ERROR: apt-get install failed (see above). Needed: ${missing[*]}
On Ubuntu, 'chromium' is a snap; install Chromium another way and make sure 'chromium' is on PATH.
EOF
    exit 1
fi
echo "System packages ($group): installed ${missing[*]}"
