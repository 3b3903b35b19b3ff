"""The report from warehouses that have only part of the data: every page still builds and says what is missing."""

from sydstat.report import build_report
from sydstat.report.pages import number


def test_report_degrades_gracefully_with_one_source_and_two_values(published_home, tmp_path):
    """The published_home fixture: Kolada's N03920 for Landskrona only, 2023 and a NULL 2024."""
    from core.config import load_settings

    settings = load_settings()
    result = build_report(settings.published_db, tmp_path / "site")
    assert len(result.pages) == 40 and result.charts >= 2  # overview + Landskrona's trend
    landskrona = (tmp_path / "site" / "kommun" / "1282.html").read_text(encoding="utf-8")
    assert "Ingen befolkning per DeSO är inläst" in landskrona and "Inga projekt" in landskrona
    assert "syntetiska" not in landskrona  # real (non-demo) sources: no synthetic banner
    malmo = (tmp_path / "site" / "kommun" / "1280.html").read_text(encoding="utf-8")
    assert "Inga tidsserier är inlästa för Malmö" in malmo


def test_swedish_number_formatting():
    assert number(1234567.0, "sek") == "1\u202f234\u202f567 kr"
    assert number(8.45, "percent") == "8,4 %" or number(8.45, "percent") == "8,5 %"
    assert number(-1.5) == "−1,5" and number(None) == "–" and number(float("nan")) == "–"
    assert number(0.1837, decimals=3) == "0,184"


def test_the_report_does_not_mislead():
    """Issue 18: shares change in percentage points; a rank only where there is a direction; an older value says
    its year; dates without a time; a synthetic project marked once."""
    from types import SimpleNamespace

    from sydstat.report.pages import change_text, date_text, project_name, rank_text

    assert change_text(-1.5, "percent") == "−1,5 procentenheter"
    assert change_text(120.0, "sek") == "120,0 kr"
    assert (
        rank_text(SimpleNamespace(direction="higher_is_worse", rank_in_region=3, municipalities_ranked=38))
        == "rang 3 av 38"
    )
    assert rank_text(SimpleNamespace(direction="neutral", rank_in_region=1, municipalities_ranked=38)) is None
    import pandas as pd

    assert date_text(pd.Timestamp("2022-01-01 00:00:00")) == "2022-01-01" and date_text(None) == "–"
    assert project_name("Unga vuxna (SYNTETISKT EXEMPEL)", True) == "Unga vuxna (SYNTETISKT EXEMPEL)"
    assert project_name("Unga vuxna", True) == "Unga vuxna (syntetiskt exempel)"
    assert project_name("Samverkan", False) == "Samverkan"
