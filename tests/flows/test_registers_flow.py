"""Registers end to end: the demo's sample through the real flow into the warehouse and Parquet."""

import re
import shutil
from pathlib import Path

import duckdb
import pytest

from core.config import load_settings
from flows.registers import ingest_register_file
from sources.registers import UnreadableFile
from tests.conftest import published

pytestmark = pytest.mark.integration
SAMPLE = Path(__file__).resolve().parents[2] / "samples" / "esf_plus_sample.csv"
PII = [
    re.compile(r"[\w.+-]+@[\w-]+\.[\w.]+"),
    re.compile(r"07\d[\s-]?\d{3}[\s-]?\d{2}[\s-]?\d{2}"),
    re.compile("Kontakt Exempelsson"),
]


def test_sample_register_loads_once_with_history_and_no_personal_data(home, tmp_path):
    first = ingest_register_file(str(SAMPLE))["batches"][0]
    assert (first["rows_inserted"], first["rows_quarantined"]) == (5, 0)
    founding = published(
        "SELECT name, owner_name, total_budget_sek, eu_support_sek, start_date, end_date, coverage, "
        "is_synthetic FROM projects WHERE project_id = '2014-SAMVERKAN-RBSYD'"
    )[0]
    assert founding[1:3] == ("Rädda Barnen region syd", 790680) and founding[6:] == ("programme_area", False)
    assert published(
        "SELECT count(*), count(*) FILTER (WHERE in_region) FROM project_municipalities "
        "WHERE project_id = '2014-SAMVERKAN-RBSYD'"
    ) == [(38, 38)]
    sectors = published(
        "SELECT DISTINCT o.sector FROM bridge_project_organisation b JOIN dim_organisation o "
        "USING (org_key) WHERE b.project_id = '2014-SAMVERKAN-RBSYD' AND b.role = 'partner'"
    )
    assert {s for (s,) in sectors} >= {"offentlig", "näringsliv", "akademi", "civilsamhälle"}
    # every Swedish municipality is known (the seed of 290): one outside the region links, flagged, never breaks
    assert published(
        "SELECT municipality_name, in_region FROM project_municipalities WHERE project_id = 'SYNT-2023-0004' ORDER BY 1"
    ) == [("Osby", True), ("Växjö", False), ("Östra Göinge", True)]
    assert published("SELECT count(*) FROM meta.quarantine") == [(0,)]
    # "which projects, with how much money, touch Landskrona since 2015?"
    landskrona = published(
        "SELECT DISTINCT p.project_id, p.total_budget_sek, pm.coverage FROM projects p JOIN "
        "project_municipalities pm USING (project_id) WHERE pm.municipality_code = '1282' "
        "AND p.end_date >= DATE '2015-01-01' ORDER BY 1"
    )
    assert landskrona == [("SYNT-2016-0001", 4973906, "local"), ("SYNT-2022-0003", 12500000, "programme_area")]

    again = ingest_register_file(str(SAMPLE))["batches"][0]
    assert (again["status"], again["rows_inserted"], again["rows_updated"]) == ("unchanged", 0, 0)

    newer = tmp_path / "esf_newer.csv"
    newer.write_text(SAMPLE.read_text(encoding="utf-8").replace("4 973 906", "5 100 000"), encoding="utf-8")
    update = ingest_register_file(str(newer))["batches"][0]
    assert (update["rows_inserted"], update["rows_updated"]) == (0, 1)
    assert published(
        "SELECT count(*), count(*) FILTER (WHERE is_current) FROM dim_project WHERE project_id = 'SYNT-2016-0001'"
    ) == [(2, 1)]
    assert published("SELECT total_budget_sek FROM projects WHERE project_id = 'SYNT-2016-0001'") == [(5100000,)]
    assert published("SELECT count(*) FROM projects") == [(5,)]  # every project counted once

    # privacy: no e-mail, phone or contact name in any text column of the warehouse, nor in any Parquet file
    con = duckdb.connect(str(load_settings().published_db), read_only=True)
    columns = con.execute(
        "SELECT table_schema, table_name, column_name FROM information_schema.columns WHERE "
        "data_type IN ('VARCHAR', 'JSON') AND table_schema IN ('main', 'meta')"
    ).fetchall()
    for schema, table, column in columns:
        for (text,) in con.execute(
            f'SELECT DISTINCT "{column}"::VARCHAR FROM "{schema}"."{table}" WHERE "{column}" IS NOT NULL'
        ).fetchall():
            assert not any(p.search(text) for p in PII), (table, column, text)
    con.close()
    for parquet in load_settings().parquet_dir.rglob("*.parquet"):
        rows = duckdb.sql(f"SELECT * FROM read_parquet('{parquet}')").fetchall()
        blob = "\n".join("|".join(str(v) for v in r) for r in rows)
        assert not any(p.search(blob) for p in PII), parquet
    assert (load_settings().parquet_dir / "projects.parquet").is_file()


