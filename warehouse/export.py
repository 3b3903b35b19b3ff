"""Parquet for BI tools: every dimension, fact and mart of the work DB, swapped in atomically.

Layout: $SYDSTAT_HOME/parquet is a symlink to .parquet-versions/<stamp>/ holding
  <table>.parquet                       dimensions and small views
  <table>/year=<YYYY>/*.parquet         facts and year-grained views, hive-partitioned by year
  _manifest.json                        run id, row counts, column types, attribution and licences
A new export is written to a fresh version folder and the symlink is replaced with os.replace, so a BI tool sees
either the old export or the new one, never a half-written folder. The previous version is kept for readers that
are mid-read; older ones are removed.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from warehouse.db import run_sql
from warehouse.merge import ident

KEEP_VERSIONS = 2


def exported_objects(con: duckdb.DuckDBPyConnection) -> dict[str, tuple[str, bool]]:
    """name → (SELECT, partitioned by year) for every table and view of the analyst schema (dims, facts, marts).

    Facts (`fct_*`) and views with a year are partitioned by year; a fact keyed by `period` gets its year from
    dim_period. New marts and tables are exported without touching this module.
    """
    objects = {}
    tables = run_sql(
        con,
        "SELECT table_name, table_type FROM information_schema.tables "
        "WHERE table_schema = 'main' AND table_catalog = current_database() ORDER BY table_name",
    )
    for name, table_type in tables:
        columns = {
            c[0]
            for c in run_sql(
                con,
                "SELECT column_name FROM information_schema.columns WHERE "
                "table_schema = 'main' AND table_name = ? AND "
                "table_catalog = current_database()",
                [name],
            )
        }
        t = ident(name)
        if name.startswith("fct_") and "period" in columns and "year" not in columns:
            objects[name] = (f"SELECT f.*, p.year FROM {t} f JOIN dim_period p USING (period)", True)  # noqa: S608
        else:
            partitioned = "year" in columns and (name.startswith("fct_") or table_type == "VIEW")
            objects[name] = (f"SELECT * FROM {t}", partitioned)  # noqa: S608 (checked identifier)
    return objects


def export_parquet(con: duckdb.DuckDBPyConnection, target: Path, run_id: str | None = None) -> dict:
    """Write the export into a new version folder and point `target` (a symlink) at it. Returns the manifest."""
    folder, manifest = write_export(con, target, run_id)
    swap_export(target, folder)
    return manifest


def write_export(con: duckdb.DuckDBPyConnection, target: Path, run_id: str | None = None) -> tuple[Path, dict]:
    """A complete export in a new version folder (its `_manifest.json` written last: a folder without one is a
    killed export, removed by the next one). `swap_export` makes it the current one."""
    target = Path(target)
    if target.exists() and not target.is_symlink():
        if not _only_ours(target):
            raise FileExistsError(
                f"{target} exists and holds files sydstat did not write; refusing to replace it "
                f"(choose another --to, or move them)"
            )
        shutil.rmtree(target)  # an old-style real folder from us: replaced by the versioned layout
    versions = target.parent / f".{target.name}-versions"
    _remove_unfinished(versions, target)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
    folder = versions / stamp
    folder.mkdir(parents=True)
    tables = {}
    try:
        for name, (query, partitioned) in exported_objects(con).items():
            if partitioned:
                path = folder / name
                options = "FORMAT parquet, COMPRESSION zstd, PARTITION_BY (year)"
            else:
                path = folder / f"{name}.parquet"
                options = "FORMAT parquet, COMPRESSION zstd"
            run_sql(con, f"COPY ({query}) TO '{_sql_path(path)}' ({options})")
            described = run_sql(con, f"DESCRIBE {query}")
            rows = run_sql(con, f"SELECT count(*) FROM ({query})")[0][0]  # noqa: S608 (built from checked names)
            tables[name] = {
                "path": path.name,
                "rows": int(rows),
                "partitioned_by": "year" if partitioned else None,
                "columns": [{"name": c[0], "type": c[1]} for c in described],
            }
        manifest = {
            "run_id": run_id,
            "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "tables": tables,
            "sources": [
                dict(zip(("source", "title", "url", "licence", "attribution", "is_synthetic"), r, strict=True))
                for r in run_sql(
                    con, "SELECT source, title, url, licence, attribution, is_synthetic FROM dim_source ORDER BY source"
                )
            ],
            "note": "Each value's source is in its `source` column; show the source's attribution with it. "
            "Figures derived from these values must not be credited to the source.",
        }
        (folder / "_manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=1, default=str))
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return folder, manifest


def swap_export(target: Path, folder: Path) -> None:
    target, versions = Path(target), Path(folder).parent
    link_tmp = target.with_name(f".{target.name}.{os.getpid()}.link")
    link_tmp.unlink(missing_ok=True)
    link_tmp.symlink_to(folder.relative_to(target.parent))
    os.replace(link_tmp, target)
    for old in _versions(versions)[:-KEEP_VERSIONS]:  # only our own version folders, never anything else
        shutil.rmtree(old, ignore_errors=True)


def _versions(versions: Path) -> list[Path]:
    return sorted(p for p in versions.iterdir() if p.is_dir() and re.fullmatch(r"\d{8}T\d{12}", p.name))


def _remove_unfinished(versions: Path, target: Path) -> None:
    """Version folders of ours without a manifest (an export killed midway), unless the link points there."""
    if not versions.is_dir():
        return
    current = target.resolve() if target.is_symlink() else None
    for folder in _versions(versions):
        if not (folder / "_manifest.json").exists() and folder.resolve() != current:
            shutil.rmtree(folder, ignore_errors=True)


def _only_ours(folder: Path) -> bool:
    """A real folder is ours to replace only when everything in it is an export file its manifest names."""
    try:
        manifest = json.loads((folder / "_manifest.json").read_text(encoding="utf-8"))
        named = {"_manifest.json", *(t["path"] for t in manifest["tables"].values())}
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return False
    return all(entry.name in named for entry in folder.iterdir())


def _sql_path(path: Path) -> str:
    """A file path as a SQL string literal body (COPY … TO takes no parameters)."""
    text = str(path)
    if "\0" in text:
        raise ValueError("NUL in path")
    return text.replace("'", "''")
