"""The write primitives every load is built from: bulk statements over registered DataFrames, never row by row.

Only identifiers checked by `ident` are interpolated; values always travel as registered frames or ? parameters.
Which primitive writes which table is declared in schemas/tables.yaml and chosen by warehouse/loader.py.
"""

from __future__ import annotations

import re
from contextlib import contextmanager
from dataclasses import dataclass

import duckdb
import pandas as pd

from warehouse.db import run_sql

_IDENT = re.compile(r"^[a-z_][a-z0-9_]*$")


def ident(name: str) -> str:
    """Quote a table/column name after checking it is a plain identifier (never interpolate anything else)."""
    parts = name.split(".")
    if not all(_IDENT.match(p) for p in parts):
        raise ValueError(f"not a valid identifier: {name!r}")
    return ".".join(f'"{p}"' for p in parts)


def _on(left: str, right: str, key: list[str]) -> str:
    return " AND ".join(f"{left}.{ident(k)} = {right}.{ident(k)}" for k in key)


@contextmanager
def registered(con: duckdb.DuckDBPyConnection, **frames: pd.DataFrame):
    """Expose DataFrames to SQL by name for one statement group (zero-copy), then drop the names.

    If the SQL failed, the transaction is aborted and unregistering fails too; that second error must not hide
    the first, so it is ignored.
    """
    for name, frame in frames.items():
        con.register(name, frame)
    try:
        yield
    finally:
        for name in frames:
            try:
                con.unregister(name)
            except duckdb.Error:
                pass


@dataclass
class MergeCounts:
    inserted: int = 0
    updated: int = 0

    def __iadd__(self, other: MergeCounts) -> MergeCounts:
        self.inserted += other.inserted
        self.updated += other.updated
        return self


def merge_frame(
    con: duckdb.DuckDBPyConnection, table: str, frame: pd.DataFrame, key: list[str], compare: list[str] | None = None
) -> MergeCounts:
    """Insert new keys, update keys whose `compare` columns changed, leave identical rows alone."""
    if frame.empty:
        return MergeCounts()
    cols = list(frame.columns)
    compare = compare or [c for c in cols if c not in key]
    t, on = ident(table), _on("t", "i", key)
    changed = " OR ".join(f"t.{ident(c)} IS DISTINCT FROM i.{ident(c)}" for c in compare) or "false"
    with registered(con, _incoming=frame):
        inserted = run_sql(con, f"SELECT count(*) FROM _incoming i WHERE NOT EXISTS (SELECT 1 FROM {t} t WHERE {on})")[
            0
        ][0]
        updated = run_sql(con, f"SELECT count(*) FROM _incoming i JOIN {t} t ON {on} WHERE {changed}")[0][0]
        if inserted or updated:
            sets = ", ".join(f"{ident(c)} = i.{ident(c)}" for c in cols if c not in key)
            col_list = ", ".join(ident(c) for c in cols)
            values = ", ".join(f"i.{ident(c)}" for c in cols)
            matched = f"WHEN MATCHED AND ({changed}) THEN UPDATE SET {sets} " if sets else ""
            run_sql(
                con,
                f"MERGE INTO {t} t USING _incoming i ON {on} {matched}"
                f"WHEN NOT MATCHED THEN INSERT ({col_list}) VALUES ({values})",
            )
    return MergeCounts(int(inserted), int(updated))


def scd2_changes(
    con: duckdb.DuckDBPyConnection, table: str, frame: pd.DataFrame, key: list[str], change: str
) -> pd.DataFrame:
    """The keys of `frame` that are new (`existed` false) or whose `change` column differs from the current
    version of `table`."""
    t, keys = ident(table), ", ".join(f"i.{ident(k)}" for k in key)
    with registered(con, _incoming=frame):
        rows = run_sql(
            con,
            f"SELECT {keys}, p.{ident(key[0])} IS NOT NULL AS existed FROM _incoming i "
            f"LEFT JOIN {t} p ON {_on('p', 'i', key)} AND p.is_current "
            f"WHERE p.{ident(key[0])} IS NULL OR p.{ident(change)} IS DISTINCT FROM i.{ident(change)}",
        )
    return pd.DataFrame(rows, columns=[*key, "existed"])


