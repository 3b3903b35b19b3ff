"""Ingest Kolada v3: plan → extract (archive raw) → conform → validate → load (one transaction) → publish.

Incremental by default (`from_date` = the cursor in meta.source_state); when a full refresh is due is decided in
sources/kolada_plan.py. The rows are written by warehouse/loader.py `load_batch`, as schemas/tables.yaml declares.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

import pandas as pd
from prefect import flow, get_run_logger, task
from prefect.cache_policies import NONE
from prefect.utilities.annotations import quote

from core.catalog import fingerprint, load_catalog, source_row
from core.config import SCHEMAS_DIR, Settings, load_settings
from core.records import LoadMode, Snapshot
from core.region import region_municipalities
from flows.common import RunIncomplete, deletion_guard, load_task, source_http, validate_task, writer_slot
from flows.publish import emit_loaded, source_run
from sources.http import UpstreamError
from sources.kolada import KoladaClient, Page, chunks
from sources.kolada_plan import KoladaPlan, make_plan
from sources.snapshots import SnapshotArchive
from transforms import kolada as tk
from warehouse.loader import FACT_KEY, Batch
from warehouse.lookups import geography_codes, indicator_ids, indicator_units, municipality_codes
from warehouse.meta import record_failure
from warehouse.state import source_state

SOURCE = "kolada"


class BatchRejected(RuntimeError):
    """Validation found critical problems: the batch was not loaded."""


@dataclass
class KoladaExtract:
    plan: KoladaPlan
    kpi_pages: list[Page] = field(default_factory=list)
    municipality_pages: list[Page] = field(default_factory=list)
    # Value pages are flattened as they arrive and their JSON dropped: holding 184 national-scale pages as Python
    # dicts cost ~2 GB of RSS. One tidy frame per page, and the snapshot id of each page for the batch manifest.
    value_frames: list[pd.DataFrame] = field(default_factory=list)
    value_snapshot_ids: list[str | None] = field(default_factory=list)
    snapshots: list[Snapshot] = field(default_factory=list)
    requests_made: int = 0
    extracted_on: date | None = None

    out_of_scope: int = 0  # values for regions/the country that an all-municipality request also returns
    # KPI chunks whose requests failed after retries: {kpis, reason}. The other chunks still load; these KPIs are
    # kept out of the full-refresh deletions and the cursor does not move, so the next run asks for them again.
    failed_chunks: list[dict] = field(default_factory=list)

    @property
    def failed_kpis(self) -> list[str]:
        return [k for chunk in self.failed_chunks for k in chunk["kpis"]]

    def add_value_page(self, page: Page) -> None:
        frame = tk.values_frame([page.payload], [page.snapshot_id])
        if self.plan.all_municipalities:
            in_scope = frame.municipality_code.isin(self.plan.municipality_ids)
            self.out_of_scope += int((~in_scope).sum())
            frame = frame[in_scope]
        self.value_frames.append(frame)
        self.value_snapshot_ids.append(page.snapshot_id)

    def take_values(self) -> pd.DataFrame:
        """All values as one frame; the per-page frames are released (holding both doubled the peak memory)."""
        frames, self.value_frames = self.value_frames, []
        if not frames:
            return tk.values_frame([])
        values = pd.concat(frames, ignore_index=True)
        return values.astype({"snapshot_id": "category"})  # pages' categories differ: concat gave plain objects


def plan_run(con, kpis: list[str] | None, full: bool, today: date) -> KoladaPlan:
    """The plan (sources/kolada_plan.py) for the catalogue, the source's state and the municipalities in scope:
    with the catalogue's `municipalities: all`, or the whole country as the region, every municipality."""
    catalog = load_catalog(SOURCE)
    everywhere = catalog["load"].get("municipalities", "region") == "all" or load_settings().region_counties is None
    municipalities = (
        municipality_codes(con) if everywhere else [m["municipality_code"] for m in region_municipalities()]
    )
    return make_plan(catalog, kpis, full, today, source_state(con, SOURCE), municipalities, everywhere)


