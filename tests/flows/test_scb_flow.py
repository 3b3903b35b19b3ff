"""SCB end to end: replay PxWebApi → fct_area_population → segregation_indices; unchanged tables not downloaded."""

import pytest

from core.config import load_settings
from flows.common import RunIncomplete
from flows.scb import ingest_scb
from tests.conftest import published
from transforms.segregation import two_group

pytestmark = pytest.mark.integration


@pytest.fixture
def scb(replay, monkeypatch):
    monkeypatch.setenv("SYDSTAT_SCB_URL", replay.scb_url)
    return replay


def test_scb_full_then_unchanged(home, scb):
    batches = ingest_scb()["batches"]
    first = batches[0]
    assert first["status"] == "loaded" and first["rows_quarantined"] == 0
    assert [b["mode"] for b in batches] == [
        "full TAB6571",
        "full TAB6572",
        "full TAB6685",
        "full TAB5956",
        "full TAB6534",
        "full TAB6680",
        "full TAB6586",
        "full TAB638",
        "full TAB6471",
    ]
    # RegSO area types through PxWeb: RegSO 2020 until 2023, RegSO 2025 (their own codes) from 2024 — every RegSO of
    # the 38 once per year of its grid, each in the summary
    assert published(
        "SELECT grid, count(DISTINCT municipality_code), min(year), max(year), sum(regso_count) FROM "
        "area_type_summary GROUP BY 1 ORDER BY 1"
    ) == [
        ("RegSO2020", 38, 2015, 2023, published("SELECT count(*) FROM dim_area WHERE grid = 'RegSO2020'")[0][0] * 9),
        ("RegSO2025", 38, 2024, 2024, published("SELECT count(*) FROM dim_area WHERE grid = 'RegSO2025'")[0][0]),
    ]
    assert published("SELECT DISTINCT area_code LIKE '%_RegSO2025' FROM fct_area_type WHERE year = 2024") == [(True,)]
    # both DeSO grids, never mixed: each in use in the years the data shows, off-grid cells ('..', 0) not loaded
    assert published(
        "SELECT classification, grid, min(year), max(year) FROM fct_area_population GROUP BY ALL ORDER BY 1, 2"
    ) == [
        ("background", "DeSO2018", 2015, 2024),
        ("background", "DeSO2025", 2025, 2025),
        ("birth_region", "DeSO2018", 2015, 2024),
        ("birth_region", "DeSO2025", 2025, 2025),
        ("economic_standard", "DeSO2018", 2015, 2023),
        ("economic_standard", "DeSO2025", 2024, 2024),
        ("education_level", "DeSO2018", 2015, 2023),
        ("education_level", "DeSO2025", 2024, 2024),
        ("labour_market_status", "DeSO2018", 2020, 2023),
        ("labour_market_status", "DeSO2025", 2024, 2024),
    ]
    assert published("SELECT count(*) FROM fct_area_population WHERE persons = 0") == [(0,)]
    assert published(
        "SELECT grid, min(first_year), max(last_year) FROM dim_area WHERE area_level = 'DeSO' GROUP BY 1 ORDER BY 1"
    ) == [("DeSO2018", 2015, 2024), ("DeSO2025", 2024, 2025)]
    # one grid per index: the grid change is marked like a series break, with no change across it
    assert published(
        "SELECT year, grid, is_grid_break, dissimilarity_change IS NULL FROM segregation_trends "
        "WHERE municipality_code = '1282' AND grouping = 'foreign_vs_swedish_background' "
        "AND area_unit = 'DeSO' AND year >= 2024 ORDER BY 1"
    ) == [(2024, "DeSO2018", False, False), (2025, "DeSO2025", True, True)]
    assert all(b["status"] == "loaded" for b in batches)
    # population by age: the classic table to 2024, the CKM table's 31 December from 2025, one series
    assert published(
        "SELECT source_table, min(year), max(year), count(DISTINCT municipality_code), "
        "count(DISTINCT age_group), bool_or(ckm_noise) FROM fct_population GROUP BY 1 ORDER BY 2"
    ) == [("TAB638", 2015, 2024, 38, 102, False), ("TAB6471", 2025, 2025, 38, 102, True)]
    # exact before the break; from 2025 the published total differs from its parts, but within the tolerance
    gaps = dict(
        published(
            "SELECT year >= 2025, max(abs(t.persons - p.s)) FROM fct_population t JOIN ("
            "SELECT municipality_code, year, sex, sum(persons) s FROM fct_population "
            "WHERE age_group <> 'total' GROUP BY ALL) p USING (municipality_code, year, sex) "
            "WHERE t.age_group = 'total' GROUP BY 1"
        )
    )
    assert gaps[False] == 0 and 0 < gaps[True] <= 10 * 101**0.5
    bands = published(
        "SELECT age_band, persons FROM population_by_age WHERE municipality_code = '1282' "
        "AND year = 2024 AND sex = 'T' AND band_set = 'life_stage' ORDER BY age_from"
    )
    assert [b[0] for b in bands] == ["0-5", "6-15", "16-19", "20-64", "65-79", "80+"]
    assert (
        sum(b[1] for b in bands)
        == published(
            "SELECT persons FROM fct_population WHERE municipality_code = "
            "'1282' AND year = 2024 AND sex = 'T' AND age_group = 'total'"
        )[0][0]
    )
    assert published(
        "SELECT year, is_series_break FROM population_by_age WHERE municipality_code = '1282' AND "
        "sex = 'T' AND age_band = 'total' AND year IN (2024, 2025) ORDER BY 1"
    ) == [(2024, False), (2025, True)]
    # birth regions: multi-group H, and D of born in Sweden vs abroad; every DeSO's groups add up to its total
    assert published(
        "SELECT count(*), min(entropy_index) > 0, max(entropy_index) < 1, max(dissimilarity) <= 1 "
        "FROM segregation_indices WHERE grouping = 'birth_region' AND area_unit = 'DeSO' "
        "AND grid = 'DeSO2018'"
    ) == [(380, True, True, True)]
    assert published(
        "SELECT count(*) FROM (SELECT area_code, year, sum(persons) AS s FROM fct_area_population "
        "WHERE sex = 'T' AND classification = 'birth_region' AND population_group <> 'total' GROUP BY "
        "ALL) b JOIN fct_area_population t USING (area_code, year) WHERE t.sex = 'T' AND "
        "t.classification = 'background' AND t.population_group = 'total' AND t.persons <> b.s"
    ) == [(0,)]
    assert published(
        "SELECT count(DISTINCT municipality_code), count(DISTINCT year), min(dissimilarity) >= 0, "
        "max(dissimilarity) <= 1 FROM segregation_indices WHERE area_unit = 'DeSO'"
    ) == [(38, 11, True, True)]
    # the stored index equals the formula applied to the stored population
    rows = published(
        "SELECT area_code, population_group, persons FROM fct_area_population WHERE year = 2024 "
        "AND sex = 'T' AND classification = 'background' AND population_group <> 'total' "
        "AND area_code LIKE '1282%' ORDER BY 1, 2"
    )
    foreign = [r[2] for r in rows if r[1] == "utländsk"]
    swedish = [r[2] for r in rows if r[1] == "svensk"]
    stored = published(
        "SELECT dissimilarity FROM segregation_indices WHERE municipality_code = '1282' "
        "AND year = 2024 AND area_unit = 'DeSO' AND grouping = 'foreign_vs_swedish_background'"
    )[0][0]
    assert stored == pytest.approx(two_group(foreign, swedish)["dissimilarity"])
    assert published(
        "SELECT sum(persons) FILTER (WHERE population_group = 'total' AND sex = 'T') = "
        "sum(persons) FILTER (WHERE population_group IN ('utländsk', 'svensk') AND sex IN ('K', 'M')) "
        "FROM fct_area_population WHERE classification = 'background'"
    ) == [(True,)]

    # DeSO composition: every classification's groups add up to its own total (economic standard: derived groups,
    # so exactly; a suppressed share leaves both groups NULL and the total kept)
    assert published(
        "SELECT classification, age_group, min(year), max(year), count(DISTINCT sex) FROM "
        "fct_area_population GROUP BY ALL ORDER BY 1, 2"
    ) == [
        ("background", "total", 2015, 2025, 3),
        ("birth_region", "total", 2015, 2025, 3),
        ("economic_standard", "total", 2015, 2024, 1),
        ("education_level", "25-64", 2015, 2023, 1),
        ("education_level", "25-65", 2024, 2024, 1),
        ("labour_market_status", "20-64", 2020, 2024, 3),
    ]
    assert published(
        "SELECT t.classification, count(*) FROM fct_area_population t JOIN (SELECT area_code, year, sex, "
        "classification, sum(persons) AS s FROM fct_area_population WHERE population_group <> 'total' "
        "GROUP BY ALL) p USING (area_code, year, sex, classification) WHERE t.population_group = 'total' "
        "AND t.persons IS DISTINCT FROM p.s GROUP BY 1"
    ) == published(
        "SELECT 'economic_standard', count(DISTINCT (area_code, year)) FROM fct_area_population WHERE persons IS NULL"
    )
    suppressed = published("SELECT count(DISTINCT (area_code, year)) FROM fct_area_population WHERE persons IS NULL")[
        0
    ][0]
    assert suppressed > 0
    assert published(
        "SELECT population_group, count(*), count(persons) FROM fct_area_population WHERE "
        "classification = 'economic_standard' AND (area_code, year) IN (SELECT (area_code, year) FROM "
        "fct_area_population WHERE persons IS NULL) GROUP BY 1 ORDER BY 1"
    ) == [
        ("ej låg ekonomisk standard", suppressed, 0),
        ("låg ekonomisk standard", suppressed, 0),
        ("total", suppressed, suppressed),
    ]
    # low vs not-low economic standard: a row per municipality × year, D as the formula gives it
    assert published(
        "SELECT count(DISTINCT municipality_code), count(DISTINCT year), count(*) FROM "
        "segregation_indices WHERE grouping = 'low_vs_not_low_economic_standard' AND area_unit = 'DeSO'"
    ) == [(38, 10, 380)]
    low = dict(
        published(
            "SELECT area_code, persons FROM fct_area_population WHERE year = 2020 AND area_code LIKE "
            "'1282%' AND population_group = 'låg ekonomisk standard'"
        )
    )
    rest = dict(
        published(
            "SELECT area_code, persons FROM fct_area_population WHERE year = 2020 AND area_code LIKE "
            "'1282%' AND population_group = 'ej låg ekonomisk standard'"
        )
    )
    complete = sorted(a for a in low if low[a] is not None)
    assert published(
        "SELECT dissimilarity, areas FROM segregation_indices WHERE municipality_code = '1282' AND "
        "year = 2020 AND grouping = 'low_vs_not_low_economic_standard'"
    )[0] == (
        pytest.approx(two_group([low[a] for a in complete], [rest[a] for a in complete])["dissimilarity"]),
        len(complete),
    )

    # area_profile: one row per DeSO and year, every share a share
    assert published(
        "SELECT count(*) = count(DISTINCT (area_code, year)), count(DISTINCT area_code), "
        "min(least(foreign_background_share, low_economic_standard_share, post_secondary_share, "
        "employment_rate, unemployment_rate)) >= 0, max(greatest(foreign_background_share, "
        "low_economic_standard_share, post_secondary_share, employment_rate, unemployment_rate)) <= 1, "
        "count(employment_rate) FILTER (WHERE year < 2020) FROM area_profile"
    ) == [(True, published("SELECT count(DISTINCT area_code) FROM fct_area_population")[0][0], True, True, 0)]

    # SCB's official municipal index has no confirmed v2 id: not loaded, and the comparison says so
    assert published("SELECT count(*) FROM fct_indicator_value WHERE indicator_id = 'scb:segregationsindex_sams'") == [
        (0,)
    ]
    assert published(
        "SELECT max(rank_deso), max(rank_scb), bool_and(scb_index_note LIKE '%IntGr7Kom%'), "
        "count(DISTINCT deso_grid) FROM segregation_comparison WHERE year IN (2024, 2025)"
    ) == [(38, None, True, 2)]

    scb.requests.clear()
    second = ingest_scb()["batches"][0]
    assert second["status"] == "unchanged"
    assert not [r for r in scb.requests if "/data" in r]  # the table was not downloaded again


