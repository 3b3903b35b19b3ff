"""Files a user hands us (`sydstat ingest FILE`, or dropped into the inbox): recognised by content, then loaded by
the flow for their kind — SCB area files here, project registers in flows/registers.py."""

from __future__ import annotations

import uuid
from pathlib import Path

import pandas as pd
from prefect import flow, get_run_logger

from flows.common import writer_slot
from flows.publish import emit_loaded, publish_task, source_run
from flows.registers import ingest_register_file
from sources.registers import decode_text
from sources.snapshots import SnapshotArchive
from sydstat.catalog import source_row
from sydstat.config import SCHEMAS_DIR
from sydstat.region import region_municipalities
from transforms import areas
from warehouse.area_loader import load_area_batch


def file_kind(path: Path) -> str:
    """'deso_regso_key', 'regso_area_types' or 'register' (the register reader then decides or refuses)."""
    head = path.read_bytes()[:4096]
    try:
        text, _ = decode_text(head)
    except UnicodeDecodeError:
        return "register"
    return areas.sniff(text) or "register"


def ingest_file(path: str, synthetic: bool = False, publish: bool = True) -> dict:
    kind = file_kind(Path(path))
    if kind == "register":
        return ingest_register_file(path, synthetic=synthetic, publish=publish)
    return ingest_area_file(path, kind=kind, publish=publish)


@flow(name="ingest-area-file")
def ingest_area_file(path: str, kind: str, publish: bool = True, run_id: str | None = None) -> dict:
    with writer_slot():
        return _ingest_area(Path(path), kind, publish, run_id or uuid.uuid4().hex[:12])


def _ingest_area(path: Path, kind: str, publish: bool, run_id: str) -> dict:
    logger = get_run_logger()
    with source_run("scb", run_id, f"ingest-area-file {path.name} ({kind})", publish, mode="file") as run:
        body = path.read_bytes()
        snapshot = SnapshotArchive(run.settings.raw_dir).write("scb", f"file:{path.name}", {"name": path.name}, body,
                                                               content_type=path.suffix)
        text, _ = decode_text(body)
        quarantined = None
        if kind == "deso_regso_key":
            known = {r[0] for r in run.con.execute("SELECT municipality_code FROM dim_municipality "
                                                   "WHERE geo_level = 'municipality'").fetchall()}
            counties = pd.read_csv(SCHEMAS_DIR / "seed" / "counties.csv", dtype=str)
            region = {m["municipality_code"] for m in region_municipalities()}
            municipalities = areas.municipalities_from_key(text, region, counties)
            frames = {"dim_municipality": municipalities[~municipalities.municipality_code.isin(known)],
                      "dim_area": areas.parse_key(text)}
            received = len(frames["dim_area"])
        else:
            types = areas.parse_area_types(text)
            received = len(types)
            resolved, unresolved = areas.resolve_area_types(
                types, run.con.execute("SELECT * FROM dim_area").df(),
                run.con.execute("SELECT municipality_code, municipality_name FROM dim_municipality "
                                "WHERE geo_level = 'municipality'").df())
            frames = {"fct_area_type": resolved}
            quarantined = unresolved  # record_quarantine keeps every column but the reason as the record
        logger.info("%s: recognised as %s (%d rows)", path.name, kind, received)
        result = load_area_batch(run.con, run_id, source_row("scb"), frames, quarantined, [snapshot], received)
        emit_loaded("scb", run_id, [result], file=path.name, kind=kind)
        summary = {"source": "scb", "file": path.name, "format": kind, "run_id": run_id,
                   "batches": [{**result.__dict__, "mode": "file", "requests": 0}], "warnings": []}
        if result.rows_quarantined:
            summary["warnings"].append(f"{result.rows_quarantined} rows could not be matched to a RegSO "
                                       "(see meta.quarantine)")
        if publish:
            summary["published"] = publish_task(run.con, run.settings, run_id)
    return summary