@task(name="extract-kolada", cache_policy=NONE)
def extract(settings: Settings, plan: KoladaPlan, archive: SnapshotArchive) -> KoladaExtract:
    logger = get_run_logger()
    http = source_http(SOURCE, archive, settings)
    client = KoladaClient(settings.url(SOURCE), http, per_page=int(load_catalog(SOURCE)["load"]["per_page"]))
    out = KoladaExtract(plan, extracted_on=datetime.now(UTC).date())
    if plan.mode == LoadMode.FULL:
        out.kpi_pages = client.kpis(plan.kpi_ids)
        out.municipality_pages = client.municipalities()
        if plan.all_municipalities:
            plan.municipality_ids = sorted(
                str(r["id"])
                for p in out.municipality_pages
                for r in p.payload["values"]
                if str(r.get("type", "K")).upper() == "K"
            )
            if plan.scope_fingerprint:  # the scope is now the upstream's list: remember that one
                plan.scope_fingerprint = fingerprint(plan.kpi_ids, plan.municipality_ids, plan.years[0])
    for kpi_chunk in chunks(plan.kpi_ids):  # one chunk failing after retries never stops the others
        done = len(out.value_frames)
        try:
            for page in client.values(
                kpi_chunk, None if plan.all_municipalities else plan.municipality_ids, plan.years, plan.from_date
            ):
                out.add_value_page(page)
                logger.info(
                    "kolada: page %d (%d records, %d requests so far)",
                    len(out.value_frames),
                    len(page.payload["values"]),
                    http.requests_made,
                )
        except UpstreamError as exc:
            del out.value_frames[done:], out.value_snapshot_ids[done:]  # none of a failed chunk's pages
            logger.error("kolada: KPI chunk %s failed: %s", ",".join(kpi_chunk), exc)
            out.failed_chunks.append({"kpis": kpi_chunk, "reason": f"{type(exc).__name__}: {exc}"})
    if out.failed_chunks and len(out.failed_kpis) == len(plan.kpi_ids):
        raise UpstreamError(
            SOURCE, settings.url(SOURCE), "every KPI chunk failed: " + "; ".join(c["reason"] for c in out.failed_chunks)
        )
    out.snapshots, out.requests_made = list(http.snapshots), http.requests_made
    return out


def extracts_from_archive(archive: SnapshotArchive) -> list[KoladaExtract]:
    """Offline rebuild: the last full batch and every incremental batch after it, from the raw archive."""
    manifests = archive.batch_manifests(SOURCE)
    fulls = [i for i, m in enumerate(manifests) if m["plan"]["mode"] == "full" and m["plan"]["scope_fingerprint"]]
    if not fulls:
        raise FileNotFoundError(f"no archived Kolada batches under {archive.raw_dir / SOURCE}; run online once first")
    extracts = []
    for manifest in manifests[fulls[-1] :]:
        plan_data = dict(manifest["plan"])
        plan_data["from_date"] = date.fromisoformat(plan_data["from_date"]) if plan_data["from_date"] else None
        plan = KoladaPlan(**plan_data)

        def pages(ids: list[str]) -> list[Page]:
            return [Page(_json(archive.read(SOURCE, sid)), sid) for sid in ids]

        snaps = manifest["snapshots"]
        ex = KoladaExtract(
            plan,
            pages(snaps["kpi"]),
            pages(snaps["municipality"]),
            snapshots=[
                Snapshot(**archive.provenance(SOURCE, sid))
                for sid in snaps["kpi"] + snaps["municipality"] + snaps["values"]
            ],
            extracted_on=date.fromisoformat(manifest["extracted_on"]),
        )
        for sid in snaps["values"]:
            ex.add_value_page(Page(_json(archive.read(SOURCE, sid)), sid))
        extracts.append(ex)
    return extracts


def _json(body: bytes):
    return json.loads(body.decode("utf-8-sig"))


def write_manifest(archive: SnapshotArchive, ex: KoladaExtract, load_id: int) -> None:
    plan = dict(ex.plan.__dict__, from_date=ex.plan.from_date.isoformat() if ex.plan.from_date else None)
    archive.write_batch_manifest(
        SOURCE,
        f"{datetime.now(UTC):%Y%m%dT%H%M%S}-{load_id:06d}",
        {
            "load_id": load_id,
            "created_at": datetime.now(UTC).isoformat(),
            "extracted_on": ex.extracted_on.isoformat(),
            "plan": plan,
            "snapshots": {
                "kpi": [p.snapshot_id for p in ex.kpi_pages],
                "municipality": [p.snapshot_id for p in ex.municipality_pages],
                "values": ex.value_snapshot_ids,
            },
        },
    )


