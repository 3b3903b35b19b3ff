"""`sydstat indicators search | add` (issue 18) against the replay: Kolada's KPI catalogue and SCB's table search."""

import shutil

import pytest

from core.config import SCHEMAS_DIR
from sydstat.cli import main

pytestmark = pytest.mark.integration


def test_search_finds_kpis_and_tables_and_add_writes_the_catalogue(home, replay, tmp_path, monkeypatch, capsys):
    assert main(["indicators", "search", "arbetslösa"]) == 0
    out = capsys.readouterr().out
    assert "N03920" in out and "[in catalogue]" in out and "by sex" in out
    assert main(["indicators", "search", "utländsk", "bakgrund", "--source", "scb"]) == 0
    assert "TAB6571" in capsys.readouterr().out

    catalogue = tmp_path / "catalog"
    shutil.copytree(SCHEMAS_DIR / "catalog", catalogue)
    monkeypatch.setenv("SYDSTAT_CATALOG_DIR", str(catalogue))
    kolada = (catalogue / "kolada.yaml").read_text(encoding="utf-8")
    removed = next(line for line in kolada.splitlines() if line.startswith("  - {id: N01452"))
    (catalogue / "kolada.yaml").write_text(kolada.replace(removed + "\n", ""), encoding="utf-8")
    from core.catalog import forget, load_catalog

    forget()
    assert main(["indicators", "add", "N01452", "--topic", "public_health", "--direction", "higher_is_worse"]) == 0
    added = next(k for k in load_catalog("kolada")["kpis"] if k["id"] == "N01452")
    assert added["title"].startswith("Invånare 16-84 år med allvarlig psykisk påfrestning")
    assert (added["topic"], added["direction"]) == ("public_health", "higher_is_worse")
    assert main(["indicators", "add", "N01452", "--topic", "public_health"]) == 2  # already there
    assert main(["indicators", "add", "X99999", "--topic", "public_health"]) == 2  # Kolada does not list it
    forget()
