"""Project registers: a file (ESF+ export, Tillväxtverket JSON, Kohesio CSV) → archive → read → conform →
validate → load (one transaction) → publish.

Two entry points: `ingest_register_file` (the CLI's `sydstat ingest FILE`) and `register_ingest` (deployed, triggered
by `sydstat.inbox.received`; only files inside the inbox; the file then moves to inbox/done/ or inbox/failed/).
"""

from __future__ import annotations

import uuid
from pathlib import Path

import pandas as pd
from prefect import flow, get_run_logger

from core.catalog import load_catalog
from core.config import Settings
from core.records import LoadMode, safe_name
from flows.common import validate_task, writer_slot
from flows.publish import emit_loaded, source_run, write_file_manifest
from sources.registers import read_register_file
from sources.snapshots import SnapshotArchive
from transforms import registers as tr
from warehouse.loader import Batch, load_batch
from warehouse.lookups import municipality_names

SOURCE = "registers"
FUND_NAMES = {
    "ESF+": "Europeiska socialfonden+",
    "ESF": "Europeiska socialfonden",
    "ERUF": "Europeiska regionala utvecklingsfonden",
    "FRO": "Fonden för en rättvis omställning",
}


def register_source_rows(formats: set[str]) -> list[dict]:
    registers = load_catalog(SOURCE)["registers"]
    return [
        {
            "source": f,
            "title": registers[f]["title"],
            "url": registers[f]["url"],
            "licence": registers[f]["licence"],
            "attribution": registers[f]["attribution"],
            "is_synthetic": False,
            "updated_at": None,
        }
        for f in formats
    ]


def build_register_batch(con, settings: Settings, path: Path, run_id: str, synthetic: bool):
    archive = SnapshotArchive(settings.raw_dir)
    body = path.read_bytes()
    snapshot = archive.write(
        SOURCE,
        f"file:{path.name}",
        {"name": path.name},
        body,
        content_type=path.suffix,
        private=True,
        synthetic=synthetic,
    )
    file = read_register_file(path)
    conformed = tr.conform(file, municipality_names(con), synthetic_default=synthetic)
    projects = conformed.projects
    quarantined, validated = [conformed.problems], set()
    if not projects.empty:
        numeric = projects.astype({c: "Float64" for c in ("total_budget_sek", "eu_support_sek", "cofinancing_rate")})
        outcome = validate_task("projects", numeric.drop(columns=["municipality_codes", "partner_keys"]), {}, settings)
        if not outcome.ok:
            raise ValueError("the register file failed critical checks: " + "; ".join(outcome.critical_failures))
        validated.add(outcome.suite)
        if len(outcome.quarantined):
            quarantined.append(
                pd.DataFrame(
                    {
                        "project_id": outcome.quarantined.project_id,
                        "reason": outcome.quarantined.reason,
                        "record": outcome.quarantined.drop(columns=["reason"])
                        .astype(object)
                        .where(outcome.quarantined.drop(columns=["reason"]).notna(), None)
                        .to_dict("records"),
                    }
                )
            )
        keep = outcome.valid[["register", "project_id"]].drop_duplicates()
        projects = projects.merge(keep, on=["register", "project_id"])
    else:
        keep = pd.DataFrame(columns=["register", "project_id"])
    overrides = {str(k): v for k, v in (load_catalog(SOURCE).get("organisation_sectors") or {}).items()}
    organisations = conformed.organisations.copy()
    sectors = [tr.classify(o, overrides) for o in organisations.to_dict("records")]
    organisations["sector"] = [s for s, _ in sectors]
    organisations["sector_method"] = [m for _, m in sectors]
    funds = pd.DataFrame(
        [
            {"fund_code": c, "fund_name": FUND_NAMES.get(c, c)}
            for c in sorted(set(projects.get("fund_code", pd.Series(dtype=str)).dropna()))
        ],
        columns=["fund_code", "fund_name"],
    )
    batch = Batch(
        SOURCE,
        LoadMode.FILE,
        run_id,
        register_source_rows({file.format}),
        {
            "dim_fund": funds,
            "dim_organisation": organisations,
            "dim_project": projects,
            "fct_project_funding": projects,
            "bridge_project_municipality": conformed.municipalities.merge(keep, on=["register", "project_id"]),
            "bridge_project_organisation": conformed.project_organisations.merge(keep, on=["register", "project_id"]),
        },
        validated=validated,
        quarantined=pd.concat([q for q in quarantined if not q.empty] or [conformed.problems]),
        quarantine_table="dim_project",
        snapshots=[snapshot],
        rows_received=len(file.records),
    )
    return batch, file, conformed.unplaced


@flow(name="ingest-register-file")
def ingest_register_file(
    path: str, synthetic: bool = False, publish: bool = True, run_id: str | None = None, rebuild: bool = False
) -> dict:
    """Ingest one register file from anywhere on disk (the CLI's `sydstat ingest FILE`). `synthetic`: a demo sample
    file (recorded in the raw archive's provenance). `rebuild`: the file comes from the raw archive (offline
    rebuild): no new file manifest."""
    with writer_slot():
        return _ingest(Path(path), synthetic, publish, run_id or uuid.uuid4().hex[:12], rebuild)


def _ingest(path: Path, synthetic: bool, publish: bool, run_id: str, rebuild: bool = False) -> dict:
    name = safe_name(path.name)  # as it may be logged and shown: no forged lines, no escapes
    logger = get_run_logger()
    with source_run(SOURCE, run_id, f"ingest-register-file {name}", publish, mode=LoadMode.FILE) as run:
        batch, file, unplaced = build_register_batch(run.con, run.settings, path, run_id, synthetic)
        logger.info("%s: recognised as %s (%d records, %s)", name, file.format, len(file.records), file.encoding)
        result = load_batch(run.con, batch)
        if not rebuild:
            write_file_manifest(
                SnapshotArchive(run.settings.raw_dir), SOURCE, path.name, "register", batch.snapshots[0], result.load_id
            )
        emit_loaded(SOURCE, run_id, [result], file=name, format=file.format)
        summary = {
            "source": SOURCE,
            "file": name,
            "format": file.format,
            "run_id": run_id,
            "batches": [{**result.__dict__, "mode": LoadMode.FILE, "requests": 0}],
            "warnings": [f"{r.project_id}: {r.reason}" for r in batch.quarantined.itertuples()],
        }
        run.summary = summary
        if unplaced is not None and len(unplaced):  # loaded, but linked to no municipality: say so
            reasons = [
                f"{len(rows)} × {why}"
                + (f" ({', '.join(map(repr, rows.town.dropna().unique()[:3]))})" if rows.town.notna().any() else "")
                for why, rows in unplaced.groupby("reason")
            ]
            summary["warnings"].append(
                f"{len(unplaced)} of {len(batch.tables['dim_project'])} projects have no place "
                f"(loaded without a municipality): " + "; ".join(reasons)
            )
    return summary
