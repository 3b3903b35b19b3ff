"""A lost work database is rebuilt from the raw archive with nothing missing — registers included — and whether data
is synthetic follows the data (the snapshot's provenance), never the last command's flags (issue 15 #7, #11).
Through the CLI, as a user hits it."""

import json

import pytest

from core.config import PROJECT_ROOT, load_settings
from sydstat.cli import main
from tests.conftest import published

pytestmark = pytest.mark.integration

ANALYST_TABLES = (
    "SELECT (SELECT count(*) FROM fct_indicator_value), (SELECT count(*) FROM dim_project), "
    "(SELECT count(*) FROM fct_area_population), (SELECT count(*) FROM bridge_project_municipality)"
)


def test_offline_rebuild_after_losing_the_work_db_keeps_registers_and_provenance(home, replay, capsys):
    # a plain `sydstat run` against the replay (not `demo`): nobody says "synthetic", the answers do
    assert main(["run"]) == 0
    assert main(["ingest", str(PROJECT_ROOT / "samples" / "esf_plus_sample.csv")]) == 0
    assert main(["ingest", str(PROJECT_ROOT / "samples" / "kohesio_sample.csv")]) == 0
    before = published(ANALYST_TABLES)[0]
    assert before[1] > 0
    assert published(
        "SELECT source, is_synthetic FROM dim_source WHERE source IN ('kolada', 'scb', 'fohm') ORDER BY source"
    ) == [("fohm", True), ("kolada", True), ("scb", True)]
    # row by row: every Kolada fact names a snapshot that says it is synthetic
    assert published(
        "SELECT count(*) FROM fct_indicator_value f JOIN meta.raw_snapshot s USING (snapshot_id) "
        "WHERE f.source = 'kolada' AND NOT s.is_synthetic"
    ) == [(0,)]

    settings = load_settings()
    settings.work_db.unlink()
    capsys.readouterr()
    assert main(["run", "--offline"]) == 0
    assert published(ANALYST_TABLES)[0] == before  # the projects came back too
    assert published("SELECT bool_and(is_synthetic) FROM dim_source WHERE source IN ('kolada', 'scb', 'fohm')") == [
        (True,)
    ]
    capsys.readouterr()
    assert main(["status", "--json"]) in (0, 1)
    report = json.loads(capsys.readouterr().out)
    assert {s["source"] for s in report["sources"] if s["synthetic"]} >= {"kolada", "scb", "fohm"}
    manifest = json.loads((settings.parquet_dir / "_manifest.json").read_text())
    assert {s["source"] for s in manifest["sources"] if s["is_synthetic"]} >= {"kolada", "scb", "fohm"}

    # a second rebuild adds no second copy of anything (no new file manifests from a rebuild)
    assert main(["run", "--offline"]) == 0
    assert published(ANALYST_TABLES)[0] == before
