"""Folkhälsodata end to end (PxWeb v1 grammar, BOM bodies): same validation and loader as Kolada."""

from datetime import date

import pytest

from flows.fohm import ingest_fohm
from tests.conftest import published

pytestmark = pytest.mark.integration


def test_fohm_full_then_unchanged(home, replay, monkeypatch):
    monkeypatch.setenv("SYDSTAT_FOHM_URL", replay.fohm_url)
    batches = ingest_fohm()["batches"]
    # survey tables: the region's two counties and the nation, 3 sexes, 14 pooled periods, 2 outcomes each
    assert [b["rows_inserted"] for b in batches] == [3 * 3 * 14 * 2] * 2
    assert all(b["rows_quarantined"] == 0 for b in batches)
    assert published(
        "SELECT period, year, period_start, period_end, period_type FROM indicator_values "
        "WHERE indicator_id = 'fohm:hlv_bra_halsa' AND municipality_code = '0012' AND sex = 'T' "
        "ORDER BY year DESC LIMIT 1"
    ) == [("2019-2022", 2022, date(2019, 1, 1), date(2022, 12, 31), "span")]
    rows = published(
        "SELECT municipality_name, geo_level, value, ci_low, ci_high, respondents FROM indicator_values "
        "WHERE indicator_id = 'fohm:hlv_sombesvar' AND period = '2019-2022' AND sex = 'T' ORDER BY 1"
    )
    assert [r[:2] for r in rows] == [("Blekinge län", "county"), ("Riket", "country"), ("Skåne län", "county")]
    assert all(r[3] < r[2] < r[4] for r in rows) and [r[5] for r in rows] == [2400, 60000, 9000]
    assert (rows[0][4] - rows[0][3]) > (rows[1][4] - rows[1][3])  # fewer answers, wider interval
    # counties and the nation never enter the municipal comparisons
    assert published("SELECT count(*) FROM indicator_trends WHERE municipality_code IN ('0000', '0010', '0012')") == [
        (0,)
    ]
    assert published("SELECT DISTINCT attribution, topic FROM indicator_values WHERE source = 'fohm' ORDER BY 2") == [
        ("Källa: Folkhälsomyndigheten", "public_health")
    ]

    # v1 table metadata has no `updated`: the change check reads the folder listing, one request per folder
    replay.requests.clear()
    assert [b["status"] for b in ingest_fohm()["batches"]] == ["unchanged"] * 2
    assert not [r for r in replay.requests if r.endswith(".px")]  # neither metadata nor data
    folders = [r for r in replay.requests if "/api/v1/sv/A_Folkhalsodata/" in r]
    assert sorted(folders) == sorted({r for r in folders}) and len(folders) == 2  # two tables in two folders

    # a newer stamp in the listing: that table is downloaded again, the other is not
    mental = "A_Folkhalsodata/B_HLV/dPsykhals/hlv1psyxreg.px"
    replay.fohm.tables[mental].updated = "2099-01-01T08:00:00"
    replay.requests.clear()
    batches = ingest_fohm()["batches"]
    assert [(b["dataset"], b["status"]) for b in batches] == [
        ("A_Folkhalsodata/B_HLV/bFyshals/bbaFyshalsallman/hlv1allmxreg.px", "unchanged"),
        (mental, "unchanged"),
    ]
    assert [r for r in replay.requests if r.endswith(".px")] == [f"/fohm/api/v1/sv/{mental}"] * 2  # metadata + data


def test_a_table_missing_from_its_folder_fails_alone_and_is_named(home, replay, monkeypatch):
    """A table renamed or removed upstream: the listing no longer names it. That table fails with the reason, the
    other loads and is published, and the run ends RunIncomplete (the CLI's exit 1)."""
    from flows.common import RunIncomplete

    monkeypatch.setenv("SYDSTAT_FOHM_URL", replay.fohm_url)
    ingest_fohm()
    general = "A_Folkhalsodata/B_HLV/bFyshals/bbaFyshalsallman/hlv1allmxreg.px"
    replay.fohm.tables["A_Folkhalsodata/B_HLV/bFyshals/bbaFyshalsallman/renamed.px"] = replay.fohm.tables.pop(general)
    replay.fohm.tables["A_Folkhalsodata/B_HLV/dPsykhals/hlv1psyxreg.px"].updated = "2099-01-01T08:00:00"
    with pytest.raises(RunIncomplete, match="hlv1allmxreg.px is not in its folder listing") as failed:
        ingest_fohm()
    assert failed.value.failures == [
        f"fohm {general}: UpstreamError: " + failed.value.failures[0].split("UpstreamError: ", 1)[1]
    ]
    assert [b["status"] for b in failed.value.summaries[0]["batches"]] == ["unchanged"]  # the other one loaded
    assert (
        published("SELECT dataset, status FROM meta.load_batch WHERE source = 'fohm' ORDER BY load_id DESC LIMIT 2")
        == [(general, "failed"), ("A_Folkhalsodata/B_HLV/dPsykhals/hlv1psyxreg.px", "unchanged")][::-1]
    )
