"""Source descriptors in schemas/catalog/<source>.yaml: datasets, indicators, units, themes, licence, attribution,
and how sydstat runs the source (`source.run`). This is the only code that reads schemas/catalog; the catalogue is
the source registry too, so adding a source is a catalogue file, a source module, a transform and a flow."""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

from core.config import SCHEMAS_DIR


def catalog_dir() -> Path:
    """schemas/catalog, or $SYDSTAT_CATALOG_DIR for a catalogue of your own (the benchmark uses one)."""
    return Path(os.environ.get("SYDSTAT_CATALOG_DIR") or SCHEMAS_DIR / "catalog")


def load_catalog(source: str) -> dict:
    return _load(catalog_dir() / f"{source}.yaml")


@cache
def _load(path: Path) -> dict:
    if not path.is_file():
        raise FileNotFoundError(f"no catalogue at {path}")
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def forget() -> None:
    """Read the catalogue files again on the next `load_catalog` (after `sydstat indicators add` wrote one)."""
    _load.cache_clear()


def configured_sources() -> list[str]:
    """Sources with a catalogue; `status` reports on these."""
    return sorted(p.stem for p in catalog_dir().glob("*.yaml"))


@dataclass(frozen=True)
class RunSpec:
    """How a source is run (`source.run` in its catalogue file)."""

    source: str
    order: int = 99
    flow: str | None = None  # "module:function" of its ingest flow; None for files (the registers)
    probe: str | None = None  # the change sensor's probe (flows/sensor.py PROBES)
    pxweb: str | None = None  # the PxWeb grammar, 'v1' or 'v2', of a PxWeb source
    rows: str = "values"  # what the CLI calls its rows
    rows_table: str = "fct_indicator_value"  # where `sydstat status` counts them
    ad_hoc_ids: bool = False  # `sydstat run --kpi` loads ids outside the catalogue


def run_spec(source: str) -> RunSpec:
    return RunSpec(source, **(load_catalog(source)["source"].get("run") or {}))


def api_sources() -> list[str]:
    """The sources the nightly runs (a catalogue with a `run.flow`), in their `run.order`."""
    specs = [run_spec(s) for s in configured_sources()]
    return [s.source for s in sorted(specs, key=lambda s: (s.order, s.source)) if s.flow]


def source_row(source: str, snapshots=()) -> dict:
    """The dim_source row for a source. Synthetic when a snapshot the batch loads is (the demo's replay said so in
    its answers, recorded in the raw archive's provenance): never because of a command's flag."""
    synthetic = any(getattr(s, "synthetic", False) for s in snapshots)
    meta = load_catalog(source)["source"]
    title = meta["title"] + (" — SYNTETISKA DEMODATA (offline sample)" if synthetic else "")
    return {
        "source": meta["name"],
        "title": title,
        "url": meta.get("url"),
        "licence": meta.get("licence"),
        "attribution": meta["attribution"],
        "is_synthetic": synthetic,
        "updated_at": None,
    }


def fingerprint(*parts) -> str:
    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()[:16]
