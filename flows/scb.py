"""Ingest SCB through PxWebApi 2.0: change check → metadata → split queries (archived) → area population →
segregation indices → validate → load (one transaction) → publish.

A table that has not changed since the last successful load is not downloaded (`/tables?pastDays`), unless `full`.
"""

from __future__ import annotations

import uuid
from datetime import UTC

import pandas as pd
from prefect import flow, get_run_logger, task
from prefect.cache_policies import NONE

from flows.common import validate_task, writer_slot
from flows.publish import emit_loaded, publish_task, source_run
from flows.pxweb_indicators import load_indicator_table
from sources.http import HttpClient
from sources.pxweb import PxWebClient
from sources.snapshots import SnapshotArchive
from sydstat.catalog import load_catalog, source_row
from sydstat.config import Settings, load_settings
from sydstat.sample import region_municipalities
from transforms import scb as ts
from transforms.pxweb import jsonstat2_frame
from warehouse.area_loader import load_area_batch
from warehouse.loader import BatchResult
from warehouse.state import known_codes, source_state

SOURCE = "scb"


@task(name="extract-scb-table", cache_policy=NONE)
def extract_table(client: PxWebClient, table: dict) -> tuple[pd.DataFrame, list[str], list[str]]:
    """(cells, DeSO codes asked for, snapshot ids) for one catalogue table."""
    variables, _updated = client.metadata(table["id"])
    load = load_catalog(SOURCE)["load"]
    # region = the 38 (default); all = every DeSO the table lists (the national benchmark)
    region = ({m["municipality_code"] for m in region_municipalities()}
              if load.get("municipalities", "region") == "region" else None)
    selection = {name: info["values"] for name, info in variables.items()}
    selection["Region"] = ts.region_deso_codes(variables["Region"]["values"], region)
    if not selection["Region"]:
        raise ValueError(f"table {table['id']}: no DeSO codes of the region in its metadata")
    first_year = str(load["first_year"])
    selection["Tid"] = [t for t in variables["Tid"]["values"] if t[:4] >= first_year]
    results = client.query(table["id"], selection)
    frame = pd.concat([jsonstat2_frame(r.payload) for r in results], ignore_index=True)
    return frame, selection["Region"], [r.snapshot_id for r in results if r.snapshot_id]


def _municipality_scope(con) -> list[str]:
    """The municipalities municipal tables are asked for: the 38, or every known one with `municipalities: all`."""
    if load_catalog(SOURCE)["load"].get("municipalities", "region") == "all":
        return known_codes(con, "dim_municipality")
    return [m["municipality_code"] for m in region_municipalities()]


@flow(name="ingest-scb")
def ingest_scb(full: bool = False, synthetic: bool = False, publish: bool = True, run_id: str | None = None) -> dict:
    with writer_slot():
        return _ingest(full, synthetic, publish, run_id or uuid.uuid4().hex[:12])


def _ingest(full: bool, synthetic: bool, publish: bool, run_id: str) -> dict:
    logger = get_run_logger()
    settings: Settings = load_settings()
    archive = SnapshotArchive(settings.raw_dir)
    http = HttpClient(SOURCE, archive)
    client = PxWebClient(SOURCE, settings.url(SOURCE), http, version="v2")
    catalog = load_catalog(SOURCE)
    summary: dict = {"source": SOURCE, "run_id": run_id, "batches": [], "warnings": [], "synthetic": synthetic}
    with source_run(SOURCE, run_id, f"ingest-scb full={full}", publish,
                    mode="full" if full else "incremental") as run:
        since = source_state(run.con, SOURCE).last_success_at
        for table in catalog["tables"]:
            changed = full or since is None or client.changed_since(table["id"],
                                                                    since.replace(tzinfo=UTC) if since else None)
            if not changed:
                logger.info("scb: %s unchanged since %s — not downloaded", table["id"], since)
                summary["batches"].append({**BatchResult(None, SOURCE, "unchanged").__dict__, "mode": "incremental",
                                           "requests": http.requests_made})
                continue
            if table.get("target") == "fct_indicator_value":  # a municipal indicator table (SCB's own index)
                result = load_indicator_table(run, client, http, table, _municipality_scope(run.con), synthetic,
                                              run_id)
                emit_loaded(SOURCE, run_id, result, table=table["id"])
                summary["batches"].append({**result.__dict__, "mode": "table " + table["id"],
                                           "requests": http.requests_made})
                continue
            cells, desos, snapshot_ids = extract_table(client, table)
            logger.info("scb: %s: %d cells for %d DeSO in %d requests", table["id"], len(cells), len(desos),
                        http.requests_made)
            population = ts.area_population(cells, table)
            outcome = validate_task("area_population", population, {}, settings)
            if not outcome.ok:
                raise ValueError("; ".join(outcome.critical_failures))
            population = outcome.valid
            known = {r[0]: r[1] for r in run.con.execute(
                "SELECT area_code, regso_code FROM dim_area WHERE area_level = 'DeSO'").fetchall()}
            new_areas = pd.DataFrame({"area_code": [d for d in desos if d not in known]})
            new_areas = new_areas.assign(area_level="DeSO", grid_version=2018, area_name=None,
                                         municipality_code=new_areas.area_code.str[:4], regso_code=None)
            indices = ts.segregation(population, table["segregation"], {k: v for k, v in known.items() if v})
            frames = {"dim_area": new_areas, "fct_area_population": population.assign(source=SOURCE),
                      "segregation_indices": indices}
            snapshots = [s for s in http.snapshots if s.snapshot_id in set(snapshot_ids)]
            result = load_area_batch(run.con, run_id, source_row(SOURCE, synthetic), frames,
                                     outcome.quarantined if len(outcome.quarantined) else None, snapshots,
                                     len(population), mode="full" if full or since is None else "incremental")
            emit_loaded(SOURCE, run_id, result, table=table["id"])
            summary["batches"].append({**result.__dict__, "mode": "table " + table["id"],
                                       "requests": http.requests_made})
        if publish:
            summary["published"] = publish_task(run.con, settings, run_id)
    return summary
