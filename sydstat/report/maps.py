"""Choropleth maps of the region's municipalities as inline SVG: offline, no JavaScript, and readable with a screen
reader — every municipality's shape carries a <title> with its name and value, and the values are also in a table
beside the map. Outlines: static/municipalities.json (scripts/simplify_boundaries.py; attribution in SOURCE.txt).

Colours: five classes of viridis (colour-blind safe, ordered in lightness, so the map reads in greyscale too); a
municipality without a value that year is light grey with a hatch, never a colour it has not earned."""

from __future__ import annotations

import json
import math
from functools import cache
from pathlib import Path

from markupsafe import Markup, escape

OUTLINES = Path(__file__).resolve().parent / "static" / "municipalities.json"
VIRIDIS = ["#fde725", "#5ec962", "#21918c", "#3b528b", "#440154"]  # light → dark
MISSING = "#e4e4e4"


@cache
def outlines() -> dict:
    return json.loads(OUTLINES.read_text(encoding="utf-8"))


def attribution() -> str:
    return outlines()["attribution"]


def _classes(values: list[float]) -> list[float]:
    """Upper bounds of five equal-count classes (quantiles) over the values shown."""
    ordered = sorted(values)
    return [ordered[min(len(ordered) - 1, math.ceil(len(ordered) * q / 5) - 1)] for q in range(1, 6)]


def _colour(value: float | None, bounds: list[float]) -> str:
    if value is None:
        return MISSING
    return VIRIDIS[next((i for i, b in enumerate(bounds) if value <= b), len(bounds) - 1)]


def choropleth(
    codes: list[str],
    values: dict[str, float | None],
    label: str,
    fmt,
    map_id: str,
    highlight: str | None = None,
    width: int = 420,
) -> Markup:
    """An inline <svg> of `codes` coloured by `values` (formatted with `fmt` in titles and the legend); `highlight`
    outlines one municipality. `label` is the map's accessible name."""
    shapes = {c: outlines()["municipalities"][c] for c in codes if c in outlines()["municipalities"]}
    points = [p for s in shapes.values() for polygon in s["polygons"] for ring in polygon for p in ring]
    if not points:
        return Markup("")
    lon0, lon1 = min(p[0] for p in points), max(p[0] for p in points)
    lat0, lat1 = min(p[1] for p in points), max(p[1] for p in points)
    k = math.cos(math.radians((lat0 + lat1) / 2))  # equirectangular, true to scale at the region's middle latitude
    scale = (width - 20) / max((lon1 - lon0) * k, 1e-9)
    height = int((lat1 - lat0) * scale) + 20

    def xy(p) -> str:
        return f"{10 + (p[0] - lon0) * k * scale:.1f},{10 + (lat1 - p[1]) * scale:.1f}"

    shown = [v for v in values.values() if v is not None]
    bounds = _classes(shown) if shown else []
    title_id = f"{map_id}-title"
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-labelledby="{title_id}" class="map" '
        f'viewBox="0 0 {width} {height + 30}" width="{width}" height="{height + 30}">',
        f'<title id="{title_id}">{escape(label)}</title>',
        f'<defs><pattern id="{map_id}-none" width="6" height="6" patternUnits="userSpaceOnUse">'
        f'<rect width="6" height="6" fill="{MISSING}"/><path d="M0,6 L6,0" stroke="#999" stroke-width="1"/>'
        f"</pattern></defs>",
    ]
    for code in sorted(shapes, key=lambda c: c == highlight):  # the highlighted one last, on top
        shape, value = shapes[code], values.get(code)
        d = " ".join("M" + " L".join(xy(p) for p in ring) + " Z" for polygon in shape["polygons"] for ring in polygon)
        fill = f"url(#{map_id}-none)" if value is None else _colour(value, bounds)
        stroke = 'stroke="#d6336c" stroke-width="2.5"' if code == highlight else 'stroke="#fff" stroke-width="0.6"'
        text = f"{shape['name']}: {fmt(value) if value is not None else 'värde saknas'}"
        parts.append(f'<path d="{d}" fill="{fill}" {stroke}><title>{escape(text)}</title></path>')
    if bounds:  # legend: the five classes' upper bounds
        x = 10
        for colour, bound in zip(VIRIDIS, bounds, strict=True):
            parts.append(
                f'<rect x="{x}" y="{height + 6}" width="14" height="12" fill="{colour}" stroke="#666" '
                f'stroke-width="0.5"/><text x="{x + 17}" y="{height + 16}" font-size="10">≤ '
                f"{escape(fmt(bound))}</text>"
            )
            x += (width - 20) // 5
    parts.append("</svg>")
    return Markup("".join(parts))
