"""Build the report's map outlines, sydstat/report/static/municipalities.json, from the simplified municipal
boundaries in ../shared/reference/geo/ (okfse/sweden-geojson, from Valmyndigheten's boundaries): coordinates rounded
to 0.005° (~300-500 m, enough for a map of a region a few hundred pixels wide), repeated points dropped, rings that
collapse dropped. Only code, name, county and the outline are kept.

    python scripts/simplify_boundaries.py [../shared/reference/geo/swedish_municipalities.geojson]
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SOURCE = ROOT.parent / "shared" / "reference" / "geo" / "swedish_municipalities.geojson"
TARGET = ROOT / "sydstat" / "report" / "static" / "municipalities.json"
STEP = 200  # 1 / 0.005°


def ring(points: list) -> list | None:
    out: list = []
    for lon, lat in points:
        point = [round(lon * STEP) / STEP, round(lat * STEP) / STEP]
        if not out or point != out[-1]:
            out.append(point)
    return out if len(out) >= 4 else None


def polygons(geometry: dict) -> list:
    parts = [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]
    kept = []
    for polygon in parts:
        rings = [r for r in (ring(points) for points in polygon) if r]
        if rings:
            kept.append(rings)
    return kept


def main() -> int:
    source = Path(sys.argv[1]) if len(sys.argv) > 1 else SOURCE
    features = json.loads(source.read_text(encoding="utf-8"))["features"]
    out = {
        "attribution": "Kommungränser: Valmyndigheten, förenklade (okfse/sweden-geojson)",
        "municipalities": {
            f["properties"]["id"]: {
                "name": f["properties"]["kom_namn"],
                "county": f["properties"]["lan_code"],
                "polygons": polygons(f["geometry"]),
            }
            for f in features
        },
    }
    TARGET.write_text(json.dumps(out, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
    print(f"{TARGET}: {len(out['municipalities'])} municipalities, {TARGET.stat().st_size // 1024} KB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
