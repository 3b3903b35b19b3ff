"""Ingest SCB through PxWebApi 2.0: change check → metadata → split queries (archived) → per table: area population
and segregation indices, RegSO area types, municipal population by age (sum-checked), or indicator values → validate
→ load (one transaction per table) → publish.

Each table is a batch of its own (flows/pxweb_tables.py `ingest_tables`): one that fails is recorded and named, the
others load and are published, and the run then ends with `RunIncomplete` (exit 1). A table that has not changed
since its own last successful load is not downloaded (`/tables?pastDays`), unless `full`.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from functools import partial

from prefect import flow, get_run_logger

from core.catalog import load_catalog, run_spec, source_row
from core.config import Settings, load_settings
from core.records import LoadMode
from core.region import region, region_municipalities
from flows.common import RunIncomplete, source_http, validate_task, writer_slot
from flows.publish import SourceRun, source_run
from flows.pxweb_tables import TableExtract, ingest_tables, load_indicator_table
from sources.pxweb import PxWebClient
from sources.snapshots import SnapshotArchive
from transforms import population as tp
from transforms import scb as ts
from transforms.areas import area_rows
from warehouse.loader import Batch, load_batch
from warehouse.lookups import age_groups, area_codes, deso_regso, geography_codes, population_groups
from warehouse.meta import BatchResult

SOURCE = "scb"


def _region_choice(table: dict):
    """Which Region codes a table is asked for (transforms/scb.py `region_codes_for`): those of the region's
    municipalities, or of every municipality with the catalogue's `municipalities: all`."""
    everywhere = load_catalog(SOURCE)["load"].get("municipalities", "region") == "all"
    municipalities = None if everywhere else {m["municipality_code"] for m in region_municipalities()}
    return lambda codes: ts.region_codes_for(table, codes, municipalities)


@flow(name="ingest-scb")
def ingest_scb(
    full: bool = False,
    publish: bool = True,
    run_id: str | None = None,
    offline: bool = False,
    allow_deletions: bool = False,
) -> dict:
    with writer_slot():
        summary = _ingest(full, publish, run_id or uuid.uuid4().hex[:12], offline, allow_deletions)
    if summary["failed"]:
        raise RunIncomplete([summary], [f"{SOURCE} {f['table']}: {f['reason']}" for f in summary["failed"]])
    return summary


def _ingest(full: bool, publish: bool, run_id: str, offline: bool, allow_deletions: bool = False) -> dict:
    settings: Settings = load_settings()
    archive = SnapshotArchive(settings.raw_dir)
    http = source_http(SOURCE, archive, settings)
    client = PxWebClient(SOURCE, settings.url(SOURCE), http, version=run_spec(SOURCE).pxweb)
    catalog = load_catalog(SOURCE)
    summary: dict = {"source": SOURCE, "run_id": run_id, "batches": [], "warnings": []}
    loaders = {
        "fct_indicator_value": lambda run, ex, table, mode: load_indicator_table(
            run, ex, table, run_id, mode, http.requests_made
        ),
        "fct_population": partial(_load_population_table, run_id=run_id),
        "fct_area_type": partial(_load_area_type_table, run_id=run_id),
        "fct_area_population": partial(_load_area_table, run_id=run_id, ckm=catalog["load"].get("ckm")),
    }
    with source_run(
        SOURCE,
        run_id,
        f"ingest-scb full={full} offline={offline}",
        publish,
        mode=LoadMode.asked(full, offline),
        allow_deletions=allow_deletions,
    ) as run:
        run.summary = summary
        ingest_tables(
            run,
            client,
            archive,
            catalog["tables"],
            lambda run, ex, table, mode: loaders[table["target"]](run, ex, table, mode),
            _region_choice,
            summary,
            full=full,
            offline=offline,
            first_year=catalog["load"]["first_year"],
            scope=region(settings).fingerprint,
        )
    return summary


