"""One PxWeb indicator table → fct_indicator_value, for every PxWeb source (Folkhälsodata, SCB's municipal tables):
metadata → selection (the region's municipalities, the catalogue's indicators) → split queries (archived) → conform →
validate → load. The same validation suite and loader as Kolada."""

from __future__ import annotations

import pandas as pd

from flows.common import validate_task
from flows.publish import SourceRun
from sources.http import HttpClient
from sources.pxweb import PxWebClient
from sydstat.catalog import source_row
from transforms import pxweb_indicators as tpi
from transforms.pxweb import jsonstat2_frame
from warehouse.loader import BatchResult, IndicatorBatch, load_indicator_batch
from warehouse.state import known_codes


def load_indicator_table(run: SourceRun, client: PxWebClient, http: HttpClient, table: dict, regions: list[str],
                         synthetic: bool, run_id: str) -> BatchResult:
    source = run.source
    ref = table.get("path") or table["id"]
    variables, _ = client.metadata(ref)
    selection = {name: info["values"] for name, info in variables.items()}
    selection["Region"] = [c for c in variables["Region"]["values"] if c in regions]
    selection[table["indicator_by"]] = [v for v in variables[table["indicator_by"]]["values"]
                                        if v in table["indicators"]]
    results = client.query(ref, selection)
    cells = pd.concat([jsonstat2_frame(r.payload).assign(snapshot_id=r.snapshot_id) for r in results],
                      ignore_index=True)
    indicators = tpi.indicators_frame(table, source)
    values = tpi.values_frame(cells, table, source)
    outcome = validate_task("indicator_values", values, {
        "known_municipality_codes": known_codes(run.con, "dim_municipality"),
        "known_indicator_ids": indicators.indicator_id.tolist(), "max_year": 2100}, run.settings)
    if not outcome.ok:
        raise ValueError(f"{ref}: " + "; ".join(outcome.critical_failures))
    snapshot_ids = {r.snapshot_id for r in results}
    batch = IndicatorBatch(
        source=source, mode="full", run_id=run_id, source_row=source_row(source, synthetic), indicators=indicators,
        values=outcome.valid[["indicator_id", "municipality_code", "period", "sex", "value", "status", "source",
                              "snapshot_id"]],
        quarantined=outcome.quarantined, snapshots=[s for s in http.snapshots if s.snapshot_id in snapshot_ids],
        rows_received=len(values), requests_made=http.requests_made,
        full_refresh_scope={"source": [source], "indicator_id": indicators.indicator_id.tolist(),
                            "municipality_code": selection["Region"]})
    return load_indicator_batch(run.con, batch)
