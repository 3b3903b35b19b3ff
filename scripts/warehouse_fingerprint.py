"""Fingerprint every analyst table and view of a published warehouse, row for row: one sha256 per object over its
rows in a stable order, with the row count. Two warehouses built from the same raw archive by two versions of the
code must print the same fingerprints (a refactor changes structure, not data).

    python scripts/warehouse_fingerprint.py data/warehouse.duckdb > before.json
    python scripts/warehouse_fingerprint.py data/warehouse.duckdb --compare before.json

Columns that record *when* or *which run* (load ids, timestamps of loading, run ids, snapshot fetch times) differ
between any two builds and are left out; everything else — keys, values, names, flags — is compared.
Floating-point columns are compared to 9 significant digits (and |x| < 1e-9 as 0): DuckDB sums in parallel, so an
average over the same rows can differ in its last bits from one build to the next.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys

import duckdb

VOLATILE = {
    "load_id",
    "loaded_at",
    "updated_at",
    "valid_from",
    "valid_to",
    "run_id",
    "published_at",
    "created_at",
    "quarantined_at",
    "last_loaded_at",
    "fetched_at",
}


def fingerprint(path: str) -> dict[str, dict]:
    con = duckdb.connect(path, read_only=True)
    try:
        objects = con.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main' "
            "AND table_catalog = current_database() ORDER BY 1"
        ).fetchall()
        out = {}
        for (name,) in objects:
            described = con.execute(
                "SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = 'main' AND "
                "table_name = ? AND table_catalog = current_database() ORDER BY ordinal_position",
                [name],
            ).fetchall()
            columns = [c for c, _ in described if c not in VOLATILE]
            floats = {c for c, t in described if t in ("DOUBLE", "FLOAT", "REAL")}
            select = ", ".join(
                f"CASE WHEN abs(\"{c}\") < 1e-9 THEN '0' ELSE printf('%.9g', \"{c}\") END"
                if c in floats
                else f'"{c}"::VARCHAR'
                for c in columns
            )
            rows = con.execute(f'SELECT {select} FROM "{name}" ORDER BY ALL').fetchall()  # noqa: S608 (catalogue names)
            digest = hashlib.sha256(json.dumps(rows, default=str).encode()).hexdigest()
            out[name] = {"rows": len(rows), "sha256": digest, "columns": columns}
        return out
    finally:
        con.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("db")
    parser.add_argument("--compare", help="a fingerprint JSON written earlier: exit 1 on any difference")
    args = parser.parse_args()
    now = fingerprint(args.db)
    if not args.compare:
        json.dump(now, sys.stdout, indent=1)
        return 0
    before = json.load(open(args.compare, encoding="utf-8"))
    differ = sorted(n for n in set(before) | set(now) if before.get(n) != now.get(n))
    for name in differ:
        print(f"differs: {name}: before {before.get(name, {}).get('rows')} rows, now {now.get(name, {}).get('rows')}")
    print(f"{len(now)} tables and views compared, {len(differ)} differ")
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
