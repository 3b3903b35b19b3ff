"""Ingest Folkhälsodata (PxWeb v1 grammar) into fct_indicator_value through the same validation and loader as
Kolada: change check (the folder listing's `updated`: v1 table metadata has none), then flows/pxweb_tables.py per
changed table, each its own batch."""

from __future__ import annotations

import uuid

from prefect import flow

from core.catalog import load_catalog, run_spec
from core.config import load_settings
from core.records import LoadMode
from core.region import region
from flows.common import RunIncomplete, source_http, writer_slot
from flows.publish import source_run
from flows.pxweb_tables import ingest_tables, load_indicator_table
from sources.pxweb import PxWebClient
from sources.snapshots import SnapshotArchive

SOURCE = "fohm"


def _region_choice(table: dict, municipalities: set[str]):
    """The 38 municipalities; for a county-level survey table, their counties and the nation ('00') instead."""
    if table.get("geography") == "county":
        counties = {"00"} | {code[:2] for code in municipalities}
        return lambda codes: [c for c in codes if c in counties]
    return lambda codes: [c for c in codes if c in municipalities]


@flow(name="ingest-fohm")
def ingest_fohm(
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
    settings = load_settings()
    archive = SnapshotArchive(settings.raw_dir)
    http = source_http(SOURCE, archive, settings)
    client = PxWebClient(SOURCE, settings.url(SOURCE), http, version=run_spec(SOURCE).pxweb)
    summary: dict = {"source": SOURCE, "run_id": run_id, "batches": [], "warnings": []}
    codes = set(region(settings).municipality_codes)
    with source_run(
        SOURCE,
        run_id,
        f"ingest-fohm full={full} offline={offline}",
        publish,
        mode=LoadMode.asked(full, offline),
        allow_deletions=allow_deletions,
    ) as run:
        run.summary = summary
        ingest_tables(
            run,
            client,
            archive,
            load_catalog(SOURCE)["tables"],
            lambda run, ex, table, mode: load_indicator_table(run, ex, table, run_id, mode, http.requests_made),
            lambda table: _region_choice(table, codes),
            summary,
            full=full,
            offline=offline,
            scope=region(settings).fingerprint,
        )
    return summary