def scd2_new_versions(
    con: duckdb.DuckDBPyConnection, table: str, frame: pd.DataFrame, keys: pd.DataFrame, key: list[str]
) -> None:
    """Close the current versions of `keys` (valid_to = now(), is_current = false) and insert `frame`'s rows for
    them as the new current versions, valid from the same `now()` (the transaction's start)."""
    t, cols = ident(table), ", ".join(ident(c) for c in frame.columns)
    with registered(con, _keys=keys[key], _rows=frame):
        run_sql(
            con,
            f"UPDATE {t} p SET valid_to = now(), is_current = false FROM _keys k "
            f"WHERE {_on('p', 'k', key)} AND p.is_current",
        )
        run_sql(
            con,
            f"INSERT INTO {t} ({cols}, valid_from, valid_to, is_current) "
            f"SELECT {', '.join(f'r.{ident(c)}' for c in frame.columns)}, now(), NULL, true "
            f"FROM _rows r SEMI JOIN _keys k ON {_on('r', 'k', key)}",
        )


def replace_for_keys(
    con: duckdb.DuckDBPyConnection, table: str, frame: pd.DataFrame, keys: pd.DataFrame, key: list[str]
) -> None:
    """Replace every row of `keys` in `table` with `frame`'s rows for them (a project's bridges as a whole)."""
    t = ident(table)
    with registered(con, _keys=keys[key], _rows=frame):
        run_sql(con, f"DELETE FROM {t} t USING _keys k WHERE {_on('t', 'k', key)}")
        if not frame.empty:
            cols = ", ".join(ident(c) for c in frame.columns)
            run_sql(
                con,
                f"INSERT INTO {t} ({cols}) SELECT {', '.join(f'r.{ident(c)}' for c in frame.columns)} "
                f"FROM _rows r SEMI JOIN _keys k ON {_on('r', 'k', key)}",
            )


def delete_keys(con: duckdb.DuckDBPyConnection, table: str, keys: pd.DataFrame, key: list[str]) -> int:
    """Delete the rows whose key is in `keys`; return how many went."""
    if keys.empty:
        return 0
    with registered(con, _deleted=keys[key].drop_duplicates()):
        return int(run_sql(con, f"DELETE FROM {ident(table)} t USING _deleted d WHERE {_on('t', 'd', key)}")[0][0])


def _scope_filter(scope: dict[str, list]) -> tuple[str, dict[str, pd.DataFrame]]:
    """`scope` (column → allowed values) as a WHERE clause over `t` and the value frames it reads."""
    frames = {
        f"_scope_{n}": pd.DataFrame({"v": pd.Series(list(values), dtype="object")})
        for n, values in enumerate(scope.values())
    }
    where = " AND ".join(f"t.{ident(column)} IN (SELECT v FROM _scope_{n})" for n, column in enumerate(scope))
    return where, frames


def count_in_scope(con: duckdb.DuckDBPyConnection, table: str, scope: dict[str, list]) -> int:
    where, frames = _scope_filter(scope)
    with registered(con, **frames):
        return int(run_sql(con, f"SELECT count(*) FROM {ident(table)} t WHERE {where}")[0][0])


def delete_missing_in_scope(
    con: duckdb.DuckDBPyConnection, table: str, present: pd.DataFrame, key: list[str], scope: dict[str, list]
) -> int:
    """Full refresh: delete rows inside `scope` (column → allowed values) whose key is not in `present`."""
    if not scope:
        raise ValueError("a full-refresh deletion needs a scope; refusing to delete a whole table")
    where, frames = _scope_filter(scope)
    sql = (
        f"DELETE FROM {ident(table)} t WHERE {where} "
        f"AND NOT EXISTS (SELECT 1 FROM _present p WHERE {_on('p', 't', key)})"
    )
    with registered(con, _present=present[key].drop_duplicates(), **frames):
        return int(run_sql(con, sql)[0][0])
