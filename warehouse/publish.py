"""Publish the work DB to analysts: refresh views, checkpoint, copy to a temp file, atomically replace.

DuckDB locks a database file against every other process while one process writes it, readers included, so analysts
never open the work DB. They get $SYDSTAT_HOME/warehouse.duckdb, which is swapped with os.replace: a reader holding
the old file keeps reading it undisturbed, a new connection sees the new data, and nobody ever sees half a run.
"""

from __future__ import annotations

import os
from pathlib import Path

import duckdb

from warehouse.db import refresh_views, run_sql


def publish(con: duckdb.DuckDBPyConnection, published_path: Path) -> Path:
    published_path = Path(published_path)
    published_path.parent.mkdir(parents=True, exist_ok=True)
    tmp = published_path.with_name(f".{published_path.name}.{os.getpid()}.tmp")
    tmp.unlink(missing_ok=True)
    refresh_views(con)
    run_sql(con, "CHECKPOINT")
    work_catalog = run_sql(con, "SELECT current_database()")[0][0]
    run_sql(con, "ATTACH ? AS _publish", [str(tmp)])
    try:
        run_sql(con, f'COPY FROM DATABASE "{work_catalog}" TO _publish')
    finally:
        run_sql(con, "DETACH _publish")
    os.replace(tmp, published_path)
    return published_path
