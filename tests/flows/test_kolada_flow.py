"""End to end through the real Prefect flow against the replay server: full, idempotent, incremental, failures,
quarantine, offline rebuild. (Prefect starts one temporary local server for this test process.)"""

import shutil
from datetime import date

import pytest

from core.config import load_settings
from flows.common import RunIncomplete
from flows.kolada import ingest_kolada
from sources.http import UpstreamError
from tests.conftest import published

pytestmark = pytest.mark.integration

FACTS = "SELECT indicator_id, municipality_code, period, sex, value, status FROM fct_indicator_value ORDER BY ALL"


def test_full_then_unchanged_then_incremental(home, replay):
    first = ingest_kolada()
    batch = first["batches"][0]
    assert (batch["mode"], batch["status"], batch["rows_quarantined"]) == ("full", "loaded", 0)
    assert batch["rows_inserted"] == batch["rows_received"] > 30000
    munis, kpis, years = published(
        "SELECT count(DISTINCT municipality_code), count(DISTINCT indicator_id), "
        "count(DISTINCT year) FROM indicator_values"
    )[0]
    assert (munis, kpis, years) == (38, 25, 16)
    assert published("SELECT count(DISTINCT topic) FROM dim_indicator")[0][0] >= 6
    assert published("SELECT is_synthetic, attribution FROM dim_source") == [(True, "Källa: Kolada")]
    columns = [
        r[0]
        for r in published(
            "SELECT column_name FROM information_schema.columns "
            "WHERE table_name = 'indicator_values' ORDER BY ordinal_position"
        )
    ]
    assert columns == [
        "municipality_code",
        "municipality_name",
        "geo_level",
        "county_code",
        "county_name",
        "year",
        "period",
        "period_start",
        "period_end",
        "period_type",
        "indicator_id",
        "indicator_title",
        "topic",
        "theme",
        "unit",
        "sex",
        "value",
        "ci_low",
        "ci_high",
        "respondents",
        "source",
        "attribution",
    ]
    assert published("SELECT count(*) FROM dim_municipality WHERE in_region")[0][0] == 38
    before = published(FACTS)

    replay.requests.clear()
    second = ingest_kolada()["batches"][0]
    assert (second["mode"], second["status"], second["rows_received"]) == ("incremental", "unchanged", 0)
    assert replay.data_requests() == 2 and all("from_date=" in r for r in replay.requests)
    assert published(FACTS) == before

    today = date.today()
    replay.dataset.set_value("N03920", "1280", 2024, "T", 42.0, updated=today)
    replay.dataset.delete("N03920", "1281", 2024, updated=today)
    third = ingest_kolada()["batches"][0]
    assert (third["mode"], third["rows_updated"], third["rows_deleted"]) == ("incremental", 1, 3)
    assert published(
        "SELECT value FROM indicator_values WHERE indicator_id = 'N03920' AND municipality_code = "
        "'1280' AND year = 2024 AND sex = 'T'"
    ) == [(42.0,)]
    assert published(
        "SELECT count(*) FROM fct_indicator_value WHERE indicator_id = 'N03920' AND "
        "municipality_code = '1281' AND period = '2024'"
    ) == [(0,)]
    # every fact row is traceable to its load batch and raw snapshot
    assert published(
        "SELECT count(*) FROM fct_indicator_value f LEFT JOIN meta.load_batch b USING (load_id) "
        "LEFT JOIN meta.raw_snapshot s ON s.snapshot_id = f.snapshot_id AND s.load_id = f.load_id "
        "WHERE b.load_id IS NULL OR s.snapshot_id IS NULL"
    ) == [(0,)]

    # offline rebuild from the raw archive into a fresh home gives the same warehouse
    settings = load_settings()
    other = home.parent / "rebuilt"
    shutil.copytree(settings.raw_dir, other / "raw")
    replay.stop()
    import os

    os.environ["SYDSTAT_HOME"] = str(other)
    try:
        rebuilt = ingest_kolada(offline=True)
        assert [b["mode"] for b in rebuilt["batches"]] == ["offline", "offline", "offline"]
        assert published(FACTS) == published(FACTS, db=settings.published_db)
    finally:
        os.environ["SYDSTAT_HOME"] = str(home)


