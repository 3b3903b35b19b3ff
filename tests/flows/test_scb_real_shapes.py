"""SCB as it really answers (issue 13): one table's failure never stops the others, the run names it and exits 1,
status shows the source degraded; `sydstat check` reports OK or the precise drift. Against the replay, whose tables
carry the real code lists (totals included), both grids with off-grid '..' and 0 cells, and a 404 for an unknown
table."""

import json

import pytest

from sydstat.cli import main
from tests.conftest import published

pytestmark = pytest.mark.integration


@pytest.fixture
def scb(replay, monkeypatch):
    monkeypatch.setenv("SYDSTAT_SCB_URL", replay.scb_url)
    return replay


def test_a_missing_table_fails_alone_the_rest_loads_publishes_and_the_run_exits_1(home, scb, capsys):
    del scb.pxweb.tables["TAB6572"]  # the live API answers an unknown id with a problem+json 404
    assert main(["run", "--source", "scb"]) == 1
    err = capsys.readouterr().err
    last = err.strip().splitlines()[-1]
    assert "failed: scb TAB6572: UpstreamError" in last and "HTTP 404" in last
    # every other table loaded and was published; area types for 2024 from the RegSO 2025 codes
    assert published("SELECT dataset, status FROM meta.load_batch WHERE source = 'scb' ORDER BY load_id") == [
        ("TAB6571", "loaded"),
        ("TAB6572", "failed"),
        ("TAB6685", "loaded"),
        ("TAB5956", "loaded"),
        ("TAB6534", "loaded"),
        ("TAB6680", "loaded"),
        ("TAB6586", "loaded"),
        ("TAB638", "loaded"),
        ("TAB6471", "loaded"),
    ]
    assert published("SELECT DISTINCT grid FROM fct_area_type WHERE year = 2024") == [("RegSO2025",)]
    assert published("SELECT count(*) FROM fct_area_population WHERE classification = 'birth_region'") == [(0,)]
    from core.config import load_settings

    assert published("SELECT status FROM meta.run", db=load_settings().work_db) == [("partial",)]
    # status: the source is degraded, the failing table named
    assert main(["status", "--json"]) == 1
    report = json.loads(capsys.readouterr().out)
    entry = next(s for s in report["sources"] if s["source"] == "scb")
    assert entry["state"] == "degraded" and [t["table"] for t in entry["failing_tables"]] == ["TAB6572"]
    # the table is back: only it is downloaded again (the others are unchanged since their own loads)
    from sydstat.demo.pxweb import PxDataset

    scb.pxweb.tables["TAB6572"] = PxDataset().tables["TAB6572"]
    scb.requests.clear()
    assert main(["run", "--source", "scb"]) == 0
    assert {r.split("/")[4] for r in scb.requests if r.endswith("/data") or "/data?" in r} == {"TAB6572"}
    capsys.readouterr()
    main(["status", "--json"])  # exit 1 still: kolada and fohm were never loaded here
    entry = next(s for s in json.loads(capsys.readouterr().out)["sources"] if s["source"] == "scb")
    assert entry["state"] == "fresh" and "failing_tables" not in entry


def test_a_total_that_does_not_add_up_fails_that_table_naming_the_cells(home, scb):
    from flows.common import RunIncomplete
    from flows.scb import ingest_scb

    table = scb.pxweb.tables["TAB6571"]
    honest = table.cells

    def broken(key):  # SCB's published total of one year, 7 persons more than its parts
        value = honest(key)
        return value + 7 if value and key[1:3] == ("SA", "1+2") and key[4] == "2020" else value

    table.cells = broken
    with pytest.raises(
        RunIncomplete,
        match=r"TAB6571: \d+ totals miss the sum of their parts .* 2020 T total "
        r"total: Σ population_group = total \(\d+ vs \d+\)",
    ):
        ingest_scb()
    assert published("SELECT count(*) FROM fct_area_population WHERE classification = 'background'") == [(0,)]
    assert published("SELECT count(*) > 0 FROM fct_area_population WHERE classification = 'birth_region'") == [(True,)]


def test_check_reports_ok_for_a_matching_table_and_the_precise_drift_for_one_that_is_not(home, scb, capsys):
    assert main(["check", "--source", "scb"]) == 0
    assert "9 of 9 OK" in capsys.readouterr().out
    birth = scb.pxweb.tables["TAB6572"]
    birth.dims["Fodelseregion"] = {
        "sv": "Sverige",
        "eu27": "EU27 utom Sverige",
        "öv": "Övriga världen",
        "tot": "totalt",
    }
    del scb.pxweb.tables["TAB6534"]
    scb.requests.clear()
    assert main(["check", "--source", "scb", "--json"]) == 1
    report = json.loads(capsys.readouterr().out)
    drifted = {c["table"]: c["drift"] for c in report["checks"] if not c["ok"]}
    assert drifted.keys() == {"TAB6572", "TAB6534"}
    assert drifted["TAB6534"] == ["table missing (HTTP 404)"]
    assert any("names ['eu']" in d for d in drifted["TAB6572"])  # named by the catalogue, no longer offered
    assert any("neither maps nor declares as totals: ['eu27']" in d for d in drifted["TAB6572"])
    background = next(c for c in report["checks"] if c["table"] == "TAB6571")
    assert "DeSO2018 in use 2015–2024" in background["info"] and "DeSO2025 in use 2025–2025" in background["info"]
    from core.config import load_settings

    settings = load_settings()  # check changes nothing: no warehouse, no archive
    assert not settings.published_db.exists() and not settings.work_db.exists()
    assert not list(settings.raw_dir.rglob("*.json")) if settings.raw_dir.exists() else True


def test_another_region_by_configuration_loads_its_own_municipalities(home, monkeypatch):
    """`SYDSTAT_REGION=17 sydstat run --source scb`: Värmland's 16 municipalities and their DeSO, nothing else; the
    region's averages and in_region follow. (The replay serves whatever region is configured when it starts.)"""
    from sydstat.demo.replay import ReplayServer

    monkeypatch.setenv("SYDSTAT_REGION", "17")
    with ReplayServer() as server:
        monkeypatch.setenv("SYDSTAT_SCB_URL", server.scb_url)
        assert main(["run", "--source", "scb"]) == 0
    assert published(
        "SELECT count(DISTINCT municipality_code), min(municipality_code) LIKE '17%', "
        "max(municipality_code) LIKE '17%' FROM fct_population"
    ) == [(16, True, True)]
    assert published("SELECT count(*) FROM fct_area_population WHERE area_code NOT LIKE '17%'") == [(0,)]
    assert published("SELECT count(*) FROM dim_municipality WHERE in_region") == [(16,)]
    assert published("SELECT count(DISTINCT municipality_code) FROM segregation_trends") == [(16,)]
    # a new region is a new scope: every table is downloaded again, and the old scope leaves the region's figures
    monkeypatch.setenv("SYDSTAT_REGION", "13")
    with ReplayServer() as server:
        monkeypatch.setenv("SYDSTAT_SCB_URL", server.scb_url)
        assert main(["run", "--source", "scb"]) == 0
        downloaded = {r.split("/")[4] for r in server.requests if "/data" in r}
    assert len(downloaded) == 9
    assert published("SELECT count(*) FROM dim_municipality WHERE in_region") == [(6,)]
    assert published(
        "SELECT count(DISTINCT municipality_code), bool_and(municipality_code LIKE '13%') FROM segregation_trends"
    ) == [(6, True)]
