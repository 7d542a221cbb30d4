#!/usr/bin/env bash
# Vendors the browser libraries (pinned) from the npm registry into static/vendor/: no page loads a CDN.
# Needs npm only when a library is missing; the dist files are committed, so a machine without npm
# (or without internet) still has them.
set -euo pipefail
cd "$(dirname "$0")/.."
HLS_VERSION=1.7.4
LEAFLET_VERSION=1.9.4
DEST=static/vendor

if [[ -f $DEST/hls.js/$HLS_VERSION/hls.min.js && -f $DEST/leaflet/$LEAFLET_VERSION/leaflet.js ]]; then
    exit 0
fi
command -v npm >/dev/null || { echo "ERROR: npm is needed to vendor hls.js and leaflet (apt-get install npm)" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack --silent "hls.js@$HLS_VERSION" "leaflet@$LEAFLET_VERSION" >/dev/null)
mkdir -p "$tmp/hls" "$tmp/leaflet"
tar xzf "$tmp/hls.js-$HLS_VERSION.tgz" -C "$tmp/hls"
tar xzf "$tmp/leaflet-$LEAFLET_VERSION.tgz" -C "$tmp/leaflet"
rm -rf "$DEST/hls.js" "$DEST/leaflet"
mkdir -p "$DEST/hls.js/$HLS_VERSION" "$DEST/leaflet/$LEAFLET_VERSION"
cp "$tmp/hls/package/dist/hls.min.js" "$tmp/hls/package/LICENSE" "$DEST/hls.js/$HLS_VERSION/"
cp -r "$tmp/leaflet/package/dist/leaflet.js" "$tmp/leaflet/package/dist/leaflet.css" \
    "$tmp/leaflet/package/dist/images" "$tmp/leaflet/package/LICENSE" "$DEST/leaflet/$LEAFLET_VERSION/"
echo "vendored hls.js $HLS_VERSION and leaflet $LEAFLET_VERSION into $DEST/"
