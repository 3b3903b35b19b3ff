"""Ingest Folkhälsodata (PxWeb v1 grammar) into fct_indicator_value through the same validation and loader as
Kolada: change check (table `updated`), then flows/pxweb_indicators.py per changed table."""

from __future__ import annotations

import uuid
from datetime import UTC

from prefect import flow, get_run_logger

from flows.common import writer_slot
from flows.publish import emit_loaded, publish_task, source_run
from flows.pxweb_indicators import load_indicator_table
from sources.http import HttpClient
from sources.pxweb import PxWebClient
from sources.snapshots import SnapshotArchive
from sydstat.catalog import load_catalog
from sydstat.config import load_settings
from sydstat.sample import region_municipalities
from warehouse.loader import BatchResult
from warehouse.state import source_state

SOURCE = "fohm"


@flow(name="ingest-fohm")
def ingest_fohm(full: bool = False, synthetic: bool = False, publish: bool = True, run_id: str | None = None) -> dict:
    with writer_slot():
        return _ingest(full, synthetic, publish, run_id or uuid.uuid4().hex[:12])


def _ingest(full: bool, synthetic: bool, publish: bool, run_id: str) -> dict:
    logger = get_run_logger()
    settings = load_settings()
    http = HttpClient(SOURCE, SnapshotArchive(settings.raw_dir))
    client = PxWebClient(SOURCE, settings.url(SOURCE), http, version="v1")
    summary: dict = {"source": SOURCE, "run_id": run_id, "batches": [], "warnings": [], "synthetic": synthetic}
    with source_run(SOURCE, run_id, f"ingest-fohm full={full}", publish,
                    mode="full" if full else "incremental") as run:
        since = source_state(run.con, SOURCE).last_success_at
        region = [m["municipality_code"] for m in region_municipalities()]
        for table in load_catalog(SOURCE)["tables"]:
            if not full and since is not None and not client.changed_since(table["path"], since.replace(tzinfo=UTC)):
                logger.info("fohm: %s unchanged since %s — not downloaded", table["path"], since)
                summary["batches"].append({**BatchResult(None, SOURCE, "unchanged").__dict__, "mode": "incremental",
                                           "requests": http.requests_made})
                continue
            run.mode = "full"
            result = load_indicator_table(run, client, http, table, region, synthetic, run_id)
            emit_loaded(SOURCE, run_id, result, table=table["path"])
            summary["batches"].append({**result.__dict__, "mode": "full", "requests": http.requests_made})
        if publish:
            summary["published"] = publish_task(run.con, settings, run_id)
    return summary
