"""Folkhälsodata end to end (PxWeb v1 grammar, BOM bodies): same validation and loader as Kolada."""

import pytest

from flows.fohm import ingest_fohm
from tests.conftest import published

pytestmark = pytest.mark.integration



def test_fohm_full_then_unchanged(home, replay, monkeypatch):
    monkeypatch.setenv("SYDSTAT_FOHM_URL", replay.fohm_url)
    first = ingest_fohm(synthetic=True)["batches"][0]
    assert first["rows_inserted"] == 38 * 2 * 3 * 17 and first["rows_quarantined"] == 0
    assert published("SELECT count(*) FILTER (WHERE value IS NULL), count(*) FILTER (WHERE status = '..') "
                     "FROM fct_indicator_value WHERE source = 'fohm'") == [(39, 39)]  # suppressed: NULL + symbol
    assert published("SELECT DISTINCT attribution, topic FROM indicator_values WHERE source = 'fohm'") == [
        ("Källa: Folkhälsomyndigheten", "unemployment")]
    replay.requests.clear()
    second = ingest_fohm()["batches"][0]
    assert second["status"] == "unchanged"
    assert not [r for r in replay.requests if r.endswith(".px") and "POST" in r]
    assert all(not r.startswith("/fohm") or "?config" in r or r.endswith(".px") for r in replay.requests)
