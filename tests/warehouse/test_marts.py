"""The analyst marts (schemas/marts/*.sql) on a small hand-made warehouse whose answers are worked out by hand.

Three region municipalities (Malmö, Lund, Karlshamn in Blekinge) and one outside the region (Växjö) carry values for an
unemployment indicator (higher is worse, series break 2023), a health indicator (higher is better) and a neutral one.
"""

import math

import pytest

from warehouse.db import open_work_db, run_sql

UNEMPLOYMENT = {  # (municipality, year) → (T, K, M)
    ("1280", 2018): (10.0, 11.0, 9.0),
    ("1280", 2022): (9.0, 10.0, 8.0),
    ("1280", 2023): (8.0, 9.0, 7.0),
    ("1281", 2018): (4.0, 4.0, 4.0),
    ("1281", 2022): (5.0, 6.0, 4.0),
    ("1281", 2023): (6.0, 7.0, 5.0),
    ("1082", 2022): (7.0, None, None),
    ("1082", 2023): (7.0, 6.0, 8.0),
    ("0780", 2023): (99.0, 99.0, 99.0),  # Växjö: outside the region, never in region figures
}
HEALTH = {("1280", 2023): 70.0, ("1281", 2023): 80.0, ("1082", 2023): 75.0}
NEUTRAL = {("1280", 2023): 1.0, ("1281", 2023): 2.0, ("1082", 2023): 3.0}


@pytest.fixture(scope="module")
def con(tmp_path_factory):
    con = open_work_db(tmp_path_factory.mktemp("marts") / "work.duckdb")
    run_sql(
        con,
        "INSERT OR REPLACE INTO dim_municipality "
        "VALUES ('0780', 'Växjö', '07', 'Kronobergs län', NULL, false, 'municipality')",
    )
    run_sql(con, "INSERT INTO dim_source (source, title, attribution) VALUES ('kolada', 'Kolada', 'Källa: Kolada')")
    run_sql(
        con,
        """INSERT INTO dim_indicator (indicator_id, source, source_indicator_id, title, unit, topic, theme,
                        target_area, direction, series_break_year, is_headline) VALUES
        ('U', 'kolada', 'U', 'Arbetslöshet', 'percent', 'unemployment', 'Arbete', 3, 'higher_is_worse', 2023, true),
        ('H', 'kolada', 'H', 'Bra hälsa', 'percent', 'public_health', 'Hälsa', 3, 'higher_is_better', NULL, true),
        ('X', 'kolada', 'X', 'Neutral', 'count', 'population', 'Befolkning', 3, 'neutral', NULL, false)""",
    )
    run_sql(
        con,
        "INSERT INTO dim_period SELECT y::VARCHAR, y, make_date(y, 1, 1), make_date(y, 12, 31), 'year' "
        "FROM range(2018, 2024) t(y)",
    )
    rows = []
    for (code, year), values in UNEMPLOYMENT.items():
        rows += [("U", code, str(year), sex, v) for sex, v in zip("TKM", values, strict=True)]
    rows += [("H", code, str(year), "T", v) for (code, year), v in HEALTH.items()]
    rows += [("X", code, str(year), "T", v) for (code, year), v in NEUTRAL.items()]
    con.executemany(
        "INSERT INTO fct_indicator_value BY NAME SELECT ? AS indicator_id, ? AS municipality_code, "
        "? AS period, ? AS sex, ? AS value, 'kolada' AS source, 1 AS load_id",
        rows,
    )
    run_sql(
        con,
        """INSERT INTO segregation_indices
                    (municipality_code, year, grouping, area_unit, dissimilarity, load_id) VALUES
                           ('1280', 2023, 'foreign_vs_swedish_background', 'DeSO', 0.40, 1),
                           ('1281', 2023, 'foreign_vs_swedish_background', 'DeSO', 0.20, 1),
                           ('1082', 2023, 'foreign_vs_swedish_background', 'DeSO', 0.30, 1)""",
    )
    yield con
    con.close()


def rows(con, sql: str, params: list | None = None) -> list[dict]:
    cursor = con.execute(sql, params or [])
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, r, strict=True)) for r in cursor.fetchall()]


def test_profile_latest_value_rank_averages_and_change(con):
    got = {
        r["municipality_code"]: r
        for r in rows(con, "SELECT * FROM municipality_profile WHERE indicator_id = 'U' AND sex = 'T'")
    }
    assert set(got) == {"1280", "1281", "1082"}  # Växjö is not in the region
    malmo = got["1280"]
    assert (malmo["year"], malmo["value"]) == (2023, 8.0)
    # higher is worse: Lund 6 best, Karlshamn 7, Malmö 8 worst
    assert [got[c]["rank_in_region"] for c in ("1281", "1082", "1280")] == [1, 2, 3]
    assert malmo["municipalities_ranked"] == 3
    assert malmo["region_average"] == pytest.approx(7.0)
    assert malmo["county_average"] == pytest.approx(7.0)  # Skåne: Malmö 8, Lund 6
    assert got["1082"]["county_average"] == pytest.approx(7.0)  # Blekinge: Karlshamn alone
    assert (malmo["value_5_years_earlier"], malmo["change_5_years"]) == (10.0, -2.0)
    assert malmo["change_crosses_series_break"] is True
    assert got["1082"]["value_5_years_earlier"] is None
    assert malmo["attribution"] == "Källa: Kolada"
    assert "sydstat" in malmo["derived_attribution"] and "Källa" not in malmo["derived_attribution"]


