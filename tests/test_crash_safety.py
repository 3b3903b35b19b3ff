"""kill -9 the pipeline mid-run, then run again: the warehouse is consistent, nothing is duplicated, the raw archive
is intact and the published DB is still the previous complete one."""

import gzip
import hashlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

pytestmark = pytest.mark.integration
ROOT = Path(__file__).resolve().parents[1]
FACTS = "SELECT indicator_id, municipality_code, period, sex, value FROM fct_indicator_value ORDER BY ALL"


def run(env, *args, timeout=180):
    return subprocess.Popen(
        [sys.executable, "-m", "sydstat", *args],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )


def facts(path):
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute(FACTS).fetchall()
    finally:
        con.close()


@pytest.mark.parametrize("kill_when", ["during_extract", "after_extract"])
def test_kill_9_then_rerun_is_consistent(tmp_path, replay, kill_when):
    home = tmp_path / "home"
    env = {
        **os.environ,
        "SYDSTAT_HOME": str(home),
        "SYDSTAT_KOLADA_URL": replay.url,
        "PREFECT_HOME": str(tmp_path / "prefect"),
    }
    assert run(env, "run", "--source", "kolada").wait(timeout=180) == 0
    published_before = facts(home / "warehouse.duckdb")

    today_change = __import__("datetime").date.today()
    replay.dataset.set_value("N03920", "1280", 2020, "T", 99.0, updated=today_change)
    replay.inject("delay", match="/v3/data/", seconds=0.5, times=10)
    replay.requests.clear()
    proc = run(env, "run", "--source", "kolada", "--full")
    deadline = time.monotonic() + 120
    wanted = 2 if kill_when == "during_extract" else 4
    while replay.data_requests() < wanted and time.monotonic() < deadline:
        time.sleep(0.05)
    if kill_when == "after_extract":
        time.sleep(0.8)  # inside conform/validate/load
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)

    assert facts(home / "warehouse.duckdb") == published_before  # analysts still see the last complete run
    for body in (home / "raw" / "kolada" / "objects").rglob("*.gz"):
        assert hashlib.sha256(gzip.decompress(body.read_bytes())).hexdigest() == body.name[:-3]

    assert run(env, "run", "--source", "kolada", "--full").wait(timeout=180) == 0
    after = facts(home / "warehouse.duckdb")
    keys = [r[:4] for r in after]
    assert len(keys) == len(set(keys)) == len(published_before)  # no duplicates, nothing lost
    assert ("N03920", "1280", "2020", "T", 99.0) in after
    con = duckdb.connect(str(home / "warehouse.duckdb"), read_only=True)
    try:  # the killed run is on record as interrupted, none is 'running' forever, and the last one finished
        statuses = [r[0] for r in con.execute("SELECT status FROM meta.run ORDER BY started_at").fetchall()]
    finally:
        con.close()
    assert statuses[-2:] == ["interrupted", "succeeded"] and "running" not in statuses


def test_a_second_writer_is_refused_before_touching_anything(home, replay, capsys):
    """Two `sydstat run` at once: the second refuses at once, naming who holds the lock; nothing is created."""
    import fcntl

    from core.config import load_settings
    from sydstat.cli import main

    settings = load_settings()
    settings.work_db.parent.mkdir(parents=True)
    lock = settings.work_db.with_name(".writer.lock")
    with open(lock, "a+") as held:
        fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)
        held.write("pid 4242 since 2026-12-04 02:00:00")
        held.flush()
        started = time.monotonic()
        assert main(["run", "--source", "kolada"]) == 1
        assert time.monotonic() - started < 30
    err = capsys.readouterr().err
    assert "WriterBusy" in err and "pid 4242" in err and "nothing was touched" in err
    assert not settings.work_db.exists() and not settings.published_db.exists()
    assert replay.data_requests() == 0


def test_leftovers_of_a_killed_publish_are_cleaned_up(home, replay):
    """A temp copy of a dead process and an export folder without a manifest (killed midway) are removed by the
    next publish; the export kept as the fallback is always a complete one."""
    from core.config import load_settings
    from sydstat.cli import main

    settings = load_settings()
    assert main(["run", "--source", "kolada"]) == 0
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    stale = settings.published_db.with_name(f".{settings.published_db.name}.{dead.pid}.tmp")
    stale.write_bytes(b"\0" * 1024)
    versions = settings.parquet_dir.parent / f".{settings.parquet_dir.name}-versions"
    unfinished = versions / "20260101T000000000000"
    (unfinished / "fct_indicator_value").mkdir(parents=True)
    assert main(["run", "--source", "kolada", "--full"]) == 0
    assert not stale.exists() and not unfinished.exists()
    assert all((v / "_manifest.json").is_file() for v in versions.iterdir())