def test_corrupt_file_changes_nothing(home, tmp_path):
    ingest_register_file(str(SAMPLE))
    before = published("SELECT * FROM dim_project ORDER BY ALL")
    broken = tmp_path / "export.xlsx"
    broken.write_text("<html><body>Session expired</body></html>")
    with pytest.raises(UnreadableFile, match="not a real .xlsx"):
        ingest_register_file(str(broken))
    assert published("SELECT * FROM dim_project ORDER BY ALL") == before
    assert published("SELECT status, message FROM meta.load_batch ORDER BY load_id DESC LIMIT 1")[0][0] == "failed"


def test_inbox_file_is_loaded_and_moved_to_done(home):
    from flows.files import register_ingest

    inbox = load_settings().inbox_dir
    inbox.mkdir(parents=True)
    shutil.copy(SAMPLE, inbox / "esf.csv")
    summary = register_ingest(str(inbox / "esf.csv"))
    assert summary["format"] == "esf_plus" and (inbox / "done" / "esf.csv").is_file()
    assert not (inbox / "esf.csv").exists()


def test_funding_is_versioned_with_its_project(home, tmp_path):
    """A register update keeps what was granted before (issue 15 #12): funding is SCD2 beside dim_project, so the
    amounts as of any date are one join away, and the current view shows only the new amounts."""
    import pandas as pd

    from sydstat.cli import main

    sample = SAMPLE
    assert main(["ingest", str(sample)]) == 0
    frame = pd.read_csv(sample, sep=";", dtype=str, encoding="utf-8-sig")
    budget = next(c for c in frame.columns if c.startswith("Total projektbudget"))
    frame.loc[frame.iloc[:, 0] == "2014-SAMVERKAN-RBSYD", budget] = "1 000 000"
    updated = tmp_path / "esf_update.csv"
    frame.to_csv(updated, sep=";", index=False)
    assert main(["ingest", str(updated)]) == 0

    versions = published(
        "SELECT f.total_budget_sek, f.is_current, f.valid_to IS NULL, p.valid_from = f.valid_from "
        "FROM fct_project_funding f JOIN dim_project p ON p.register = f.register AND "
        "p.project_id = f.project_id AND p.valid_from = f.valid_from "
        "WHERE f.project_id = '2014-SAMVERKAN-RBSYD' ORDER BY f.valid_from"
    )
    assert [(float(v[0]), v[1], v[2], v[3]) for v in versions] == [
        (790680.0, False, False, True),
        (1000000.0, True, True, True),
    ]
    assert published("SELECT total_budget_sek FROM projects WHERE project_id = '2014-SAMVERKAN-RBSYD'") == [(1000000,)]
    # as of a moment between the two loads: the first grant
    as_of = published(
        "SELECT f.total_budget_sek FROM fct_project_funding f WHERE f.project_id = "
        "'2014-SAMVERKAN-RBSYD' AND f.valid_from <= (SELECT min(valid_to) FROM fct_project_funding "
        "WHERE project_id = '2014-SAMVERKAN-RBSYD') - INTERVAL 1 MICROSECOND AND (f.valid_to IS NULL "
        "OR f.valid_to > (SELECT min(valid_to) FROM fct_project_funding WHERE project_id = "
        "'2014-SAMVERKAN-RBSYD') - INTERVAL 1 MICROSECOND)"
    )
    assert [float(r[0]) for r in as_of] == [790680.0]


def test_quarantine_you_can_act_on(home, tmp_path, capsys):
    """Issue 18: `sydstat quarantine list | show | resolve`; the same file ingested again adds no second open row."""
    import json

    from sydstat.cli import main

    text = SAMPLE.read_text(encoding="utf-8").replace("Landskrona kommun", "Ingenstans kommun", 1)
    odd = tmp_path / "esf_odd.csv"
    odd.write_text(text, encoding="utf-8")
    assert main(["ingest", str(odd)]) == 0
    assert main(["ingest", str(odd)]) == 0  # the same record again: still one open row
    capsys.readouterr()
    assert main(["quarantine", "list", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert len(rows) == 1 and "Ingenstans" in rows[0]["reason"] and rows[0]["resolved"] is False
    assert main(["quarantine", "show", str(rows[0]["id"])]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["record"]["named_as"].startswith("Ingenstans")
    assert main(["quarantine", "resolve", str(rows[0]["id"])]) == 2  # a resolution needs a reason
    assert main(["quarantine", "resolve", str(rows[0]["id"]), "--reason", "fel i exporten, rättat"]) == 0
    capsys.readouterr()
    assert main(["quarantine", "list", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == []
    assert published("SELECT resolution FROM meta.quarantine") == [("fel i exporten, rättat",)]
    assert main(["quarantine", "resolve", str(rows[0]["id"]), "--reason", "igen"]) == 1  # not open any more
