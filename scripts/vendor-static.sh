#!/usr/bin/env bash
# Vendors the browser libraries (hls.js, Leaflet with markercluster, Chart.js) (pinned) from the npm registry into static/vendor/: no page loads a CDN.
# Needs npm only when a library is missing; the dist files are committed, so a machine without npm
# (or without internet) still has them.
#
# The map's base layer (used when no tile server is configured) is cut here too: Natural Earth country
# borders from world-atlas, clipped to the region around Lithuania and Latvia by scripts/cut-basemap.py
# (about 40 kB instead of the 3.6 MB world file).
set -euo pipefail
cd "$(dirname "$0")/.."
HLS_VERSION=1.7.4
LEAFLET_VERSION=1.9.4
MARKERCLUSTER_VERSION=1.5.3
WORLD_ATLAS_VERSION=2.0.2
CHARTJS_VERSION=4.4.7
DEST=static/vendor

HLS=$DEST/hls.js/$HLS_VERSION/hls.min.js
LEAFLET=$DEST/leaflet/$LEAFLET_VERSION/leaflet.js
MARKERCLUSTER=$DEST/leaflet.markercluster/$MARKERCLUSTER_VERSION/leaflet.markercluster.js
BASEMAP=$DEST/world-atlas/$WORLD_ATLAS_VERSION/baltic-region.geojson
CHARTJS=$DEST/chart.js/$CHARTJS_VERSION/chart.umd.js

if [[ -f $HLS && -f $LEAFLET && -f $MARKERCLUSTER && -f $BASEMAP && -f $CHARTJS ]]; then
    exit 0
fi
command -v npm >/dev/null || { echo "ERROR: npm is needed to vendor the browser libraries (apt-get install npm)" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
unpack() {  # package version folder
    (cd "$tmp" && npm pack --silent "$1@$2" >/dev/null)
    mkdir -p "$tmp/$3"
    tar xzf "$tmp/${1//\//-}-$2.tgz" -C "$tmp/$3"
}

if [[ ! -f $HLS ]]; then
    unpack hls.js "$HLS_VERSION" hls
    rm -rf "$DEST/hls.js" && mkdir -p "$DEST/hls.js/$HLS_VERSION"
    cp "$tmp/hls/package/dist/hls.min.js" "$tmp/hls/package/LICENSE" "$DEST/hls.js/$HLS_VERSION/"
fi
if [[ ! -f $LEAFLET ]]; then
    unpack leaflet "$LEAFLET_VERSION" leaflet
    rm -rf "$DEST/leaflet" && mkdir -p "$DEST/leaflet/$LEAFLET_VERSION"
    cp -r "$tmp/leaflet/package/dist/leaflet.js" "$tmp/leaflet/package/dist/leaflet.css" \
        "$tmp/leaflet/package/dist/images" "$tmp/leaflet/package/LICENSE" "$DEST/leaflet/$LEAFLET_VERSION/"
fi
if [[ ! -f $MARKERCLUSTER ]]; then
    unpack leaflet.markercluster "$MARKERCLUSTER_VERSION" markercluster
    rm -rf "$DEST/leaflet.markercluster" && mkdir -p "$DEST/leaflet.markercluster/$MARKERCLUSTER_VERSION"
    cp "$tmp/markercluster/package/dist/leaflet.markercluster.js" "$tmp/markercluster/package/dist/MarkerCluster.css" \
        "$tmp/markercluster/package/dist/MarkerCluster.Default.css" "$tmp/markercluster/package/MIT-LICENCE.txt" \
        "$DEST/leaflet.markercluster/$MARKERCLUSTER_VERSION/"
fi
if [[ ! -f $BASEMAP ]]; then
    unpack world-atlas "$WORLD_ATLAS_VERSION" world-atlas
    rm -rf "$DEST/world-atlas" && mkdir -p "$DEST/world-atlas/$WORLD_ATLAS_VERSION"
    python3 scripts/cut-basemap.py "$tmp/world-atlas/package/countries-10m.json" "$BASEMAP"
    cp "$tmp/world-atlas/package/LICENSE" "$DEST/world-atlas/$WORLD_ATLAS_VERSION/"
fi
if [[ ! -f $CHARTJS ]]; then
    unpack chart.js "$CHARTJS_VERSION" chartjs
    rm -rf "$DEST/chart.js" && mkdir -p "$DEST/chart.js/$CHARTJS_VERSION"
    cp "$tmp/chartjs/package/dist/chart.umd.js" "$tmp/chartjs/package/LICENSE.md" "$DEST/chart.js/$CHARTJS_VERSION/"
fi
echo "vendored hls.js $HLS_VERSION, leaflet $LEAFLET_VERSION, leaflet.markercluster $MARKERCLUSTER_VERSION, chart.js $CHARTJS_VERSION" \
    "and the world-atlas $WORLD_ATLAS_VERSION base map into $DEST/"
