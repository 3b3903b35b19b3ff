"""Where things live and which upstreams to talk to.

Precedence: environment variable > `sydstat.toml` (working directory, then $SYDSTAT_HOME) > default.
Kept free of heavy imports: the CLI's fast paths (`status`, `query`) load this module.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SCHEMAS_DIR = PROJECT_ROOT / "schemas"

DEFAULT_URLS = {
    "kolada": "https://api.kolada.se/v3",
    "scb": "https://statistikdatabasen.scb.se/api/v2",
    "fohm": "https://fohm-app.folkhalsomyndigheten.se/Folkhalsodata/api/v1/sv",
}


@dataclass(frozen=True)
class Settings:
    home: Path
    urls: dict[str, str]
    cadence_hours: dict[str, int]  # source → hours after which `status` calls it stale
    rate_per_second: dict[str, float] = field(default_factory=dict)  # per-source politeness overrides
    # the region: county codes (two digits) or None for the whole country, and its name (sydstat/region.py)
    region_counties: tuple[str, ...] | None = ("10", "12")
    region_name: str | None = None

    @property
    def work_db(self) -> Path:
        """The pipeline's private database; analysts never open it (DuckDB locks it)."""
        return self.home / "work" / "warehouse.duckdb"

    @property
    def published_db(self) -> Path:
        """The analysts' copy, replaced atomically after each complete run."""
        return self.home / "warehouse.duckdb"

    @property
    def raw_dir(self) -> Path:
        return self.home / "raw"

    @property
    def parquet_dir(self) -> Path:
        return self.home / "parquet"

    @property
    def reports_dir(self) -> Path:
        return self.home / "reports"

    @property
    def inbox_dir(self) -> Path:
        return self.home / "inbox"

    def url(self, source: str) -> str:
        return self.urls[source].rstrip("/")


def _read_toml(home: Path) -> dict:
    for candidate in (Path.cwd() / "sydstat.toml", home / "sydstat.toml"):
        if candidate.is_file():
            with candidate.open("rb") as fh:
                return tomllib.load(fh)
    return {}


def load_settings() -> Settings:
    """Build settings from the environment and the optional config file (read on every call: tests change env)."""
    home = Path(os.environ.get("SYDSTAT_HOME", "")) if os.environ.get("SYDSTAT_HOME") else None
    file_cfg = _read_toml(home or Path("data"))
    if home is None:
        home = Path(file_cfg.get("home", "data"))
    urls = dict(DEFAULT_URLS)
    for source in urls:
        from_file = file_cfg.get("sources", {}).get(source, {}).get("url")
        urls[source] = os.environ.get(f"SYDSTAT_{source.upper()}_URL") or from_file or urls[source]
    # Expected cadence per source comes from its catalogue (`cadence_hours`); sydstat.toml may override it with the
    # same word (`freshness_hours`, its old name, is still read).
    cadence = {
        source: int(cfg.get("cadence_hours", cfg.get("freshness_hours")))
        for source, cfg in file_cfg.get("sources", {}).items()
        if isinstance(cfg, dict) and cfg.get("cadence_hours", cfg.get("freshness_hours")) is not None
    }
    # Requests per second to an upstream without a published limit (Kolada: 5 by default, see sources/http.py).
    rates = {
        source: float(cfg["rate_per_second"])
        for source, cfg in file_cfg.get("sources", {}).items()
        if isinstance(cfg, dict) and cfg.get("rate_per_second") is not None
    }
    counties, name = _region(file_cfg.get("region", {}))
    return Settings(
        home=home.resolve(),
        urls=urls,
        cadence_hours=cadence,
        rate_per_second=rates,
        region_counties=counties,
        region_name=name,
    )


DEFAULT_REGION = ("10", "12")  # Skåne och Blekinge


class ConfigError(ValueError):
    """A setting that cannot be used (the message names it and what is allowed)."""


def _region(cfg: dict) -> tuple[tuple[str, ...] | None, str | None]:
    """`SYDSTAT_REGION` ('13', '10,12', 'all') > `[region] counties = [...]` in sydstat.toml > Skåne + Blekinge. A
    county code is two digits; 'all' is the whole country (None)."""
    raw = os.environ.get("SYDSTAT_REGION")
    if raw is not None:
        values, name = [v.strip() for v in raw.split(",") if v.strip()], None
    else:
        values, name = [str(v) for v in cfg.get("counties", DEFAULT_REGION)], cfg.get("name")
    if [v.lower() for v in values] == ["all"]:
        return None, name
    bad = [v for v in values if not (v.isdigit() and len(v.zfill(2)) == 2)]
    if bad or not values:
        raise ConfigError(f"region: county codes are two digits ('12', '13') or 'all'; got {values or raw!r}")
    return tuple(sorted({v.zfill(2) for v in values})), name


class HomeNotWritable(RuntimeError):
    """SYDSTAT_HOME cannot take writes; the message names the path and the operating system's reason."""


def ensure_home_writable(home: Path) -> None:
    """Fail before any work — with the path and the reason — when SYDSTAT_HOME is read-only, not a directory or on a
    full disk, rather than with a stack trace halfway through a run. (A disk that fills up later still fails the
    batch cleanly: every load is one transaction and the published copy is only replaced after a complete run.)"""
    probe = home / f".write-probe-{os.getpid()}"
    try:
        home.mkdir(parents=True, exist_ok=True)
        with open(probe, "wb") as fh:
            fh.write(b"\0" * 65536)
            fh.flush()
            os.fsync(fh.fileno())
    except OSError as exc:
        raise HomeNotWritable(
            f"SYDSTAT_HOME {home} is not writable: {exc.strerror or exc}. Free space or fix the "
            f"permissions, or point SYDSTAT_HOME elsewhere."
        ) from None
    finally:
        try:
            probe.unlink(missing_ok=True)
        except OSError:
            pass
