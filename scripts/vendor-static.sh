#!/usr/bin/env bash
# Vendors the browser libraries (hls.js, Leaflet, Chart.js) (pinned) from the npm registry into static/vendor/: no page loads a CDN.
# Needs npm only when a library is missing; the dist files are committed, so a machine without npm
# (or without internet) still has them.
set -euo pipefail
cd "$(dirname "$0")/.."
HLS_VERSION=1.7.4
LEAFLET_VERSION=1.9.4
CHARTJS_VERSION=4.4.7
DEST=static/vendor

if [[ -f $DEST/hls.js/$HLS_VERSION/hls.min.js && -f $DEST/leaflet/$LEAFLET_VERSION/leaflet.js
      && -f $DEST/chart.js/$CHARTJS_VERSION/chart.umd.js ]]; then
    exit 0
fi
command -v npm >/dev/null || { echo "ERROR: npm is needed to vendor hls.js, leaflet and chart.js (apt-get install npm)" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack --silent "hls.js@$HLS_VERSION" "leaflet@$LEAFLET_VERSION" "chart.js@$CHARTJS_VERSION" >/dev/null)
mkdir -p "$tmp/hls" "$tmp/leaflet" "$tmp/chartjs"
tar xzf "$tmp/hls.js-$HLS_VERSION.tgz" -C "$tmp/hls"
tar xzf "$tmp/leaflet-$LEAFLET_VERSION.tgz" -C "$tmp/leaflet"
tar xzf "$tmp/chart.js-$CHARTJS_VERSION.tgz" -C "$tmp/chartjs"
rm -rf "$DEST/hls.js" "$DEST/leaflet" "$DEST/chart.js"
mkdir -p "$DEST/hls.js/$HLS_VERSION" "$DEST/leaflet/$LEAFLET_VERSION" "$DEST/chart.js/$CHARTJS_VERSION"
cp "$tmp/hls/package/dist/hls.min.js" "$tmp/hls/package/LICENSE" "$DEST/hls.js/$HLS_VERSION/"
cp -r "$tmp/leaflet/package/dist/leaflet.js" "$tmp/leaflet/package/dist/leaflet.css" \
    "$tmp/leaflet/package/dist/images" "$tmp/leaflet/package/LICENSE" "$DEST/leaflet/$LEAFLET_VERSION/"
cp "$tmp/chartjs/package/dist/chart.umd.js" "$tmp/chartjs/package/LICENSE.md" "$DEST/chart.js/$CHARTJS_VERSION/"
echo "vendored hls.js $HLS_VERSION, leaflet $LEAFLET_VERSION and chart.js $CHARTJS_VERSION into $DEST/"
