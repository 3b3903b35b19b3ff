"""What the warehouse already knows, as the flows need it: the codes a batch is validated against, the names a
file is resolved against, the municipalities a plan asks for. Every read of the warehouse a flow makes is here, so
the flows hold no SQL."""

from __future__ import annotations

import duckdb
import pandas as pd

from core.region import region_municipalities
from warehouse.db import run_sql


def _column(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None) -> list:
    return [r[0] for r in run_sql(con, sql, params)]


def municipality_codes(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Every municipality (geo_level 'municipality'; not the counties and the nation survey tables add)."""
    return sorted(_column(con, "SELECT municipality_code FROM dim_municipality WHERE geo_level = 'municipality'"))


def geography_codes(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Every code a value may be reported for: municipalities, and the counties and nation of survey tables."""
    return _column(con, "SELECT municipality_code FROM dim_municipality")


def indicator_ids(con: duckdb.DuckDBPyConnection) -> list[str]:
    return _column(con, "SELECT indicator_id FROM dim_indicator")


def indicator_units(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    return dict(run_sql(con, "SELECT indicator_id, unit FROM dim_indicator"))


def age_groups(con: duckdb.DuckDBPyConnection, single_years: bool = False) -> list[str]:
    """Every age group, or (`single_years`) the single years and the total the municipal series is by."""
    if single_years:
        return _column(con, "SELECT age_group FROM dim_age_group WHERE band_set IN ('year', 'total')")
    return _column(con, "SELECT age_group FROM dim_age_group")


def population_groups(con: duckdb.DuckDBPyConnection, classification: str) -> list[str]:
    return _column(con, "SELECT population_group FROM dim_population_group WHERE classification = ?", [classification])


def deso_regso(con: duckdb.DuckDBPyConnection) -> dict[str, str | None]:
    """Every known DeSO → its RegSO (None when no key file has said)."""
    return dict(run_sql(con, "SELECT area_code, regso_code FROM dim_area WHERE area_level = 'DeSO'"))


def area_codes(con: duckdb.DuckDBPyConnection, level: str) -> set[str]:
    return set(_column(con, "SELECT area_code FROM dim_area WHERE area_level = ?", [level]))


def areas(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    return con.execute("SELECT * FROM dim_area").df()


def municipality_names(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Names to resolve against: dim_municipality (code, name, county, in_region), or the region's seed before any
    statistics were loaded."""
    frame = con.execute(
        "SELECT municipality_code, municipality_name, county_code, in_region "
        "FROM dim_municipality WHERE geo_level = 'municipality'"
    ).df()
    if frame.empty:
        seed = pd.DataFrame(region_municipalities())
        frame = seed.assign(in_region=True)[["municipality_code", "municipality_name", "county_code", "in_region"]]
    return frame
