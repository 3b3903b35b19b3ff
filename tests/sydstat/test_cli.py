"""The CLI as a user meets it: help, fast paths, clear errors, the demo."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from sydstat.cli import main

ROOT = Path(__file__).resolve().parents[2]


def run_cli(*args, env=None, timeout=120):
    return subprocess.run(
        [sys.executable, "-m", "sydstat", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, **(env or {})},
        cwd=ROOT,
    )


def test_help_explains_commands():
    result = run_cli("--help")
    assert result.returncode == 0
    for word in ("demo", "run", "status", "query", "SYDSTAT_HOME", "SYDSTAT_KOLADA_URL"):
        assert word in result.stdout


def test_status_without_warehouse_is_unhealthy(home, capsys):
    assert main(["status", "--json"]) == 1
    assert "no published warehouse" in json.loads(capsys.readouterr().out)["problem"]


def test_query_formats(published_home, capsys):
    assert (
        main(
            [
                "query",
                "SELECT municipality_name, year, value, attribution FROM indicator_values ORDER BY year",
                "--format",
                "csv",
            ]
        )
        == 0
    )
    assert capsys.readouterr().out.splitlines() == [
        "municipality_name,year,value,attribution",
        "Landskrona,2023,8.5,Källa: Kolada",
        "Landskrona,2024,,Källa: Kolada",
    ]
    assert main(["query", "SELECT value FROM indicator_values ORDER BY year", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out) == [{"value": 8.5}, {"value": None}]


def test_query_is_read_only_and_errors_are_one_line(published_home, capsys):
    assert main(["query", "DELETE FROM fct_indicator_value"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("sydstat: error: query failed") and len(err.strip().splitlines()) == 1
    assert main(["query", "SELEC nonsense"]) == 1


@pytest.mark.parametrize(
    "sql",
    [
        "COPY (SELECT 1) TO '{db}'",  # would overwrite the published database
        "ATTACH '{db}.other' AS other (READ_WRITE)",
        "EXPORT DATABASE '{home}/export'",
        "INSTALL httpfs",
        "SELECT * FROM read_csv('/etc/passwd')",
        "SET enable_external_access = true",
    ],
)
def test_query_cannot_write_or_read_files_outside_the_warehouse(published_home, capsys, sql):
    from core.config import load_settings

    db = load_settings().published_db
    before = db.read_bytes()
    assert main(["query", sql.format(db=db, home=published_home)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("sydstat: error: query failed:") and err.count("\n") == 1
    assert db.read_bytes() == before and not (published_home / "export").exists()
    assert main(["query", "SELECT count(*) FROM fct_indicator_value", "--format", "csv"]) == 0  # still whole


@pytest.mark.parametrize("sql", ["", "   ", "-- just a comment", "/* nothing */ ;"])
def test_an_empty_query_is_a_one_line_usage_error(published_home, capsys, sql):
    assert main(["query", sql]) == 2
    err = capsys.readouterr().err
    assert err.startswith("sydstat: error: empty query") and err.count("\n") == 1


def test_status_and_query_do_not_import_prefect_or_gx(published_home):
    code = (
        "import sys; from sydstat.cli import main; main(['status']); main(['query', 'SELECT 1']); "
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'prefect', 'great_expectations', 'pandas'}))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, cwd=ROOT)
    assert result.stdout.strip().splitlines()[-1] == "[]", result.stderr


def test_an_unreadable_file_is_refused_before_any_flow_starts(home, tmp_path):
    """Issue 18: `sydstat ingest` of a file that cannot be read fails at once, with the reason, Prefect never
    started."""
    bad = tmp_path / "export.xlsx"
    bad.write_text("<html><body>Logga in</body></html>")
    code = (
        f"import sys; from sydstat.cli import main; rc = main(['ingest', {str(bad)!r}]); "
        "print(rc, 'prefect' in {m.split('.')[0] for m in sys.modules})"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, cwd=ROOT)
    assert result.stdout.strip().splitlines()[-1] == "1 False", result.stderr
    assert "not a real .xlsx file (an HTML page)" in result.stderr


def test_unknown_source_is_a_usage_error(home, capsys):
    assert main(["run", "--source", "nosuch"]) == 2
    assert "unknown source 'nosuch'" in capsys.readouterr().err


@pytest.mark.integration
def test_demo_end_to_end(demo_home):
    stdout = (demo_home / "demo-stdout.txt").read_text(encoding="utf-8")
    assert (
        "SYNTHETIC" in stdout
        and "38 municipalities, 29 indicators, years 2007-2025; 5 projects" in stdout
        and "segregation indices (DeSO) for 38 municipalities, 2015-2025, 3 groupings" in stdout
        and "labour_market_status DeSO2018 2020-2023 + DeSO2025 2024" in stdout
    )
    assert "survey values also for 2 counties and the nation" in stdout and "population by age 2015-2025" in stdout
    status = run_cli("status", "--json", env={"SYDSTAT_HOME": str(demo_home)})
    report = json.loads(status.stdout)
    assert status.returncode == 0 and report["healthy"]
    assert {s["source"] for s in report["sources"] if s["synthetic"]} == {"kolada", "scb", "fohm"}
    assert (demo_home / "reports" / "gx").is_dir()
    assert Path(report["validation_docs"]).is_file()  # status names where the Data Docs are
    assert any((demo_home / "raw" / "kolada" / "batches").iterdir())


@pytest.mark.integration
def test_demo_answers_the_landskrona_question_with_one_query(demo_home):
    """Issue 6's yardstick: unemployment and self-rated health in Landskrona vs the region since 2010, women and men."""
    result = run_cli(
        "query",
        "--format",
        "json",
        "SELECT year, theme, sex, value, region_average FROM indicator_trends "
        "WHERE municipality_name = 'Landskrona' AND theme IN ('Arbetslöshet', 'Självskattad hälsa') "
        "AND sex IN ('K', 'M') AND year >= 2010 ORDER BY theme, sex, year",
        env={"SYDSTAT_HOME": str(demo_home)},
    )
    rows = json.loads(result.stdout)
    assert result.returncode == 0
    assert {(r["theme"], r["sex"]) for r in rows} == {
        (t, s) for t in ("Arbetslöshet", "Självskattad hälsa") for s in "KM"
    }
    assert min(r["year"] for r in rows) == 2010 and all(r["region_average"] is not None for r in rows)


@pytest.mark.integration
def test_report_builds_every_page_and_dictionary_is_current(demo_home, tmp_path):
    site = tmp_path / "site"
    result = run_cli("report", "--out", str(site), env={"SYDSTAT_HOME": str(demo_home)}, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    assert len(list((site / "kommun").glob("*.html"))) == 38 and (site / "datakatalog.html").is_file()
    assert "40 pages" in result.stdout
    landskrona = (site / "kommun" / "1282.html").read_text(encoding="utf-8")
    assert '<html lang="sv">' in landskrona and "syntetiska demodata" in landskrona
    assert "Källa: Kolada" in landskrona and "Källa: SCB" in landskrona and "bearbetning: sydstat" in landskrona
    bad = run_cli(
        "report", "--municipality", "9999", "--out", str(tmp_path / "x"), env={"SYDSTAT_HOME": str(demo_home)}
    )
    assert bad.returncode == 2 and "unknown municipality code '9999'" in bad.stderr
    assert run_cli("dictionary", "--check").returncode == 0