@task(name="conform-kolada", cache_policy=NONE)
def conform(con, ex: KoladaExtract) -> tuple[pd.DataFrame | None, pd.DataFrame, pd.DataFrame, list[str]]:
    """(municipalities or None, indicators, conformed values, warnings) from an extract."""
    catalog = {str(k["id"]): k for k in load_catalog(SOURCE)["kpis"]}
    warnings: list[str] = []
    municipalities = None
    if ex.municipality_pages:
        seed = pd.DataFrame(region_municipalities())
        counties = pd.read_csv(SCHEMAS_DIR / "seed" / "counties.csv", dtype=str)
        municipalities = tk.municipalities_frame(
            [r for p in ex.municipality_pages for r in p.payload["values"]], seed, counties
        )
    indicators = tk.indicators_frame([r for p in ex.kpi_pages for r in p.payload["values"]], catalog)
    values = ex.take_values()
    if ex.plan.mode == LoadMode.FULL:
        unknown = sorted(set(ex.plan.kpi_ids) - set(indicators.indicator_id))
        if unknown:
            warnings.append(f"Kolada does not know KPI id(s) {', '.join(unknown)} (no metadata, no values)")
        empty = sorted(set(indicators.indicator_id) - set(values.indicator_id) - set(ex.failed_kpis))
        if empty:
            warnings.append(f"Kolada served no values for KPI id(s) {', '.join(empty)} in the requested scope")
    if ex.out_of_scope:
        warnings.append(
            f"{ex.out_of_scope} values for areas outside the municipality scope (regions, the country) "
            f"were served by the all-municipality requests and not loaded"
        )
    units = dict(zip(indicators.indicator_id, indicators.unit, strict=True))
    if len(units) < values.indicator_id.nunique():
        units = {**indicator_units(con), **units}
    return municipalities, indicators, tk.conform_values(values, units), warnings


def build_batch(
    con, settings: Settings, ex: KoladaExtract, run_id: str, mode: str, allow_deletions: bool = False
) -> tuple:
    # quote(): Prefect would otherwise walk every nested dict of the raw pages looking for futures (5 M objects at
    # national scale: ~75 % of the build's wall time, measured with cProfile).
    municipalities, indicators, values, warnings = conform(con, quote(ex))
    known_munis = municipalities.municipality_code.tolist() if municipalities is not None else geography_codes(con)
    known_kpis = sorted(set(indicators.indicator_id) | set(indicator_ids(con)))
    deleted = values.is_deleted.fillna(False)
    live = values[~deleted] if deleted.any() else values
    outcome = validate_task(
        SOURCE_SUITE,
        live,
        {
            "known_municipality_codes": known_munis,
            "known_indicator_ids": known_kpis,
            "max_year": ex.extracted_on.year + 1,
        },
        settings,
    )
    if not outcome.ok:
        raise BatchRejected("; ".join(outcome.critical_failures))
    deletions = values[deleted][FACT_KEY]
    scope = None
    if ex.plan.mode == LoadMode.FULL:  # a failed chunk's KPIs keep what they have: nothing of theirs is deleted
        scope = {
            "source": [SOURCE],
            "indicator_id": [k for k in ex.plan.kpi_ids if k not in set(ex.failed_kpis)],
            "municipality_code": ex.plan.municipality_ids,
        }
        if ex.plan.years is not None:  # else every year is in scope: the whole history was asked for
            scope["period"] = [str(y) for y in ex.plan.years]
    complete = not ex.failed_chunks
    # ad-hoc ids are a batch of their own (never the baseline of the catalogue's full refresh)
    dataset = None if ex.plan.scope_fingerprint else "adhoc:" + ",".join(ex.plan.kpi_ids)
    same_scope = ex.plan.scope_fingerprint == source_state(con, SOURCE).scope_fingerprint
    batch = Batch(
        source=SOURCE,
        mode=mode,
        run_id=run_id,
        source_rows=[source_row(SOURCE, ex.snapshots)],
        tables={
            "dim_indicator": indicators,
            "fct_indicator_value": outcome.valid[
                ["indicator_id", "municipality_code", "period", "sex", "value", "status", "source", "snapshot_id"]
            ],
            **({"dim_municipality": municipalities} if municipalities is not None else {}),
        },
        validated={outcome.suite},
        deletions={"fct_indicator_value": deletions},
        quarantined=outcome.quarantined,
        full_refresh_scope=scope,
        snapshots=ex.snapshots,
        rows_received=len(values),
        requests_made=ex.requests_made,
        new_cursor=ex.extracted_on if ex.plan.scope_fingerprint and complete else None,
        scope_fingerprint=ex.plan.scope_fingerprint if complete else None,
        partial=not complete,
        dataset=dataset,
        deletion_guard=deletion_guard(con, SOURCE, dataset, allow_deletions, same_scope),
    )
    return batch, warnings, outcome


