"""Publishing: analysts read a complete copy; a reader in another process never blocks a publish."""

import subprocess
import sys
import textwrap

import duckdb

from warehouse.db import open_work_db
from warehouse.publish import publish


def test_publish_copies_tables_views_and_meta(tmp_path):
    con = open_work_db(tmp_path / "work" / "w.duckdb")
    publish(con, tmp_path / "warehouse.duckdb")
    con.close()
    pub = duckdb.connect(str(tmp_path / "warehouse.duckdb"), read_only=True)
    names = {
        r[0] for r in pub.execute("SELECT table_schema || '.' || table_name FROM information_schema.tables").fetchall()
    }
    assert {"main.indicator_values", "main.fct_indicator_value", "meta.load_batch", "meta.quarantine"} <= names
    assert pub.execute("SELECT count(*) FROM dim_sex").fetchone() == (3,)


def test_reader_in_another_process_keeps_reading_during_publish(tmp_path):
    con = open_work_db(tmp_path / "work" / "w.duckdb")
    published = tmp_path / "warehouse.duckdb"
    publish(con, published)
    reader = subprocess.Popen(
        [
            sys.executable,
            "-c",
            textwrap.dedent(f"""
        import duckdb, sys, time
        con = duckdb.connect({str(published)!r}, read_only=True)
        print(con.execute("SELECT count(*) FROM dim_sex").fetchone()[0], flush=True)
        sys.stdin.readline()                       # hold the connection while the parent publishes
        print(con.execute("SELECT count(*) FROM dim_sex").fetchone()[0], flush=True)
    """),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert reader.stdout.readline().strip() == "3"
        con.execute("INSERT INTO dim_sex VALUES ('X', 'x', 'x')").fetchall()
        publish(con, published)  # must not block or fail although the reader holds the old file
        reader.stdin.write("\n")
        reader.stdin.flush()
        assert reader.stdout.readline().strip() == "3"  # the old snapshot, undisturbed
    finally:
        reader.communicate(timeout=30)
    fresh = duckdb.connect(str(published), read_only=True)
    assert fresh.execute("SELECT count(*) FROM dim_sex").fetchone() == (4,)
    con.close()