def test_upstream_failure_changes_nothing_and_is_reported(home, replay):
    ingest_kolada()
    before = published(FACTS)
    replay.inject("status", match="/data/", status=500, times=1000)
    with pytest.raises(UpstreamError, match="HTTP 500 after 5 attempts"):
        ingest_kolada(full=True)
    assert published(FACTS) == before
    status, message = published("SELECT status, message FROM meta.load_batch ORDER BY load_id DESC LIMIT 1")[0]
    assert status == "failed" and "HTTP 500" in message

    from sydstat.status import collect_status

    report = collect_status(load_settings())
    kolada = next(s for s in report["sources"] if s["source"] == "kolada")
    assert not report["healthy"] and kolada["state"] == "failing"


def test_bad_values_are_quarantined_and_the_rest_loads(home, replay):
    replay.dataset.set_value("N03920", "1280", 2015, "K", 150.0)  # a share over 100 %
    result = ingest_kolada()["batches"][0]
    assert result["rows_quarantined"] == 1 and result["status"] == "loaded"
    reason, record = published("SELECT reason, record FROM meta.quarantine")[0]
    assert "max_value=100" in reason and '"municipality_code": "1280"' in record
    assert published("SELECT count(*) FROM fct_indicator_value WHERE value > 100 AND indicator_id = 'N03920'") == [(0,)]


def test_adhoc_kpis_warn_about_unknown_ids(home, replay):
    summary = ingest_kolada(kpis=["N03920", "X12345"])
    assert any("X12345" in w for w in summary["warnings"])
    assert published("SELECT DISTINCT indicator_id FROM fct_indicator_value") == [("N03920",)]
    # an ad-hoc pull never moves the catalogue's incremental cursor
    assert published("SELECT cursor_from_date FROM meta.source_state") == [(None,)]


def test_adhoc_kpis_get_their_whole_history_not_the_catalogues_span(home, replay):
    """`--kpi` asks without a year segment, as the recorded real answers do: N03102 from 1996, not from 2005."""
    from sydstat.cli import main

    replay.dataset.kpis.append(
        {
            "id": "N03102",
            "title": "Förvärvsarbetande invånare 20-64 år, andel (%)",
            "is_divided_by_gender": False,
            "municipality_type": "K",
            "publ_period": "2024",
        }
    )
    for year in range(1996, 2026):
        replay.dataset.set_value("N03102", "1282", year, "T", 70.0 + (year - 1996) / 10)
    replay.requests.clear()
    assert main(["run", "--source", "kolada", "--kpi", "N03102"]) == 0
    assert published(
        "SELECT min(period), max(period), count(*) FROM fct_indicator_value WHERE indicator_id = 'N03102'"
    ) == [("1996", "2025", 30)]
    data = [r for r in replay.requests if r.startswith("/v3/data/")]
    assert data and not [r for r in data if "/year/" in r]


def test_nightly_runs_every_source_then_publishes(home, replay):
    from flows.nightly import nightly

    result = nightly()
    assert set(result["sources"]) == {"kolada", "scb", "fohm"}
    assert result["sources"]["kolada"]["batches"][0]["mode"] == "full"
    assert not any("published" in s for s in result["sources"].values())  # one publish at the end
    assert published("SELECT count(*) FROM meta.run WHERE status = 'succeeded'") == [(3,)]

    replay.inject("status", match="/v3/data/", status=503, times=1000)
    with pytest.raises(RunIncomplete, match="1 failed: kolada") as failed:
        nightly()
    assert set(failed.value.summaries[0]) >= {"source", "batches"}  # what did load is reported beside the failure
    assert published("SELECT status FROM meta.load_batch WHERE source = 'kolada' ORDER BY load_id DESC LIMIT 1") == [
        ("failed",)
    ]


