"""The nightly run: every configured source, each in its own batch (one failing source never blocks the others),
then one publish. Deployed by prefect.yaml at 02:00 Europe/Stockholm."""

from __future__ import annotations

import uuid

from prefect import flow, get_run_logger

from flows.common import publish_task, work_db
from flows.kolada import ingest_kolada
from sydstat.config import load_settings

SOURCE_FLOWS = {"kolada": ingest_kolada}


def _publish(settings) -> str:
    """Its own frame, so no traceback raised later in the flow keeps the DuckDB connection alive."""
    con = work_db(settings)
    try:
        return publish_task(con, settings)
    finally:
        con.close()


@flow(name="nightly")
def nightly(full: bool = False, synthetic: bool = False) -> dict:
    logger = get_run_logger()
    run_id = uuid.uuid4().hex[:12]
    results, failures = {}, {}
    for name, ingest in SOURCE_FLOWS.items():
        try:
            results[name] = ingest(full=full, synthetic=synthetic, publish=False, run_id=f"{run_id}-{name}")
        except Exception as exc:
            logger.error("%s failed: %s", name, exc)
            failures[name] = str(exc)
    published = _publish(load_settings())
    if failures:
        raise RuntimeError(f"{len(failures)} source(s) failed: " + "; ".join(f"{k}: {v}" for k, v in failures.items()))
    return {"run_id": run_id, "sources": results, "published": published}
