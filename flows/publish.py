"""Publish: the analyst DuckDB copy (atomic os.replace) and the Parquet export (atomic symlink swap), then
`sydstat.warehouse.published`. Deployed, it is triggered by `sydstat.source.loaded`; in-process runs call the
same task after their loads."""

from __future__ import annotations

import logging

from prefect import flow, task
from prefect.cache_policies import NONE

from flows.common import work_db, writer_slot
from flows.events import WAREHOUSE_PUBLISHED, emit, warehouse_resource
from sydstat.config import Settings, load_settings
from warehouse.export import export_parquet
from warehouse.publish import publish


@task(name="publish", cache_policy=NONE)
def publish_task(con, settings: Settings, run_id: str | None = None) -> dict:
    db = publish(con, settings.published_db)
    manifest = export_parquet(con, settings.parquet_dir, run_id)
    result = {"warehouse": str(db), "parquet": str(settings.parquet_dir), "run_id": run_id,
              "rows": {name: t["rows"] for name, t in manifest["tables"].items()}}
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
