"""Checks against REAL reference data in ../shared/reference (skipped when ../shared is absent)."""

import csv
import re

import pandas as pd
import pytest
import yaml

from core.config import SCHEMAS_DIR
from tests.conftest import REFERENCE, requires_shared
from transforms import kolada as tk

pytestmark = requires_shared


def _csv(path):
    with open(path, encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture(scope="module")
def catalogue():
    return _csv(REFERENCE / "kolada" / "kolada_v3_kpi_catalogue.csv")


def test_every_percent_title_parses_as_percent(catalogue):
    shares = [k for k in catalogue if re.search(r", andel \(%\)( \(-\d{4}\))?$", k["title"])]
    assert len(shares) > 2000
    assert {tk.parse_title(k["title"])["unit"] for k in shares} == {"percent"}


def test_unit_parsing_covers_most_of_the_real_catalogue(catalogue):
    units = pd.Series([tk.parse_title(k["title"])["unit"] for k in catalogue])
    assert len(units) == 6099
    assert (units.isin(["other", "unknown"])).mean() < 0.13, units.value_counts().to_dict()


def test_discontinued_detection_matches_empty_publication_period(catalogue):
    flagged = [k for k in catalogue if tk.parse_title(k["title"])["discontinued_after"]]
    assert len(flagged) >= 400
    assert sum(1 for k in flagged if not k["publ_period"]) / len(flagged) > 0.95


def test_selection_units_match_the_reference_parse():
    for row in _csv(REFERENCE / "kolada" / "kpi_selection.csv"):
        assert tk.parse_title(row["title"])["unit_label"] == row["unit_from_title_suffix"], row["id"]


def test_catalogue_yaml_kpis_exist_and_are_current(catalogue):
    real = {k["id"]: k for k in catalogue}
    ours = yaml.safe_load((SCHEMAS_DIR / "catalog" / "kolada.yaml").read_text())["kpis"]
    assert len(ours) >= 15
    assert {k["topic"] for k in ours} >= {"unemployment", "segregation", "public_health", "income", "education"}
    for kpi in ours:
        assert kpi["id"] in real, kpi["id"]
        assert not tk.parse_title(real[kpi["id"]]["title"])["discontinued_after"], kpi["id"]


def test_catalogue_titles_are_the_real_titles(catalogue):
    from core.catalog import load_catalog

    real = {k["id"]: k for k in catalogue}
    for kpi in load_catalog("kolada")["kpis"]:
        assert kpi["title"] == real[kpi["id"]]["title"], kpi["id"]


def test_sample_titles_are_the_real_titles(catalogue):
    from sydstat.demo.sample import SAMPLE_KPIS

    real = {k["id"]: k for k in catalogue}
    for kpi_id, spec in SAMPLE_KPIS.items():
        assert spec[0] == real[kpi_id]["title"], kpi_id
        assert spec[1] == (real[kpi_id]["is_divided_by_gender"] == "True"), kpi_id


def _default_region() -> pd.DataFrame:
    seed = pd.read_csv(SCHEMAS_DIR / "seed" / "municipalities.csv", dtype=str)
    return seed[seed.county_code.isin(["10", "12"])]


def test_region_seed_matches_reference_lists():
    seed = _default_region()
    ref = pd.read_csv(REFERENCE / "municipalities" / "sydsverige_38.csv", dtype=str)
    assert len(seed) == 38 and seed.municipality_code.str.fullmatch(r"\d{4}").all()
    assert set(seed.county_code) == {"10", "12"}
    merged = seed.merge(ref, left_on="municipality_code", right_on="kommunkod", validate="1:1")
    assert (merged.municipality_name == merged.kommun_namn_scb).all()
    assert (merged.kommungrupp == merged.kommungrupp_skr).all()
    everyone = pd.read_csv(REFERENCE / "municipalities" / "municipality_county.csv", dtype=str)
    in_counties = everyone[everyone.county_code.isin(["10", "12"])]
    assert set(in_counties.municipality_code) == set(seed.municipality_code)


def test_kommungrupp_matches_kolada_municipality_groups():
    groups = pd.read_csv(REFERENCE / "kolada" / "kolada_v3_municipality_groups_long.csv", dtype=str)
    seed = pd.read_csv(SCHEMAS_DIR / "seed" / "municipalities.csv", dtype=str)  # all 290
    skr = groups[
        groups.group_id.isin([f"G9278{n}" for n in range(6, 10)] + ["G92790", "G92791", "G92792", "G92793", "G92794"])
    ]
    for row in seed.itertuples():
        titles = set(skr[skr.member_id == row.municipality_code].group_title)
        assert any(row.kommungrupp in t for t in titles), (row.municipality_code, titles)


def test_counties_seed_matches_reference():
    seed = pd.read_csv(SCHEMAS_DIR / "seed" / "counties.csv", dtype=str)
    ref = pd.read_csv(REFERENCE / "municipalities" / "counties.csv", dtype=str)
    assert seed.set_index("county_code").county_name.to_dict() == ref.set_index("county_code").county_name.to_dict()


def test_real_municipality_list_builds_dim_municipality():
    records = _csv(REFERENCE / "kolada" / "kolada_v3_municipality.csv")
    seed = _default_region()
    counties = pd.read_csv(SCHEMAS_DIR / "seed" / "counties.csv", dtype=str)
    frame = tk.municipalities_frame(records, seed, counties)
    assert len(frame) == 290 and frame.in_region.sum() == 38
    assert frame.county_name.notna().all() and frame.municipality_code.is_unique
