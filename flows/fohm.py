"""Ingest Folkhälsodata (PxWeb v1 grammar) into fct_indicator_value through the same validation and loader as
Kolada: change check (table `updated`) → metadata → split queries (archived) → conform → validate → load."""

from __future__ import annotations

import uuid
from datetime import UTC

import pandas as pd
from prefect import flow, get_run_logger

from flows.common import validate_task, writer_slot
from flows.publish import emit_loaded, publish_task, source_run
from sources.http import HttpClient
from sources.pxweb import PxWebClient
from sources.snapshots import SnapshotArchive
from sydstat.catalog import load_catalog, source_row
from sydstat.config import load_settings
from sydstat.sample import region_municipalities
from transforms import fohm as tf
from transforms.pxweb import jsonstat2_frame
from warehouse.loader import BatchResult, IndicatorBatch, load_indicator_batch
from warehouse.state import known_codes, source_state

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
            variables, _ = client.metadata(table["path"])
            selection = {name: info["values"] for name, info in variables.items()}
            selection["Region"] = [c for c in variables["Region"]["values"] if c in region]
            selection[table["indicator_by"]] = [v for v in variables[table["indicator_by"]]["values"]
                                                if v in table["indicators"]]
            results = client.query(table["path"], selection)
            cells = pd.concat([jsonstat2_frame(r.payload).assign(snapshot_id=r.snapshot_id) for r in results],
                              ignore_index=True)
            indicators = tf.indicators_frame(table)
            values = tf.values_frame(cells, table)
            outcome = validate_task("indicator_values", values, {
                "known_municipality_codes": known_codes(run.con, "dim_municipality"),
                "known_indicator_ids": indicators.indicator_id.tolist(), "max_year": 2100}, settings)
            if not outcome.ok:
                raise ValueError("; ".join(outcome.critical_failures))
            batch = IndicatorBatch(
                source=SOURCE, mode="full", run_id=run_id, source_row=source_row(SOURCE, synthetic),
                indicators=indicators, values=outcome.valid[["indicator_id", "municipality_code", "period", "sex",
                                                             "value", "status", "source", "snapshot_id"]],
                quarantined=outcome.quarantined, snapshots=list(http.snapshots), rows_received=len(values),
                requests_made=http.requests_made,
                full_refresh_scope={"source": [SOURCE], "indicator_id": indicators.indicator_id.tolist(),
                                    "municipality_code": selection["Region"]})
            result = load_indicator_batch(run.con, batch)
            emit_loaded(SOURCE, run_id, result, table=table["path"])
            summary["batches"].append({**result.__dict__, "mode": "full", "requests": http.requests_made})
        if publish:
            summary["published"] = publish_task(run.con, settings, run_id)
    return summary
