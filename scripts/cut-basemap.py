#!/usr/bin/env python3
"""Cut the map's base layer: Natural Earth country borders (world-atlas countries-10m TopoJSON, from npm)
decoded and clipped to the region around Lithuania and Latvia, written as a small GeoJSON.

Run by scripts/vendor-static.sh at vendor time (stdlib only). The dashboard's map shows it when no tile
server is configured (MAP_TILE_URL empty): a municipal network may have no internet, and a grey box
says nothing about where the cameras are.

Usage: cut-basemap.py countries-10m.json out.geojson
"""

import json
import sys

# West, south, east, north (degrees): Lithuania, Latvia and their neighbours' border areas.
BBOX = (19.5, 53.3, 29.0, 58.3)
DECIMALS = 4  # ~10 m: far finer than a 1:10m source


def decode_arcs(topology: dict) -> list[list[tuple[float, float]]]:
    scale = topology["transform"]["scale"]
    translate = topology["transform"]["translate"]
    arcs = []
    for arc in topology["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:  # delta-encoded, quantized
            x, y = x + dx, y + dy
            points.append((x * scale[0] + translate[0], y * scale[1] + translate[1]))
        arcs.append(points)
    return arcs


def ring(indexes: list[int], arcs: list[list[tuple[float, float]]]) -> list[tuple[float, float]]:
    points: list[tuple[float, float]] = []
    for i in indexes:
        arc = arcs[i] if i >= 0 else arcs[~i][::-1]
        points.extend(arc[1:] if points else arc)
    return points


def clip(points: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """Sutherland–Hodgman: the part of a ring inside BBOX (edges along the box where it was cut)."""
    west, south, east, north = BBOX
    edges = [
        (lambda p: p[0] >= west, lambda a, b: _at_x(a, b, west)),
        (lambda p: p[0] <= east, lambda a, b: _at_x(a, b, east)),
        (lambda p: p[1] >= south, lambda a, b: _at_y(a, b, south)),
        (lambda p: p[1] <= north, lambda a, b: _at_y(a, b, north)),
    ]
    for inside, cross in edges:
        if not points:
            break
        result = []
        previous = points[-1]
        for point in points:
            if inside(point):
                if not inside(previous):
                    result.append(cross(previous, point))
                result.append(point)
            elif inside(previous):
                result.append(cross(previous, point))
            previous = point
        points = result
    return points


def _at_x(a: tuple[float, float], b: tuple[float, float], x: float) -> tuple[float, float]:
    t = (x - a[0]) / (b[0] - a[0])
    return (x, a[1] + t * (b[1] - a[1]))


def _at_y(a: tuple[float, float], b: tuple[float, float], y: float) -> tuple[float, float]:
    t = (y - a[1]) / (b[1] - a[1])
    return (a[0] + t * (b[0] - a[0]), y)


def main(source: str, target: str) -> None:
    with open(source, encoding="utf-8") as f:
        topology = json.load(f)
    arcs = decode_arcs(topology)
    features = []
    for geometry in topology["objects"]["countries"]["geometries"]:
        if geometry["type"] == "Polygon":
            polygons = [geometry["arcs"]]
        elif geometry["type"] == "MultiPolygon":
            polygons = geometry["arcs"]
        else:
            continue
        kept = []
        for polygon in polygons:
            rings = [clip(ring(r, arcs)) for r in polygon]
            rings = [[[round(x, DECIMALS), round(y, DECIMALS)] for x, y in r] for r in rings if len(r) >= 3]
            if rings:
                for r in rings:
                    r.append(r[0])  # GeoJSON rings are closed
                kept.append(rings)
        if kept:
            name = (geometry.get("properties") or {}).get("name", "")
            features.append(
                {
                    "type": "Feature",
                    "properties": {"name": name},
                    "geometry": {"type": "MultiPolygon", "coordinates": kept},
                }
            )
    collection = {
        "type": "FeatureCollection",
        "bbox": list(BBOX),
        "source": "Natural Earth 1:10m countries via world-atlas (npm), cut by scripts/cut-basemap.py",
        "features": features,
    }
    with open(target, "w", encoding="utf-8") as f:
        json.dump(collection, f, separators=(",", ":"), ensure_ascii=False)


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2])