def _load_area_table(
    run: SourceRun, ex: TableExtract, table: dict, mode: str, run_id: str, ckm: dict | None
) -> BatchResult:
    """Persons per DeSO and population group → fct_area_population, new DeSO → dim_area, and the segregation indices
    they give (for tables with a `segregation` spec). Cells of areas not in use that year (the other grid's codes,
    answered as '..' or 0) are not loaded."""
    cells, off_grid = ts.drop_off_grid(ex.cells)
    get_run_logger().info("scb: %s: %d cells of areas off their grid that year (not loaded)", ex.table_ref, off_grid)
    population = ts.area_population(cells, table, ckm)
    outcome = validate_task(
        "area_population",
        population,
        {
            "known_population_groups": population_groups(run.con, table["classification"]),
            "known_age_groups": age_groups(run.con),
        },
        run.settings,
    )
    if not outcome.ok:
        raise ValueError(f"{ex.table_ref}: " + "; ".join(outcome.critical_failures))
    population = outcome.valid
    known = deso_regso(run.con)
    in_use = population.area_code.drop_duplicates()
    frames = {
        "dim_area": area_rows(in_use[~in_use.isin(list(known))]),
        "fct_area_population": population.assign(source=SOURCE),
    }
    if "segregation" in table:
        frames["segregation_indices"] = ts.segregation(
            population, table["segregation"], {k: v for k, v in known.items() if v}
        )
    return load_batch(
        run.con,
        Batch(
            SOURCE,
            mode,
            run_id,
            [source_row(SOURCE, ex.snapshots)],
            frames,
            validated={outcome.suite},
            quarantined=outcome.quarantined,
            quarantine_table="fct_area_population",
            snapshots=ex.snapshots,
            rows_received=len(population),
            dataset=ex.table_ref,
        ),
    )


def _load_population_table(run: SourceRun, ex: TableExtract, table: dict, mode: str, run_id: str) -> BatchResult:
    """Persons by municipality, age and sex → fct_population, after the sum-of-parts check: a total that misses its
    parts by more than the table's tolerance fails the batch (the classic table must add up exactly)."""
    population = tp.population_frame(ex.cells, table)
    violations = tp.sum_violations(population, table.get("sum_tolerance"))
    if len(violations):
        raise ValueError(tp.describe_violations(violations, ex.table_ref, table.get("sum_tolerance")))
    outcome = validate_task(
        "population",
        population,
        {
            "known_municipality_codes": geography_codes(run.con),
            "known_age_groups": age_groups(run.con, single_years=True),  # the municipal series is by single year
            "max_year": datetime.now(UTC).year,
        },
        run.settings,
    )
    if not outcome.ok:
        raise ValueError(f"{ex.table_ref}: " + "; ".join(outcome.critical_failures))
    return load_batch(
        run.con,
        Batch(
            SOURCE,
            mode,
            run_id,
            [source_row(SOURCE, ex.snapshots)],
            {"fct_population": outcome.valid.assign(source=SOURCE)},
            validated={outcome.suite},
            quarantined=outcome.quarantined,
            quarantine_table="fct_population",
            snapshots=ex.snapshots,
            rows_received=len(population),
            dataset=ex.table_ref,
        ),
    )


def _load_area_type_table(run: SourceRun, ex: TableExtract, table: dict, mode: str, run_id: str) -> BatchResult:
    """RegSO områdestyp through PxWeb — the online route of the area-type file `sydstat ingest` reads. RegSO 2020
    until 2023, RegSO 2025 from 2024, each on its own codes; RegSO missing from dim_area are added (named by the
    table's labels; the key file's names are kept); a type outside 1-5 is quarantined with its reason."""
    cells, _off_grid = ts.drop_off_grid(ex.cells)
    types, regso, rejected = ts.area_types(cells, table)
    known = area_codes(run.con, "RegSO")
    return load_batch(
        run.con,
        Batch(
            SOURCE,
            mode,
            run_id,
            [source_row(SOURCE, ex.snapshots)],
            {"dim_area": regso[~regso.area_code.isin(known)], "fct_area_type": types},
            quarantined=rejected,
            quarantine_table="fct_area_type",
            snapshots=ex.snapshots,
            rows_received=len(types) + len(rejected),
            dataset=ex.table_ref,
        ),
    )
