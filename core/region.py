"""The region sydstat covers: configuration, not code (`[region] counties` in sydstat.toml, `SYDSTAT_REGION`; the
default is Skåne and Blekinge, counties 12 and 10). Its municipalities come from the checked-in seed of all 290
municipalities and 21 counties (schemas/seed/), never from the demo's sample.

Every source asks for the region's municipalities (Kolada's scope, SCB's DeSO/RegSO, Folkhälsodata's counties),
`dim_municipality.in_region` marks them (registers and marts use that flag), and the report names the region. A new
region is a new scope: each source's next run is a full refresh for it (`fingerprint`).
"""

from __future__ import annotations

import csv
import hashlib
from dataclasses import dataclass
from functools import cache

from core.config import SCHEMAS_DIR, ConfigError, Settings, load_settings

SEED = SCHEMAS_DIR / "seed"
DEFAULT_NAMES = {("10", "12"): "Skåne och Blekinge"}


@cache
def _seed(name: str) -> tuple[dict, ...]:
    with (SEED / name).open(encoding="utf-8") as fh:
        return tuple(csv.DictReader(fh))


def all_municipalities() -> list[dict]:
    """All 290 municipalities: municipality_code, municipality_name, county_code, kommungrupp."""
    return [dict(m) for m in _seed("municipalities.csv")]


def counties() -> list[dict]:
    """The 21 counties: county_code, county_name."""
    return [dict(c) for c in _seed("counties.csv")]


@dataclass(frozen=True)
class Region:
    counties: tuple[str, ...] | None  # None: the whole country
    name: str

    @property
    def municipalities(self) -> list[dict]:
        return [m for m in all_municipalities() if self.counties is None or m["county_code"] in self.counties]

    @property
    def municipality_codes(self) -> list[str]:
        return [m["municipality_code"] for m in self.municipalities]

    @property
    def county_codes(self) -> list[str]:
        return list(self.counties) if self.counties is not None else [c["county_code"] for c in counties()]

    @property
    def fingerprint(self) -> str:
        """Changes exactly when the region's municipalities change (a scope change: the next run is full)."""
        return hashlib.sha256(",".join(self.municipality_codes).encode()).hexdigest()[:16]


def region(settings: Settings | None = None) -> Region:
    settings = settings or load_settings()
    chosen = settings.region_counties
    names = {c["county_code"]: c["county_name"] for c in counties()}
    if chosen is not None:
        unknown = [c for c in chosen if c not in names]
        if unknown:
            raise ConfigError(f"region: unknown county code(s) {unknown}; known: {', '.join(sorted(names))}")
    name = (
        settings.region_name
        or DEFAULT_NAMES.get(chosen or ())
        or ("Sverige" if chosen is None else " och ".join(names[c] for c in chosen))
    )
    return Region(chosen, name)


def region_municipalities(settings: Settings | None = None) -> list[dict]:
    """The configured region's municipalities (code, name, county, kommungrupp), in code order."""
    return region(settings).municipalities