def test_regso_indices_appear_once_the_key_maps_the_deso(home, scb):
    from warehouse.db import open_work_db

    con = open_work_db(load_settings().work_db)
    desos = [f"1282C{1010 + 10 * i:04d}" for i in range(43)]
    con.execute(
        "INSERT INTO dim_area (area_code, area_level, grid_version, grid, area_name, municipality_code, "
        "regso_code) SELECT d, 'DeSO', 2018, 'DeSO2018', NULL, '1282', '1282R00' || (i % 3 + 1) "
        "FROM unnest(?) WITH ORDINALITY AS t(d, i)",
        [desos],
    ).fetchall()
    con.execute(
        "INSERT INTO dim_area (area_code, area_level, grid_version, grid, area_name, municipality_code, "
        "regso_code) VALUES ('1282R001', 'RegSO', 2020, 'RegSO2020', 'Centrum', '1282', '1282R001')"
    ).fetchall()
    con.close()
    table = scb.pxweb.tables["TAB6586"]
    honest = table.cells
    table.cells = lambda key: 7.0 if key == ("1282R002", "000008IU", "2020") else honest(key)
    ingest_scb(full=True)
    # the key file's RegSO name is kept, the others are named by the table; a type outside 1-5 is quarantined
    assert published(
        "SELECT area_code, area_name FROM dim_area WHERE area_code IN ('1282R001', '1282R002') ORDER BY 1"
    ) == [("1282R001", "Centrum"), ("1282R002", "Landskrona (område 2)")]
    assert published("SELECT count(*) FROM fct_area_type WHERE area_code = '1282R002' AND year = 2020") == [(0,)]
    assert published(
        "SELECT q.reason, q.record::VARCHAR LIKE '%1282R002%' FROM meta.quarantine q "
        "WHERE q.target_table = 'fct_area_type'"
    ) == [("områdestyp outside 1-5", True)]
    # RegSO indices on the key's grid (RegSO 2020, from DeSO 2018) only: 2023 is the last year all three tables use it
    assert published(
        "SELECT grouping, grid, areas FROM segregation_indices WHERE municipality_code = '1282' "
        "AND year = 2023 AND area_unit = 'RegSO' ORDER BY 1"
    ) == [
        ("birth_region", "RegSO2020", 3),
        ("foreign_vs_swedish_background", "RegSO2020", 3),
        ("low_vs_not_low_economic_standard", "RegSO2020", 3),
    ]
    assert published("SELECT count(*) FROM segregation_indices WHERE area_unit = 'RegSO' AND year = 2025") == [(0,)]


