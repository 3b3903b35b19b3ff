"""Files a user hands us (`sydstat ingest FILE`, or dropped into the inbox): recognised by content, then loaded by
the flow for their kind — SCB area files here, project registers in flows/registers.py."""

from __future__ import annotations

import os
import tempfile
import uuid
from pathlib import Path

import pandas as pd
from prefect import flow, get_run_logger

from core.catalog import source_row
from core.config import SCHEMAS_DIR, load_settings
from core.records import LoadMode, safe_name
from core.region import region_municipalities
from flows.common import writer_slot
from flows.inbox import move_processed, resolve_inbox_file
from flows.publish import emit_loaded, source_run, write_file_manifest
from flows.registers import ingest_register_file
from sources.files import file_kind
from sources.registers import decode_text
from sources.snapshots import SnapshotArchive
from transforms import areas
from warehouse import lookups
from warehouse.loader import Batch, load_batch
from warehouse.lookups import municipality_codes


def ingest_file(path: str, synthetic: bool = False, publish: bool = True, rebuild: bool = False) -> dict:
    kind = file_kind(Path(path))
    if kind == "register":
        return ingest_register_file(path, synthetic=synthetic, publish=publish, rebuild=rebuild)
    return ingest_area_file(path, kind=kind, publish=publish, synthetic=synthetic, rebuild=rebuild)


@flow(name="ingest-area-file")
def ingest_area_file(
    path: str,
    kind: str,
    publish: bool = True,
    run_id: str | None = None,
    synthetic: bool = False,
    rebuild: bool = False,
) -> dict:
    with writer_slot():
        return _ingest_area(Path(path), kind, publish, run_id or uuid.uuid4().hex[:12], synthetic, rebuild)


def rebuild_files(publish: bool = False) -> list[dict]:
    """Offline rebuild of every file ever loaded (area files, then registers are replayed in the order they were
    first loaded), from the raw archive's file manifests: `rm work/warehouse.duckdb; sydstat run --offline` loses
    no project. A file that fails names itself and the others go on (RunIncomplete at the end)."""
    from flows.common import RunIncomplete

    archive = SnapshotArchive(load_settings().raw_dir)
    manifests = sorted(
        (m for source in ("scb", "registers") for m in archive.batch_manifests(source) if m.get("file")),
        key=lambda m: m["created_at"],
    )
    summaries, failures = [], []
    with tempfile.TemporaryDirectory(prefix="sydstat-rebuild-") as tmp:
        for manifest in manifests:
            provenance = archive.provenance(manifest["source"], manifest["snapshot_id"])
            path = Path(tmp) / Path(manifest["file"]).name
            path.write_bytes(archive.read(manifest["source"], manifest["snapshot_id"]))
            os.chmod(path, 0o600)
            try:
                summaries.append(
                    ingest_file(str(path), synthetic=bool(provenance.get("synthetic")), publish=False, rebuild=True)
                )
            except Exception as exc:
                failures.append(f"file {safe_name(manifest['file'])}: {type(exc).__name__}: {exc}")
            finally:
                path.unlink(missing_ok=True)
    if failures:
        raise RunIncomplete(summaries, failures)
    return summaries


def _ingest_area(
    path: Path, kind: str, publish: bool, run_id: str, synthetic: bool = False, rebuild: bool = False
) -> dict:
    name = safe_name(path.name)  # as it may be logged and shown: no forged lines, no escapes
    logger = get_run_logger()
    with source_run("scb", run_id, f"ingest-area-file {name} ({kind})", publish, mode=LoadMode.FILE) as run:
        body = path.read_bytes()
        archive = SnapshotArchive(run.settings.raw_dir)
        snapshot = archive.write(
            "scb", f"file:{path.name}", {"name": path.name}, body, content_type=path.suffix, synthetic=synthetic
        )
        text, _ = decode_text(body)
        quarantined = None
        if kind == "deso_regso_key":
            known = municipality_codes(run.con)
            counties = pd.read_csv(SCHEMAS_DIR / "seed" / "counties.csv", dtype=str)
            region = {m["municipality_code"] for m in region_municipalities()}
            municipalities = areas.municipalities_from_key(text, region, counties)
            frames = {
                "dim_municipality": municipalities[~municipalities.municipality_code.isin(known)],
                "dim_area": areas.parse_key(text),
            }
            received = len(frames["dim_area"])
        else:
            types = areas.parse_area_types(text)
            received = len(types)
            resolved, unresolved = areas.resolve_area_types(
                types,
                lookups.areas(run.con),
                lookups.municipality_names(run.con)[["municipality_code", "municipality_name"]],
            )
            frames = {"fct_area_type": resolved}
            quarantined = unresolved  # record_quarantine keeps every column but the reason as the record
        logger.info("%s: recognised as %s (%d rows)", name, kind, received)
        result = load_batch(
            run.con,
            Batch(
                "scb",
                LoadMode.FILE,
                run_id,
                [source_row("scb", [snapshot])],
                frames,
                quarantined=quarantined,
                quarantine_table="fct_area_type",
                snapshots=[snapshot],
                rows_received=received,
            ),
        )
        if not rebuild:
            write_file_manifest(archive, "scb", path.name, kind, snapshot, result.load_id)
        emit_loaded("scb", run_id, [result], file=name, kind=kind)
        summary = {
            "source": "scb",
            "file": name,
            "format": kind,
            "run_id": run_id,
            "batches": [{**result.__dict__, "mode": LoadMode.FILE, "requests": 0}],
            "warnings": [],
        }
        run.summary = summary
        if result.rows_quarantined:
            summary["warnings"].append(
                f"{result.rows_quarantined} rows could not be matched to a RegSO (see meta.quarantine)"
            )
    return summary


@flow(name="register-ingest")
def register_ingest(path: str) -> dict:
    """Deployed: a file announced from the inbox. Loaded → inbox/done/; refused → inbox/failed/ + reason file."""
    logger = get_run_logger()
    settings = load_settings()
    file = resolve_inbox_file(settings.inbox_dir, path)
    try:
        summary = ingest_file(str(file), publish=False)
    except Exception as exc:
        moved = move_processed(settings.inbox_dir, file, ok=False, reason=f"{type(exc).__name__}: {exc}")
        logger.error("%s → %s: %s", safe_name(file.name), moved.parent.name, exc)
        raise
    moved = move_processed(settings.inbox_dir, file, ok=True)
    logger.info("%s loaded as %s → %s", safe_name(file.name), summary["format"], moved)
    return summary
