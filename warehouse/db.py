"""DuckDB connection and the migration runner.

Migrations are the numbered files schemas/warehouse/NNN_name.sql, applied once each, in order, inside a
transaction, and recorded in meta.schema_version. Views (schemas/marts/*.sql) are CREATE OR REPLACE and are refreshed
on every migrate/publish, so editing a view needs no migration.
"""

from __future__ import annotations

import re
from contextlib import contextmanager
from pathlib import Path

import duckdb

from core.config import SCHEMAS_DIR

MIGRATIONS_DIR = SCHEMAS_DIR / "warehouse"
MARTS_DIR = SCHEMAS_DIR / "marts"
_MIGRATION_NAME = re.compile(r"^(\d{3})_[a-z0-9_]+\.sql$")


def run_sql(con: duckdb.DuckDBPyConnection, query: str, params: list | None = None) -> list[tuple]:
    """Execute and fetch everything: in DuckDB 2.0 an unfinished result blocks its connection."""
    return con.execute(query, params or []).fetchall()


class WriterBusy(RuntimeError):
    """Another sydstat process is writing this home's warehouse; nothing was touched."""


@contextmanager
def writer_lock(settings):
    """One writer per home, before anything is touched: an exclusive lock on `work/.writer.lock`. A second writer
    waits up to $SYDSTAT_LOCK_WAIT seconds (default 0), then refuses (WriterBusy) naming who holds it."""
    import fcntl
    import os
    import time

    from core.config import ensure_home_writable

    ensure_home_writable(settings.home)  # a home that is a file, or read-only: its own clear error, first
    path = settings.work_db.with_name(".writer.lock")
    path.parent.mkdir(parents=True, exist_ok=True)
    wait = float(os.environ.get("SYDSTAT_LOCK_WAIT", "0") or 0)
    deadline = time.monotonic() + wait
    handle = open(path, "a+")  # noqa: SIM115 (held for the whole block)
    try:
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    handle.seek(0)
                    holder = handle.read().strip() or "another process"
                    raise WriterBusy(
                        f"another sydstat run is writing to {settings.home} ({holder}); "
                        f"nothing was touched — try again when it has finished"
                        + (f" (waited {wait:.0f}s)" if wait else " (or set SYDSTAT_LOCK_WAIT=seconds to wait)")
                    ) from None
                time.sleep(0.2)
        handle.seek(0)
        handle.truncate()
        handle.write(f"pid {os.getpid()} since {time.strftime('%Y-%m-%d %H:%M:%S')}")
        handle.flush()
        yield
    finally:
        handle.close()  # releases the lock


def connect_readonly(path: Path) -> duckdb.DuckDBPyConnection:
    """The analysts' connection (`query`, `status`, the report): read-only, and no file system beyond the database —
    no COPY … TO, ATTACH, EXPORT, INSTALL or read_csv('/etc/passwd') — with the configuration locked so a query
    cannot turn it back on."""
    return duckdb.connect(
        str(path), read_only=True, config={"enable_external_access": False, "lock_configuration": True}
    )


def connect(path: Path, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    path = Path(path)
    if not read_only:
        path.parent.mkdir(parents=True, exist_ok=True)
    return duckdb.connect(str(path), read_only=read_only)


def migrations() -> list[tuple[int, Path]]:
    found = []
    for path in sorted(MIGRATIONS_DIR.glob("*.sql")):
        match = _MIGRATION_NAME.match(path.name)
        if not match:
            raise ValueError(f"migration file name must look like 001_name.sql: {path.name}")
        found.append((int(match.group(1)), path))
    return found


def schema_version(con: duckdb.DuckDBPyConnection) -> int:
    exists = con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'meta' AND table_name = 'schema_version'"
    ).fetchall()[0][0]
    if not exists:
        return 0
    return con.execute("SELECT coalesce(max(version), 0) FROM meta.schema_version").fetchall()[0][0]


class SchemaTooNew(RuntimeError):
    """The database was migrated by a newer sydstat."""


