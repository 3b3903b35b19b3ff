"""Source descriptors in schemas/catalog/<source>.yaml: datasets, indicators, units, themes, licence, attribution."""

from __future__ import annotations

import hashlib
import json
from functools import cache

import yaml

from sydstat.config import SCHEMAS_DIR


@cache
def load_catalog(source: str) -> dict:
    path = SCHEMAS_DIR / "catalog" / f"{source}.yaml"
    if not path.is_file():
        raise FileNotFoundError(f"no catalogue for source {source!r} at {path}")
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def configured_sources() -> list[str]:
    """Sources with a catalogue and a flow; the nightly run ingests these."""
    return sorted(p.stem for p in (SCHEMAS_DIR / "catalog").glob("*.yaml"))


def source_row(source: str, synthetic: bool = False) -> dict:
    """The dim_source row for a source; the demo marks its data as synthetic."""
    meta = load_catalog(source)["source"]
    title = meta["title"] + (" — SYNTETISKA DEMODATA (offline sample)" if synthetic else "")
    return {"source": meta["name"], "title": title, "url": meta.get("url"), "licence": meta.get("licence"),
            "attribution": meta["attribution"], "is_synthetic": synthetic, "updated_at": None}


def fingerprint(*parts) -> str:
    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()[:16]
