"""Parquet export: typed, partitioned, manifest, atomic swap, readable by pyarrow, pandas, polars and DuckDB."""

import json

import duckdb
import pandas as pd
import pytest

from core.catalog import source_row
from warehouse.db import open_work_db
from warehouse.export import export_parquet
from warehouse.loader import Batch, load_batch


@pytest.fixture
def con(tmp_path):
    con = open_work_db(tmp_path / "work.duckdb")
    con.execute(
        "INSERT OR REPLACE INTO dim_municipality VALUES "
        "('0114', 'Upplands Väsby', '01', 'Stockholms län', NULL, false, 'municipality')"
    ).fetchall()
    indicators = pd.DataFrame(
        [
            {
                "indicator_id": "N03920",
                "source": "kolada",
                "source_indicator_id": "N03920",
                "title": "Arbetslösa, andel (%)",
                "unit": "percent",
                "topic": "unemployment",
            }
        ]
    )
    values = pd.DataFrame(
        [
            {
                "indicator_id": "N03920",
                "municipality_code": m,
                "period": p,
                "sex": s,
                "value": v,
                "status": None,
                "source": "kolada",
                "snapshot_id": None,
            }
            for m, p, s, v in [("0114", "2022", "T", 4.0), ("1280", "2022", "K", None), ("1280", "2023", "M", 9.5)]
        ]
    )
    load_batch(
        con,
        Batch(
            "kolada",
            "full",
            "r",
            [source_row("kolada")],
            {"dim_indicator": indicators, "fct_indicator_value": values},
            validated={"indicator_values"},
        ),
    )
    yield con
    con.close()


def test_layout_manifest_and_types(con, tmp_path):
    import pyarrow.parquet as pq

    target = tmp_path / "parquet"
    manifest = export_parquet(con, target, "run-1")
    assert target.is_symlink()
    on_disk = json.loads((target / "_manifest.json").read_text())
    assert on_disk["run_id"] == "run-1" and on_disk["tables"]["fct_indicator_value"]["rows"] == 3
    assert on_disk["sources"][0]["attribution"] == "Källa: Kolada"
    assert manifest["tables"]["fct_indicator_value"]["partitioned_by"] == "year"
    assert sorted(p.name for p in (target / "fct_indicator_value").iterdir()) == ["year=2022", "year=2023"]
    period = pq.read_schema(target / "dim_period.parquet")
    assert str(period.field("period_start").type) == "date32[day]"
    assert str(period.field("period").type) in ("string", "large_string")
    fact = pq.read_table(target / "fct_indicator_value")
    assert str(fact.schema.field("municipality_code").type) in ("string", "large_string")
    assert fact.num_rows == 3


def test_readable_by_pyarrow_pandas_polars_duckdb(con, tmp_path):
    import pyarrow.dataset as ds

    target = tmp_path / "parquet"
    export_parquet(con, target)
    facts = target / "fct_indicator_value"
    by_pyarrow = ds.dataset(facts, format="parquet", partitioning="hive").to_table().num_rows
    by_pandas = pd.read_parquet(facts)
    by_duckdb = duckdb.sql(
        f"SELECT count(*), count(value) FROM read_parquet('{facts}/*/*.parquet', hive_partitioning = true)"
    ).fetchall()[0]
    assert by_pyarrow == len(by_pandas) == by_duckdb[0] == 3 and by_duckdb[1] == 2  # NULL stays NULL
    assert by_pandas["municipality_code"].tolist().count("0114") == 1  # leading zero kept
    polars = pytest.importorskip("polars")
    assert polars.read_parquet(target / "dim_municipality.parquet").height == 312  # 290 + 21 counties + Riket
    assert polars.scan_parquet(f"{facts}/**/*.parquet", hive_partitioning=True).collect().height == 3


def test_swap_is_atomic_and_keeps_one_previous_version(con, tmp_path):
    target = tmp_path / "parquet"
    first = export_parquet(con, target, "a")
    old_folder = target.resolve()
    export_parquet(con, target, "b")
    assert target.resolve() != old_folder and old_folder.is_dir()  # a reader mid-read keeps its files
    export_parquet(con, target, "c")
    assert not old_folder.exists() and len(list((tmp_path / ".parquet-versions").iterdir())) == 2
    assert json.loads((target / "_manifest.json").read_text())["run_id"] == "c" and first["run_id"] == "a"


def test_refuses_to_replace_a_foreign_folder(con, tmp_path):
    foreign = tmp_path / "mine"
    foreign.mkdir()
    (foreign / "important.txt").write_text("keep me")
    with pytest.raises(FileExistsError, match="holds files sydstat did not write"):
        export_parquet(con, foreign)
    assert (foreign / "important.txt").read_text() == "keep me"


def test_a_users_file_beside_an_old_manifest_is_never_deleted(con, tmp_path):
    """`sydstat export --to DIR` where DIR holds a `_manifest.json` *and* a user's file: refused, nothing removed."""
    target = tmp_path / "bi"
    target.mkdir()
    (target / "_manifest.json").write_text('{"tables": {}}', encoding="utf-8")
    (target / "my-notes.xlsx").write_bytes(b"mine")
    with pytest.raises(FileExistsError, match="holds files sydstat did not write"):
        export_parquet(con, target)
    assert (target / "my-notes.xlsx").read_bytes() == b"mine"