def test_scb_and_fohm_rebuild_offline_from_the_raw_archive(home, scb, monkeypatch, tmp_path):
    """`sydstat run --offline`: every PxWeb table comes back from its batch manifest and archived answers, no network,
    into the same rows."""
    import shutil

    from flows.fohm import ingest_fohm
    from flows.nightly import nightly

    monkeypatch.setenv("SYDSTAT_FOHM_URL", scb.fohm_url)
    ingest_scb()
    ingest_fohm()
    original = load_settings()
    queries = [
        "SELECT source, indicator_id, municipality_code, period, sex, value FROM fct_indicator_value ORDER BY ALL",
        "SELECT * EXCLUDE (load_id) FROM segregation_indices ORDER BY ALL",
        "SELECT area_code, year, sex, age_group, classification, population_group, persons "
        "FROM fct_area_population ORDER BY ALL",
    ]
    before = [published(q, db=original.published_db) for q in queries]

    rebuilt_home = tmp_path / "rebuilt"
    shutil.copytree(original.raw_dir, rebuilt_home / "raw")
    monkeypatch.setenv("SYDSTAT_HOME", str(rebuilt_home))
    for source in ("KOLADA", "SCB", "FOHM"):  # nothing upstream answers: the rebuild must not need it
        monkeypatch.setenv(f"SYDSTAT_{source}_URL", "http://127.0.0.1:9/unreachable")
    scb.requests.clear()
    with pytest.raises(RunIncomplete, match="1 failed: kolada"):  # kolada was never archived here
        nightly(offline=True)
    assert scb.requests == []
    assert [published(q) for q in queries] == before
    modes = published("SELECT source, mode, status FROM meta.load_batch ORDER BY load_id")
    assert ("scb", "offline", "loaded") in modes and ("fohm", "offline", "loaded") in modes


def test_population_totals_beyond_the_tolerance_fail_the_batch_and_load_nothing(home, scb):
    """A CKM total that misses its parts by more than cell-key noise can explain is an upstream error: the batch
    fails with the municipality, year, sex and the two figures, and no 2025 population row is loaded."""
    from warehouse.db import open_work_db

    table = scb.pxweb.tables["TAB6471"]
    honest = table.cells
    table.cells = lambda key: honest(key) + (500 if key[:3] == ("1282", "TotSA", "2") else 0)
    with pytest.raises(
        RunIncomplete,
        match=r"TAB6471: 2 totals miss the sum of their parts .* 1282 2025 K total: "
        r"Σ age_group = total",
    ):
        ingest_scb()
    con = open_work_db(load_settings().work_db)
    try:
        assert con.execute("SELECT count(*) FROM fct_population WHERE year = 2025").fetchall() == [(0,)]
        assert con.execute("SELECT count(*) FROM fct_population").fetchall()[0][0] > 0  # the classic table loaded
        failed = con.execute("SELECT message FROM meta.load_batch WHERE status = 'failed'").fetchall()
        assert len(failed) == 1 and "1282 2025 K total" in failed[0][0]
    finally:
        con.close()
