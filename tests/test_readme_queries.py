"""Every example query in the README runs against the demo's warehouse and returns what its comment promises
(issue 18): each query has a check here, keyed by the first words of its comment, and a query without one fails."""

import re
from pathlib import Path

import duckdb
import pytest

pytestmark = pytest.mark.integration
README = Path(__file__).resolve().parents[1] / "README.md"


def readme_queries() -> list[tuple[str, str]]:
    """(comment, SQL) for each query of the README's ```sql block."""
    block = re.search(r"Example queries.*?```sql\n(.*?)```", README.read_text(encoding="utf-8"), re.S).group(1)
    queries = []
    for chunk in block.strip().split("\n\n"):
        lines = chunk.strip().splitlines()
        comment = " ".join(line[2:].strip() for line in lines if line.startswith("--"))
        queries.append((comment, "\n".join(line for line in lines if not line.startswith("--"))))
    return queries


def rows_of(result) -> list[dict]:
    columns = [c[0] for c in result.description]
    return [dict(zip(columns, r, strict=True)) for r in result.fetchall()]


def unique(rows, *keys) -> bool:
    return len({tuple(r[k] for k in keys) for r in rows}) == len(rows)


CHECKS = {
    # one indicator per theme: one row per theme × sex × year, women and men only
    "How did unemployment": lambda rows: (
        unique(rows, "theme", "sex", "year")
        and {r["sex"] for r in rows} == {"K", "M"}
        and len({r["theme"] for r in rows}) == 2
    ),
    "Landskrona's profile": lambda rows: (
        all(r["rank_in_region"] is None or r["rank_in_region"] <= r["municipalities_ranked"] for r in rows)
        and len(rows) >= 10
    ),
    "Scorecard per målområde": lambda rows: unique(rows, "municipality_name", "target_area"),
    "Do unemployment and segregation": lambda rows: (
        unique(rows, "year")
        and all(r["r_unemployment_segregation"] is None or -1 <= r["r_unemployment_segregation"] <= 1 for r in rows)
    ),
    "Largest gaps between women": lambda rows: (
        len(rows) == 10
        and [abs(r["gap_women_minus_men"]) for r in rows]
        == sorted((abs(r["gap_women_minus_men"]) for r in rows), reverse=True)
    ),
    "Latest self-rated health": lambda rows: (
        unique(rows, "municipality_name") and len(rows) == 38 and all(r["attribution"] == "Källa: Kolada" for r in rows)
    ),
    "Self-rated health in Skåne": lambda rows: (
        all(r["ci_low"] <= r["value"] <= r["ci_high"] for r in rows)
        and {r["municipality_name"] for r in rows} >= {"Skåne län", "Blekinge län"}
    ),
    "Landskrona's age structure": lambda rows: (
        min(r["year"] for r in rows) == 2022 and any(r["is_series_break"] for r in rows if r["year"] == 2025)
    ),
    "Segregation (DeSO-based) in 2023": lambda rows: (
        {r["grid"] for r in rows} == {"DeSO2018"}
        and {r["grouping"] for r in rows} == {"foreign_vs_swedish_background", "low_vs_not_low_economic_standard"}
    ),
    "Landskrona's segregation over time": lambda rows: (
        any(r["is_grid_break"] for r in rows) and all(r["change"] is None for r in rows if r["is_grid_break"])
    ),
    "Landskrona's DeSO": lambda rows: (
        len(rows) > 5 and all(r["regso_name"] for r in rows) and all(r["area_type"] in (1, 2, 3, 4, 5) for r in rows)
    ),
    "Our two DeSO-based indices": lambda rows: (
        [r["rank_deso"] for r in rows] == sorted(r["rank_deso"] for r in rows)
        and all(r["scb_index_note"] for r in rows)
    ),
    "Malmö's RegSO": lambda rows: (
        len({r["year"] for r in rows}) == 1 and {r["area_type"] for r in rows} <= {1, 2, 3, 4, 5}
    ),
    "Which projects": lambda rows: rows and all(str(r["end_date"]) >= "2015-01-01" for r in rows),
    "Which grounds of discrimination": lambda rows: (
        len(rows) == 7
        and {r["ground"] for r in rows if r["covered"]} == {"kön", "ålder", "etnisk tillhörighet"}
        and all(r["gap_note"] for r in rows if not r["covered"])
    ),
    "What did the last runs do?": lambda rows: 0 < len(rows) <= 10,
    "Why was something quarantined?": lambda rows: isinstance(rows, list),  # the demo quarantines nothing
}


def test_every_readme_query_returns_what_it_promises(demo_home):
    queries = readme_queries()
    assert len(queries) >= 15
    con = duckdb.connect(str(demo_home / "warehouse.duckdb"), read_only=True)
    try:
        for comment, sql in queries:
            check = next((f for start, f in CHECKS.items() if comment.startswith(start)), None)
            assert check is not None, f"no check for the README query {comment!r}"
            rows = rows_of(con.execute(sql))
            assert rows or comment.startswith("Why was something quarantined"), f"no rows: {comment}"
            assert check(rows), f"the README query does not return what it promises: {comment}\n{rows[:3]}"
    finally:
        con.close()
