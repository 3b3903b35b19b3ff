"""Source descriptors in schemas/catalog/<source>.yaml: datasets, indicators, units, themes, licence, attribution."""

from __future__ import annotations

import hashlib
import json
import os
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


def source_row(source: str, snapshots=()) -> dict:
    """The dim_source row for a source. Synthetic when a snapshot the batch loads is (the demo's replay said so in
    its answers, recorded in the raw archive's provenance): never because of a command's flag."""
    synthetic = any(getattr(s, "synthetic", False) for s in snapshots)
    meta = load_catalog(source)["source"]
    title = meta["title"] + (" — SYNTETISKA DEMODATA (offline sample)" if synthetic else "")
    return {"source": meta["name"], "title": title, "url": meta.get("url"), "licence": meta.get("licence"),
            "attribution": meta["attribution"], "is_synthetic": synthetic, "updated_at": None}


def fingerprint(*parts) -> str:
    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()[:16]