def test_an_analyst_holding_the_published_db_never_blocks_a_run(home, replay):
    import subprocess
    import sys
    import textwrap

    ingest_kolada()
    db = load_settings().published_db
    reader = subprocess.Popen(
        [
            sys.executable,
            "-c",
            textwrap.dedent(f"""
        import duckdb, sys
        con = duckdb.connect({str(db)!r}, read_only=True)
        q = ("SELECT value FROM indicator_values WHERE indicator_id='N03920' AND municipality_code='1280' "
             "AND year=2020 AND sex='T'")
        print(con.execute(q).fetchall()[0][0], flush=True)
        sys.stdin.readline()
        print(con.execute(q).fetchall()[0][0], flush=True)
    """),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        before = float(reader.stdout.readline())
        replay.dataset.set_value("N03920", "1280", 2020, "T", before + 1, updated=date.today())
        assert ingest_kolada(full=True)["batches"][0]["rows_updated"] == 1  # the run succeeds while the reader holds on
        reader.stdin.write("\n")
        reader.stdin.flush()
        assert float(reader.stdout.readline()) == before  # the reader's snapshot is undisturbed
    finally:
        reader.communicate(timeout=30)
    assert published(
        "SELECT value FROM indicator_values WHERE indicator_id='N03920' AND municipality_code='1280' "
        "AND year=2020 AND sex='T'"
    ) == [(before + 1,)]


def test_every_municipality_scope_stays_incremental_after_its_full_refresh(tmp_path, monkeypatch):
    """`municipalities: all` (the benchmark's scope): the scope is Kolada's municipalities, not the counties and the
    nation that survey values add to dim_municipality — otherwise every run after a full refresh would be another
    full one (the benchmark's no-op run caught that: 148 data requests instead of 4 probes)."""
    import yaml

    from core.catalog import fingerprint
    from core.config import SCHEMAS_DIR
    from flows.kolada import plan_run
    from warehouse.db import open_work_db

    shutil.copytree(SCHEMAS_DIR / "catalog", tmp_path / "catalog")
    catalog = yaml.safe_load((tmp_path / "catalog" / "kolada.yaml").read_text(encoding="utf-8"))
    catalog["load"]["municipalities"] = "all"
    (tmp_path / "catalog" / "kolada.yaml").write_text(yaml.safe_dump(catalog, allow_unicode=True), encoding="utf-8")
    monkeypatch.setenv("SYDSTAT_CATALOG_DIR", str(tmp_path / "catalog"))
    con = open_work_db(tmp_path / "work.duckdb")
    try:  # as after a full refresh: the 290 municipalities known (the seed), the scope it loaded remembered
        codes = sorted(
            r[0]
            for r in con.execute(
                "SELECT municipality_code FROM dim_municipality WHERE geo_level = 'municipality'"
            ).fetchall()
        )
        # + the 21 counties and the nation, for survey values: they must not enter Kolada's municipality scope
        assert len(codes) == 290 and con.execute("SELECT count(*) FROM dim_municipality").fetchall() == [(312,)]
        scope = fingerprint([str(k["id"]) for k in catalog["kpis"]], codes, int(catalog["load"]["from_year"]))
        con.execute(
            "INSERT INTO meta.source_state (source, cursor_from_date, last_full_refresh_at, "
            "last_success_at, scope_fingerprint) VALUES ('kolada', current_date, now(), now(), ?)",
            [scope],
        ).fetchall()
        plan = plan_run(con, None, False, date.today())
    finally:
        con.close()
    assert plan.mode == "incremental", plan.reason


def test_a_kpi_chunk_that_fails_after_retries_never_stops_the_others(home, replay, capsys):
    """26 ids make two chunks of 13: the second answers 503 whatever we do. The first loads and is published, the
    run names the failed chunk and exits 1, nothing of the failed chunk's KPIs is deleted, and status says degraded."""
    import json

    from core.catalog import load_catalog
    from sources.kolada import chunks
    from sydstat.cli import main

    ids = [str(k["id"]) for k in load_catalog("kolada")["kpis"]] + ["N99991"]
    first, second = chunks(ids)
    replay.inject("status", match=f"/v3/data/kpi/{','.join(second)}", status=503, times=1000)
    assert main(["run", "--kpi", ",".join(ids)]) == 1
    last = capsys.readouterr().err.strip().splitlines()[-1]
    assert f"failed: kolada KPI chunk {','.join(second)}: UpstreamError" in last and "HTTP 503" in last
    loaded = {r[0] for r in published("SELECT DISTINCT indicator_id FROM fct_indicator_value")}
    assert loaded and loaded <= set(first) and not loaded & set(second)
    assert published("SELECT dataset, status FROM meta.load_batch WHERE status = 'failed'") == [
        ("kpi:" + ",".join(second), "failed")
    ]
    main(["status", "--json"])
    entry = next(s for s in json.loads(capsys.readouterr().out)["sources"] if s["source"] == "kolada")
    assert entry["state"] == "degraded" and entry["failing_tables"][0]["table"] == "kpi:" + ",".join(second)
