"""What the report shows, read from the published warehouse's marts (never the work DB, never the raw tables).

Every frame keeps its `attribution` so each chart can credit its sources; averages, ranks and gaps are sydstat's.
Marts degrade gracefully: a source that is not loaded gives an empty frame and the page says so.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd

from warehouse.db import connect_readonly

HEADLINE_TOPICS = ["unemployment", "public_health", "income", "education", "segregation"]
TOPIC_LABELS = {
    "unemployment": "Arbetslöshet",
    "public_health": "Hälsa",
    "income": "Inkomst",
    "education": "Utbildning",
    "segregation": "Utländsk bakgrund",
    "population": "Befolkning",
}


@dataclass
class ReportData:
    municipalities: pd.DataFrame  # code, name, county, SKR kommungrupp
    headlines: pd.DataFrame  # the headline indicators (id, title, topic, unit, direction)
    trends: pd.DataFrame  # indicator_trends for the headline indicators
    profile: pd.DataFrame  # municipality_profile, every indicator, sex T
    grounds: pd.DataFrame  # discrimination_grounds: what the warehouse covers per ground
    sex_gap: pd.DataFrame  # sex_gap, latest year per indicator and municipality
    segregation: pd.DataFrame  # segregation_trends (DeSO, foreign vs Swedish background, grid; + economic)
    area_types: pd.DataFrame  # area_type_summary
    projects: pd.DataFrame  # projects touching each municipality
    synthetic_sources: list[str]  # names of sources whose loaded data is the synthetic demo sample
    generated_from: str  # the published DB's path


def _frame(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None) -> pd.DataFrame:
    return con.execute(sql, params or []).df()


def load_report_data(db: Path) -> ReportData:
    con = connect_readonly(db)
    try:
        headlines = _frame(
            con,
            """
            SELECT indicator_id, title, topic, unit, direction FROM dim_indicator
            WHERE is_headline AND topic IN (SELECT unnest(?::VARCHAR[]))
              AND indicator_id IN (SELECT DISTINCT indicator_id FROM fct_indicator_value)
            ORDER BY list_position(?::VARCHAR[], topic)""",
            [HEADLINE_TOPICS, HEADLINE_TOPICS],
        )
        ids = list(headlines.indicator_id)
        return ReportData(
            municipalities=_frame(
                con,
                """SELECT municipality_code, municipality_name, county_code, county_name,
                                                 kommungrupp
                                          FROM dim_municipality WHERE in_region ORDER BY municipality_name""",
            ),
            headlines=headlines,
            trends=_frame(
                con,
                """SELECT municipality_code, county_name, indicator_id, sex, year, value, county_average,
                                         region_average, is_series_break, attribution
                                  FROM indicator_trends WHERE indicator_id IN (SELECT unnest(?::VARCHAR[]))
                                  ORDER BY indicator_id, municipality_code, sex, year""",
                [ids],
            ),
            profile=_frame(
                con,
                """SELECT * FROM municipality_profile WHERE sex = 'T'
                                   ORDER BY municipality_code, topic, indicator_id""",
            ),
            sex_gap=_frame(
                con,
                """SELECT * FROM sex_gap WHERE in_region AND unit = 'percent'
                                   QUALIFY year = max(year) OVER (PARTITION BY indicator_id, municipality_code)
                                   ORDER BY municipality_code, indicator_id""",
            ),
            segregation=_frame(
                con,
                """SELECT s.municipality_code, s.year, s.grid, s.is_grid_break, s.dissimilarity,
                                              s.isolation, s.areas, s.population, e.dissimilarity AS d_economic,
                                              e.grid AS grid_economic,
                                              (SELECT string_agg(DISTINCT attribution, '; ') FROM dim_source
                                               WHERE source IN (SELECT DISTINCT source FROM fct_area_population))
                                              AS attribution
                                       FROM segregation_trends s
                                       LEFT JOIN segregation_indices e ON e.municipality_code = s.municipality_code
                                            AND e.year = s.year AND e.area_unit = 'DeSO'
                                            AND e.grouping = 'low_vs_not_low_economic_standard'
                                       WHERE s.grouping = 'foreign_vs_swedish_background' AND s.area_unit = 'DeSO'
                                       ORDER BY s.municipality_code, s.year""",
            ),
            area_types=_frame(con, "SELECT * FROM area_type_summary ORDER BY municipality_code, year, area_type"),
            grounds=_frame(con, "SELECT * FROM discrimination_grounds ORDER BY ground_order"),
            projects=_frame(
                con,
                """SELECT pm.municipality_code, p.register, p.project_id, p.name, p.owner_name,
                                           p.start_date, p.end_date, p.total_budget_sek, pm.coverage, p.is_synthetic,
                                           s.attribution
                                    FROM project_municipalities pm JOIN projects p USING (register, project_id)
                                    LEFT JOIN dim_source s ON s.source = p.register
                                    ORDER BY pm.municipality_code, p.start_date DESC NULLS LAST, p.name""",
            ),
            synthetic_sources=[
                t
                for (t,) in con.execute(
                    "SELECT DISTINCT replace(attribution, 'Källa: ', '') FROM dim_source WHERE is_synthetic ORDER BY 1"
                ).fetchall()
            ],
            generated_from=str(db),
        )
    finally:
        con.close()


def attribution_text(attributions) -> str:
    """'Källa: Kolada; bearbetning: sydstat' — sources credited for their values, sydstat for what it derived."""
    names = sorted({a for a in attributions if isinstance(a, str) and a})
    return "; ".join(names + ["bearbetning: sydstat"]) if names else "Bearbetning: sydstat"
