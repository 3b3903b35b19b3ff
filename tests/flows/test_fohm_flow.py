"""Folkhälsodata end to end (PxWeb v1 grammar, BOM bodies): same validation and loader as Kolada."""

from datetime import date

import pytest

from flows.fohm import ingest_fohm
from tests.conftest import published

pytestmark = pytest.mark.integration



def test_fohm_full_then_unchanged(home, replay, monkeypatch):
    monkeypatch.setenv("SYDSTAT_FOHM_URL", replay.fohm_url)
    batches = ingest_fohm(synthetic=True)["batches"]
    first = batches[0]
    assert first["rows_inserted"] == 38 * 2 * 3 * 17 and first["rows_quarantined"] == 0
    # survey tables: the region's two counties and the nation, 3 sexes, 14 pooled periods, 2 outcomes each
    assert [b["rows_inserted"] for b in batches[1:]] == [3 * 3 * 14 * 2] * 2
    assert published("SELECT period, year, period_start, period_end, period_type FROM indicator_values "
                     "WHERE indicator_id = 'fohm:hlv_bra_halsa' AND municipality_code = '0012' AND sex = 'T' "
                     "ORDER BY year DESC LIMIT 1") == [("2019-2022", 2022, date(2019, 1, 1), date(2022, 12, 31),
                                                        "span")]
    rows = published("SELECT municipality_name, geo_level, value, ci_low, ci_high, respondents FROM indicator_values "
                     "WHERE indicator_id = 'fohm:hlv_sombesvar' AND period = '2019-2022' AND sex = 'T' ORDER BY 1")
    assert [r[:2] for r in rows] == [("Blekinge län", "county"), ("Riket", "country"), ("Skåne län", "county")]
    assert all(r[3] < r[2] < r[4] for r in rows) and [r[5] for r in rows] == [2400, 60000, 9000]
    assert (rows[0][4] - rows[0][3]) > (rows[1][4] - rows[1][3])  # fewer answers, wider interval
    # counties and the nation never enter the municipal comparisons
    assert published("SELECT count(*) FROM indicator_trends WHERE municipality_code IN ('0000', '0010', '0012')"
                     ) == [(0,)]
    assert published("SELECT count(*) FILTER (WHERE value IS NULL), count(*) FILTER (WHERE status = '..') "
                     "FROM fct_indicator_value WHERE source = 'fohm'") == [(39, 39)]  # suppressed: NULL + symbol
    assert published("SELECT DISTINCT attribution, topic FROM indicator_values WHERE source = 'fohm' ORDER BY 2") == [
        ("Källa: Folkhälsomyndigheten", "public_health"), ("Källa: Folkhälsomyndigheten", "unemployment")]
    replay.requests.clear()
    assert [b["status"] for b in ingest_fohm()["batches"]] == ["unchanged"] * 3
    assert not [r for r in replay.requests if r.endswith(".px") and "POST" in r]
    assert all(not r.startswith("/fohm") or "?config" in r or r.endswith(".px") for r in replay.requests)
