"""Ingest Folkhälsodata (PxWeb v1 grammar) into fct_indicator_value through the same validation and loader as
Kolada: change check (table `updated`), then flows/pxweb_tables.py per changed table."""

from __future__ import annotations

import uuid
from datetime import UTC

from prefect import flow, get_run_logger

from flows.common import writer_slot
from flows.publish import emit_loaded, publish_task, source_run
from flows.pxweb_tables import extract_table, load_indicator_table, table_from_archive, write_table_manifest
from sources.http import HttpClient
from sources.pxweb import PxWebClient
from sources.snapshots import SnapshotArchive
from sydstat.catalog import load_catalog
from sydstat.config import load_settings
from sydstat.sample import region_municipalities
from warehouse.loader import BatchResult
from warehouse.state import source_state

SOURCE = "fohm"


def _region_choice(table: dict, municipalities: set[str]):
    """The 38 municipalities; for a county-level survey table, their counties and the nation ('00') instead."""
    if table.get("geography") == "county":
        counties = {"00"} | {code[:2] for code in municipalities}
        return lambda codes: [c for c in codes if c in counties]
    return lambda codes: [c for c in codes if c in municipalities]


@flow(name="ingest-fohm")
def ingest_fohm(full: bool = False, synthetic: bool = False, publish: bool = True, run_id: str | None = None,
                offline: bool = False) -> dict:
    with writer_slot():
        return _ingest(full, synthetic, publish, run_id or uuid.uuid4().hex[:12], offline)


def _ingest(full: bool, synthetic: bool, publish: bool, run_id: str, offline: bool) -> dict:
    logger = get_run_logger()
    settings = load_settings()
    archive = SnapshotArchive(settings.raw_dir)
    http = HttpClient(SOURCE, archive)
    client = PxWebClient(SOURCE, settings.url(SOURCE), http, version="v1")
    summary: dict = {"source": SOURCE, "run_id": run_id, "batches": [], "warnings": [], "synthetic": synthetic}
    with source_run(SOURCE, run_id, f"ingest-fohm full={full} offline={offline}", publish,
                    mode="offline" if offline else "full" if full else "incremental") as run:
        since = source_state(run.con, SOURCE).last_success_at
        region = {m["municipality_code"] for m in region_municipalities()}
        for table in load_catalog(SOURCE)["tables"]:
            if offline:
                ex, mode = table_from_archive(archive, SOURCE, table), "offline"
            elif not full and since is not None and not client.changed_since(table["path"],
                                                                             since.replace(tzinfo=UTC)):
                logger.info("fohm: %s unchanged since %s — not downloaded", table["path"], since)
                summary["batches"].append({**BatchResult(None, SOURCE, "unchanged").__dict__, "mode": "incremental",
                                           "requests": http.requests_made})
                continue
            else:
                ex, mode = extract_table(client, table, _region_choice(table, region)), "full"
            run.mode = mode
            result = load_indicator_table(run, ex, table, synthetic, run_id, mode, http.requests_made)
            if not offline:
                write_table_manifest(archive, SOURCE, ex, result.load_id)
            emit_loaded(SOURCE, run_id, result, table=table["path"])
            summary["batches"].append({**result.__dict__, "mode": mode, "requests": http.requests_made})
        if publish:
            summary["published"] = publish_task(run.con, settings, run_id)
    return summary