def test_profile_ranks_better_is_higher_and_neutral_highest_first(con):
    health = dict(
        con.execute(
            "SELECT municipality_code, rank_in_region FROM municipality_profile WHERE indicator_id = 'H'"
        ).fetchall()
    )
    assert health == {"1281": 1, "1082": 2, "1280": 3}
    neutral = dict(
        con.execute(
            "SELECT municipality_code, rank_in_region FROM municipality_profile WHERE indicator_id = 'X'"
        ).fetchall()
    )
    assert neutral == {"1082": 1, "1281": 2, "1280": 3}


def test_trends_flag_series_breaks_and_never_compare_across_them(con):
    got = {
        (r["municipality_code"], r["year"]): r
        for r in rows(con, "SELECT * FROM indicator_trends WHERE indicator_id = 'U' AND sex = 'T'")
    }
    assert ("0780", 2023) not in got
    assert got[("1280", 2023)]["is_series_break"] is True
    assert got[("1280", 2023)]["change_from_previous_year"] is None  # 2022 → 2023 crosses the break
    assert got[("1280", 2022)]["change_from_previous_year"] is None  # 2021 missing: no fake year-on-year change
    assert got[("1280", 2022)]["region_average"] == pytest.approx((9 + 5 + 7) / 3)
    assert got[("1280", 2022)]["county_average"] == pytest.approx(7.0)


def test_trends_answer_the_landskrona_question_shape(con):
    """One query gives a municipality's series for women and men beside the region's average."""
    got = con.execute(
        "SELECT year, sex, value, region_average FROM indicator_trends WHERE municipality_code = '1281' "
        "AND theme = 'Arbete' AND sex IN ('K', 'M') AND year >= 2010 ORDER BY sex, year"
    ).fetchall()
    assert got[0] == (2018, "K", 4.0, pytest.approx(7.5))
    assert [r[1] for r in got] == ["K"] * 3 + ["M"] * 3


def test_scorecard_z_scores_are_direction_aware(con):
    got = {(r["municipality_code"], r["indicator_id"]): r for r in rows(con, "SELECT * FROM theme_scorecard")}
    sd = math.sqrt(((8 - 7) ** 2 + (6 - 7) ** 2 + 0) / 3)
    assert got[("1280", "U")]["z_score"] == pytest.approx(1 / sd)
    assert got[("1280", "U")]["score"] == pytest.approx(-1 / sd)  # more unemployment = worse
    assert got[("1281", "H")]["score"] == pytest.approx(got[("1281", "H")]["z_score"])
    assert got[("1281", "H")]["score"] > 0  # more good health = better
    assert got[("1280", "X")]["score"] is None  # neutral: no verdict
    malmo = got[("1280", "U")]
    assert malmo["target_area_score"] == pytest.approx((-1 / sd + got[("1280", "H")]["score"]) / 2)
    assert malmo["target_area_scored_indicators"] == 2
    assert malmo["target_area_name"] == "Arbete, arbetsförhållanden och arbetsmiljö"
    assert ("0780", "U") not in got


def test_sex_gap_pairs_women_and_men(con):
    got = {(r["municipality_code"], r["year"]): r for r in rows(con, "SELECT * FROM sex_gap WHERE indicator_id = 'U'")}
    assert got[("1281", 2022)]["gap_women_minus_men"] == pytest.approx(2.0)
    assert got[("1281", 2022)]["ratio_women_to_men"] == pytest.approx(1.5)
    assert ("1082", 2022) not in got  # no sex breakdown that year: no gap invented
    assert got[("1082", 2023)]["gap_women_minus_men"] == pytest.approx(-2.0)


def test_structural_overview_side_by_side_with_correlations(con):
    got = {r["municipality_code"]: r for r in rows(con, "SELECT * FROM structural_overview WHERE year = 2023")}
    assert set(got) == {"1280", "1281", "1082"}
    assert (
        got["1280"]["unemployment_value"],
        got["1280"]["public_health_value"],
        got["1280"]["dissimilarity_deso"],
    ) == (8.0, 70.0, 0.40)
    # unemployment 8, 6, 7 vs dissimilarity 0.4, 0.2, 0.3: perfectly correlated; vs health 70, 80, 75: perfectly opposed
    assert got["1281"]["corr_unemployment_dissimilarity"] == pytest.approx(1.0)
    assert got["1281"]["corr_unemployment_public_health"] == pytest.approx(-1.0)
    assert got["1281"]["local_projects"] == 0
