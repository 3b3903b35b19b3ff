"""Shared fixtures. No test touches the internet: upstreams are the replay server on 127.0.0.1.

Prefect gets a throw-away PREFECT_HOME (set before anything imports prefect), and the HTTP layer's backoff is
shortened so fault tests stay fast while still exercising the same retry code.
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from pathlib import Path

import pytest

_PREFECT_HOME = tempfile.mkdtemp(prefix="sydstat-prefect-")
atexit.register(shutil.rmtree, _PREFECT_HOME, True)  # registered before Prefect's own exit hooks, so it runs last
os.environ["PREFECT_HOME"] = _PREFECT_HOME
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "90")  # a loaded 2-core machine
os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
REFERENCE = SHARED / "reference"

requires_shared = pytest.mark.skipif(not REFERENCE.is_dir(), reason="../shared/reference is not present")


@pytest.fixture(autouse=True)
def no_real_upstreams(monkeypatch):
    """Unless a test starts the replay server, upstream URLs point at a closed local port: never the internet."""
    for source in ("KOLADA", "SCB", "FOHM"):
        monkeypatch.setenv(f"SYDSTAT_{source}_URL", "http://127.0.0.1:9/unreachable")


@pytest.fixture(autouse=True)
def fast_http(monkeypatch):
    from sources.http import HttpClient

    monkeypatch.setattr(HttpClient, "backoff_base", 0.001)
    monkeypatch.setattr(HttpClient, "rate_per_second", 1000.0)
    # reads wait up to 10 s between bytes: the replay needs ~2 s to build a 150 000-cell PxWeb answer, and a loaded
    # 2-core machine more (fault tests that want a timeout set their own)
    monkeypatch.setattr(HttpClient, "timeout", (2.0, 10.0))


@pytest.fixture
def home(tmp_path, monkeypatch) -> Path:
    """A fresh SYDSTAT_HOME."""
    path = tmp_path / "home"
    monkeypatch.setenv("SYDSTAT_HOME", str(path))
    return path


@pytest.fixture
def replay(monkeypatch):
    """The replay server (Kolada v3, SCB PxWebApi 2.0, Folkhälsodata v1) with the synthetic sample; every
    SYDSTAT_*_URL points at it, so no test can reach a real upstream."""
    from sydstat.demo.replay import ReplayServer

    with ReplayServer() as server:
        monkeypatch.setenv("SYDSTAT_KOLADA_URL", server.url)
        monkeypatch.setenv("SYDSTAT_SCB_URL", server.scb_url)
        monkeypatch.setenv("SYDSTAT_FOHM_URL", server.fohm_url)
        yield server


@pytest.fixture
def published_home(home):
    """A published warehouse with two values, loaded through the real loader (no flow)."""
    import pandas as pd

    from core.catalog import source_row
    from core.config import load_settings
    from warehouse.db import open_work_db
    from warehouse.loader import Batch, load_batch
    from warehouse.publish import publish

    settings = load_settings()
    con = open_work_db(settings.work_db)
    assert con.execute("SELECT count(*) FROM dim_municipality WHERE municipality_code = '1282'").fetchone() == (1,)
    indicators = pd.DataFrame(
        [
            {
                "indicator_id": "N03920",
                "source": "kolada",
                "source_indicator_id": "N03920",
                "title": "Arbetslösa, andel (%)",
                "unit": "percent",
                "topic": "unemployment",
                "is_headline": True,
                "direction": "higher_is_worse",
            }
        ]
    )
    values = pd.DataFrame(
        [
            {
                "indicator_id": "N03920",
                "municipality_code": "1282",
                "period": p,
                "sex": "T",
                "value": v,
                "status": None,
                "source": "kolada",
                "snapshot_id": None,
            }
            for p, v in (("2023", 8.5), ("2024", None))
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
    publish(con, settings.published_db)
    con.close()
    return home


def pytest_sessionfinish(session, exitstatus):
    """Collect garbage so DuckDB objects die before interpreter shutdown."""
    import gc

    gc.collect()


def published(sql: str, params: list | None = None, db: Path | None = None) -> list[tuple]:
    """Rows of a read-only query on the published warehouse (the current SYDSTAT_HOME's, or `db`)."""
    import duckdb

    from core.config import load_settings

    con = duckdb.connect(str(db or load_settings().published_db), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


@pytest.fixture(scope="session")
def demo_home(tmp_path_factory) -> Path:
    """A SYDSTAT_HOME after one real `sydstat demo` (subprocess, ~30 s), shared by the tests that read its results."""
    import subprocess
    import sys

    path = tmp_path_factory.mktemp("demo") / "home"
    result = subprocess.run(
        [sys.executable, "-m", "sydstat", "demo"],
        capture_output=True,
        text=True,
        timeout=600,
        env={**os.environ, "SYDSTAT_HOME": str(path)},
        cwd=Path(__file__).resolve().parents[1],
    )
    assert result.returncode == 0, result.stderr[-3000:]
    (path / "demo-stdout.txt").write_text(result.stdout, encoding="utf-8")
    return path
