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
    """Stage and swap in one go (the Parquet export is not involved)."""
    return swap_in(stage_copy(con, published_path), published_path)


def remove_stale_temp_files(published_path: Path) -> list[Path]:
    """Temp copies a killed process left behind (`.warehouse.duckdb.<pid>.tmp` of a pid no longer alive): on a
    nearly full disk they would eat the last space."""
    removed = []
    for tmp in Path(published_path).parent.glob(f".{Path(published_path).name}.*.tmp"):
        pid = tmp.name.rsplit(".", 2)[-2]
        if pid.isdigit() and int(pid) != os.getpid() and not _alive(int(pid)):
            tmp.unlink(missing_ok=True)
            removed.append(tmp)
    return removed


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def stage_copy(con: duckdb.DuckDBPyConnection, published_path: Path) -> Path:
    """The analyst copy, complete, in a temp file beside the published one; `swap_in` makes it the published one."""
    published_path = Path(published_path)
    published_path.parent.mkdir(parents=True, exist_ok=True)
    remove_stale_temp_files(published_path)
    tmp = published_path.with_name(f".{published_path.name}.{os.getpid()}.tmp")
    tmp.unlink(missing_ok=True)
    refresh_views(con)
    run_sql(con, "CHECKPOINT")
    work_catalog = run_sql(con, "SELECT current_database()")[0][0]
    run_sql(con, "ATTACH ? AS _publish", [str(tmp)])
    try:
        run_sql(con, f'COPY FROM DATABASE "{work_catalog}" TO _publish')
    except BaseException:
        run_sql(con, "DETACH _publish")
        tmp.unlink(missing_ok=True)
        raise
    run_sql(con, "DETACH _publish")
    return tmp


def swap_in(tmp: Path, published_path: Path) -> Path:
    os.replace(tmp, published_path)
    return Path(published_path)
