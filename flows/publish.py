"""Publish: the analyst DuckDB copy (atomic os.replace) and the Parquet export (atomic symlink swap), then
`sydstat.warehouse.published`. Deployed, it is triggered by `sydstat.source.loaded`; in-process runs call the
same task after their loads."""

from __future__ import annotations

import logging
import traceback
from contextlib import contextmanager
from dataclasses import dataclass, field

from prefect import flow, task
from prefect.cache_policies import NONE

from core.config import Settings, ensure_home_writable, load_settings
from flows.common import work_db, writer_slot
from flows.events import SOURCE_LOADED, WAREHOUSE_PUBLISHED, emit, source_resource, warehouse_resource
from warehouse.export import swap_export, write_export
from warehouse.meta import record_failure
from warehouse.publish import publish, stage_copy, swap_in
from warehouse.state import finish_run, mark_interrupted, start_run


@task(name="publish", cache_policy=NONE)
def publish_task(con, settings: Settings, run_id: str | None = None) -> dict:
    """The analyst copy and the Parquet export are both written in full first, then swapped in one after the
    other: a process killed while writing leaves both as they were, never a new database beside old Parquet."""
    staged = stage_copy(con, settings.published_db)
    try:
        folder, manifest = write_export(con, settings.parquet_dir, run_id)
    except BaseException:
        staged.unlink(missing_ok=True)
        raise
    swap_export(settings.parquet_dir, folder)
    db = swap_in(staged, settings.published_db)
    result = {
        "warehouse": str(db),
        "parquet": str(settings.parquet_dir),
        "run_id": run_id,
        "rows": {name: t["rows"] for name, t in manifest["tables"].items()},
    }
    emit(WAREHOUSE_PUBLISHED, warehouse_resource(), result)
    return result


def publish_failure_metadata(con, settings: Settings) -> None:
    """After a failed batch the data is unchanged (rolled back); publishing the DuckDB copy lets `status` show the
    failure. No Parquet, no event: nothing new was loaded."""
    try:
        publish(con, settings.published_db)
    except Exception as exc:  # the original error matters more
        logging.getLogger("sydstat.flows").warning("could not publish run metadata after failure: %s", exc)


def publish_work_db(settings: Settings, run_id: str | None = None) -> dict:
    """Open the work DB, publish, close — in its own frame so no later traceback keeps the connection alive."""
    with writer_slot():
        con = work_db(settings)
        try:
            return publish_task(con, settings, run_id)
        finally:
            con.close()


@flow(name="publish")
def publish_flow(run_id: str | None = None) -> dict:
    return publish_work_db(load_settings(), run_id)


@dataclass
class SourceRun:
    """The bookkeeping of one source run: its work-DB connection, settings and the mode to record on failure."""

    source: str
    run_id: str
    settings: Settings
    con: object
    mode: str
    failures: list[dict] = field(default_factory=list)  # {table, reason} of the batches that failed in this run
    allow_deletions: bool = False  # `--allow-deletions`: a full refresh may delete more than the catalogue allows
    summary: dict | None = None  # the flow's summary: `published` is added to it after the run is recorded


@contextmanager
def source_run(
    source: str, run_id: str, command: str, publish: bool, mode: str = "full", allow_deletions: bool = False
):
    """Open the work DB, record the run in meta.run; on success mark it succeeded; on failure record the reason in
    meta.load_batch / meta.source_state, publish the (unchanged) data with that metadata, and re-raise. The one
    mechanism every source flow uses for this.

    Prefect keeps a failed flow's exception — and so its frames — alive: the frames are cleared and the connection
    is dropped from the handle, so no frame keeps DuckDB alive after the run."""
    settings = load_settings()
    ensure_home_writable(settings.home)
    run = SourceRun(source, run_id, settings, work_db(settings), mode, allow_deletions=allow_deletions)
    mark_interrupted(run.con)  # under the writer lock: a 'running' row now is a run that was killed
    start_run(run.con, run_id, command)
    try:
        yield run
        finish_run(
            run.con,
            run_id,
            "partial" if run.failures else "succeeded",
            "; ".join(f"{f['table']}: {f['reason']}" for f in run.failures),
        )
        if publish:  # after the run is recorded as finished, so the published copy says so too
            published = publish_task(run.con, settings, run_id)
            if run.summary is not None:
                run.summary["published"] = published
    except Exception as exc:
        record_failure(run.con, source, run_id, run.mode, f"{type(exc).__name__}: {exc}")
        finish_run(run.con, run_id, "failed", str(exc))
        if publish:
            publish_failure_metadata(run.con, settings)
        traceback.clear_frames(exc.__traceback__)
        raise
    finally:
        run.con.close()
        run.con = None


def write_file_manifest(archive, source: str, name: str, kind: str, snapshot, load_id: int) -> None:
    """A loaded file's batch manifest (raw/<source>/batches/): what `rebuild_files` replays offline, in order."""
    from datetime import UTC, datetime

    archive.write_batch_manifest(
        source,
        f"{datetime.now(UTC):%Y%m%dT%H%M%S}-{load_id:06d}-file",
        {
            "load_id": load_id,
            "created_at": datetime.now(UTC).isoformat(),
            "source": source,
            "file": name,
            "kind": kind,
            "snapshot_id": snapshot.snapshot_id,
        },
    )


def emit_loaded(source: str, run_id: str, results: list, **extra) -> bool:
    """`sydstat.source.loaded` — the publish deployment's trigger — once per source run, after its last batch, and
    only when a batch changed something: a run of nine PxWeb tables publishes once, a run that changed nothing not at
    all. The payload names every batch. Returns whether it was emitted."""
    changed = [r for r in results if r.changed]
    if not changed:
        return False
    emit(
        SOURCE_LOADED,
        source_resource(source),
        {
            "run_id": run_id,
            "load_ids": [r.load_id for r in changed],
            "datasets": [r.dataset for r in changed if r.dataset],
            "rows_inserted": sum(r.rows_inserted for r in changed),
            "rows_updated": sum(r.rows_updated for r in changed),
            "rows_deleted": sum(r.rows_deleted for r in changed),
            "rows_quarantined": sum(r.rows_quarantined for r in changed),
            **extra,
        },
    )
    return True