SOURCE_SUITE = "indicator_values"


@flow(name="ingest-kolada", log_prints=True)
def ingest_kolada(
    kpis: list[str] | None = None,
    full: bool = False,
    offline: bool = False,
    publish: bool = True,
    run_id: str | None = None,
    allow_deletions: bool = False,
) -> dict:
    """Ingest Kolada into the work DB and (by default) publish the analyst DB. Returns a summary dict; ends with
    RunIncomplete (after loading and publishing the rest) when a KPI chunk failed."""
    with writer_slot():
        summary = _ingest(kpis, full, offline, publish, run_id, allow_deletions)
    if summary.get("failed"):
        raise RunIncomplete([summary], [f"{SOURCE} {f['table']}: {f['reason']}" for f in summary["failed"]])
    return summary


def _ingest(
    kpis: list[str] | None, full: bool, offline: bool, publish: bool, run_id: str | None, allow_deletions: bool = False
) -> dict:
    logger = get_run_logger()
    run_id = run_id or uuid.uuid4().hex[:12]
    summary: dict = {"source": SOURCE, "run_id": run_id, "batches": [], "warnings": []}
    command = f"ingest-kolada full={full} offline={offline} kpis={kpis or ''}"
    with source_run(
        SOURCE, run_id, command, publish, mode=LoadMode.OFFLINE if offline else "?", allow_deletions=allow_deletions
    ) as run:
        run.summary = summary
        archive = SnapshotArchive(run.settings.raw_dir)
        if offline:
            extracts = extracts_from_archive(archive)
        else:
            plan = plan_run(run.con, kpis, full, datetime.now(UTC).date())
            run.mode = plan.mode
            logger.info(
                "kolada: %s run (%s): %d KPIs × %d municipalities × %s years",
                plan.mode,
                plan.reason,
                len(plan.kpi_ids),
                len(plan.municipality_ids),
                len(plan.years) if plan.years is not None else "all",
            )
            extracts = [extract(run.settings, plan, archive)]
        loaded = []
        for ex in extracts:
            mode = LoadMode.OFFLINE if offline else ex.plan.mode
            batch, warnings, outcome = build_batch(run.con, run.settings, ex, run_id, mode, run.allow_deletions)
            for w in warnings:
                logger.warning(w)
            result = load_task(run.con, batch)
            if not offline:
                write_manifest(archive, ex, result.load_id)
            summary["warnings"] += warnings
            summary["batches"].append(
                {
                    **result.__dict__,
                    "mode": mode,
                    "requests": ex.requests_made,
                    "quarantined": len(outcome.quarantined),
                    "docs": outcome.docs_url,
                }
            )
            logger.info(
                "kolada: %s batch %d: %s (+%d ~%d -%d, %d quarantined)",
                mode,
                result.load_id,
                result.status,
                result.rows_inserted,
                result.rows_updated,
                result.rows_deleted,
                result.rows_quarantined,
            )
            loaded.append(result)
            for chunk in ex.failed_chunks:  # recorded after the batch, so `status` sees them as the latest word
                dataset = "kpi:" + ",".join(chunk["kpis"])
                record_failure(run.con, SOURCE, run_id, mode, chunk["reason"], dataset=dataset)
                run.failures.append({"table": f"KPI chunk {','.join(chunk['kpis'])}", "reason": chunk["reason"]})
        summary["failed"] = run.failures
        emit_loaded(SOURCE, run_id, loaded, mode=LoadMode.OFFLINE if offline else extracts[-1].plan.mode)
    return summary