def migrate(con: duckdb.DuckDBPyConnection) -> int:
    """Apply pending migrations and refresh views; return the schema version. A database that a newer sydstat has
    migrated is refused before anything is written: this code does not know its tables."""
    current = schema_version(con)
    known = max((version for version, _ in migrations()), default=0)
    if current > known:
        raise SchemaTooNew(
            f"the warehouse has schema version {current}, newer than this sydstat knows ({known}): "
            f"upgrade sydstat, or point SYDSTAT_HOME at another warehouse"
        )
    for version, path in migrations():
        if version <= current:
            continue
        con.begin()
        try:
            run_sql(con, "CREATE SCHEMA IF NOT EXISTS meta")
            run_sql(
                con,
                "CREATE TABLE IF NOT EXISTS meta.schema_version "
                "(version INTEGER PRIMARY KEY, name VARCHAR NOT NULL, applied_at TIMESTAMP NOT NULL)",
            )
            con.execute(path.read_text()).fetchall()
            run_sql(con, "INSERT INTO meta.schema_version VALUES (?, ?, now())", [version, path.name])
            con.commit()
        except Exception:
            con.rollback()
            raise
        current = version
    seed_region(con)
    refresh_views(con)
    return current


DEFAULT_REGION_COUNTIES = ["10", "12"]  # Skåne och Blekinge (sydstat/region.py reads the configured one)


def seed_region(con: duckdb.DuckDBPyConnection, region_codes: list[str] | None = None) -> None:
    """All 290 municipalities are a checked-in seed (schemas/seed/municipalities.csv): present before any source has
    loaded (a register can be ingested first). Upstream names later win; existing rows keep their names. `in_region`
    follows the configured region (`region_codes`; the default region's municipalities when None) on every open, so
    a changed region is never mixed into the region's averages."""
    seed = SCHEMAS_DIR / "seed"
    run_sql(
        con,
        """
        INSERT INTO dim_municipality (municipality_code, municipality_name, county_code, county_name, kommungrupp,
                                      in_region)
        SELECT m.municipality_code, m.municipality_name, m.county_code, c.county_name, m.kommungrupp, false
        FROM read_csv(?, all_varchar = true) m
        LEFT JOIN read_csv(?, all_varchar = true) c USING (county_code)
        WHERE m.municipality_code NOT IN (SELECT municipality_code FROM dim_municipality)""",
        [str(seed / "municipalities.csv"), str(seed / "counties.csv")],
    )
    run_sql(
        con,
        """
        INSERT INTO dim_municipality (municipality_code, municipality_name, county_code, county_name, kommungrupp,
                                      in_region, geo_level)
        SELECT '00' || county_code, county_name, county_code, county_name, NULL, false, 'county'
        FROM read_csv(?, all_varchar = true)
        WHERE '00' || county_code NOT IN (SELECT municipality_code FROM dim_municipality)""",
        [str(seed / "counties.csv")],
    )  # every county, for survey values by county ('0013' Hallands län)
    if region_codes is None:
        region_codes = [
            r[0]
            for r in run_sql(
                con,
                "SELECT municipality_code FROM read_csv(?, all_varchar = true) "
                "WHERE county_code IN (SELECT unnest(?::VARCHAR[]))",
                [str(seed / "municipalities.csv"), DEFAULT_REGION_COUNTIES],
            )
        ]
    run_sql(
        con,
        "UPDATE dim_municipality SET in_region = (municipality_code IN (SELECT unnest(?::VARCHAR[]))) "
        "WHERE geo_level = 'municipality' AND in_region IS DISTINCT FROM "
        "(municipality_code IN (SELECT unnest(?::VARCHAR[])))",
        [region_codes, region_codes],
    )


def mart_dependencies() -> dict[str, list[str]]:
    """Each mart → the marts it is built on, as its file's first line declares (`-- depends: a, b`)."""
    deps = {}
    for path in sorted(MARTS_DIR.glob("*.sql")):
        first = path.read_text(encoding="utf-8").split("\n", 1)[0]
        deps[path.stem] = (
            [d.strip() for d in first.removeprefix("-- depends:").split(",") if d.strip()]
            if first.startswith("-- depends:")
            else []
        )
    return deps


def refresh_views(con: duckdb.DuckDBPyConnection) -> list[str]:
    """(Re)create every mart, each after the marts it declares it depends on (indicator_trends after
    indicator_values). Returns the marts in the order they were created."""
    from graphlib import TopologicalSorter

    order = list(TopologicalSorter(mart_dependencies()).static_order())
    for name in order:
        con.execute((MARTS_DIR / f"{name}.sql").read_text(encoding="utf-8")).fetchall()
    return order


def open_work_db(path: Path, region_codes: list[str] | None = None) -> duckdb.DuckDBPyConnection:
    """The pipeline's writer connection, migrated to the current schema, `in_region` set for the region."""
    con = connect(path)
    migrate(con)
    if region_codes is not None:
        seed_region(con, region_codes)
    return con
