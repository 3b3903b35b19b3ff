"""The region is configuration (issue 14): `[region]` in sydstat.toml, `SYDSTAT_REGION`, the default Skåne and
Blekinge; the municipalities come from the checked-in seed of all 290, which matches the real reference lists."""

import csv

import pytest

from core.config import load_settings
from core.region import all_municipalities, counties, region
from tests.conftest import REFERENCE, requires_shared


def test_the_default_is_the_38_of_skane_and_blekinge(monkeypatch):
    monkeypatch.delenv("SYDSTAT_REGION", raising=False)
    r = region()
    assert r.counties == ("10", "12") and r.name == "Skåne och Blekinge" and len(r.municipality_codes) == 38


def test_environment_wins_over_the_config_file(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "sydstat.toml").write_text('[region]\ncounties = ["13"]\nname = "Halland"\n', encoding="utf-8")
    monkeypatch.delenv("SYDSTAT_REGION", raising=False)
    assert (region().counties, region().name, len(region().municipalities)) == (("13",), "Halland", 6)
    monkeypatch.setenv("SYDSTAT_REGION", "17,13")
    assert region().counties == ("13", "17") and region().name == "Hallands län och Värmlands län"
    monkeypatch.setenv("SYDSTAT_REGION", "all")
    assert region().counties is None and len(region().municipalities) == 290 and region().name == "Sverige"


@pytest.mark.parametrize("bad", ["123", "Skåne", "12,x", "99", ""])
def test_a_region_that_is_not_county_codes_is_refused_with_the_reason(monkeypatch, bad):
    monkeypatch.setenv("SYDSTAT_REGION", bad)
    with pytest.raises(ValueError, match="region: "):
        region(load_settings())


def test_a_new_region_is_a_new_scope(monkeypatch):
    monkeypatch.setenv("SYDSTAT_REGION", "13")
    halland = region().fingerprint
    monkeypatch.setenv("SYDSTAT_REGION", "10,12")
    assert region().fingerprint != halland


@requires_shared
def test_the_seed_is_the_real_list_of_290_municipalities_and_21_counties():
    with (REFERENCE / "municipalities" / "municipalities.csv").open(encoding="utf-8") as fh:
        real = {r["municipality_code"]: (r["municipality_name_short"], r["county_code"]) for r in csv.DictReader(fh)}
    assert {m["municipality_code"]: (m["municipality_name"], m["county_code"]) for m in all_municipalities()} == real
    assert len(counties()) == 21 and all(m["kommungrupp"] for m in all_municipalities())


def test_the_demo_sample_follows_the_region(monkeypatch):
    """`SYDSTAT_REGION=13 sydstat demo` serves a synthetic Halland: its 6 municipalities in every replay."""
    from sydstat.demo import sample
    from sydstat.demo.pxweb import FohmDataset, PxDataset

    monkeypatch.setenv("SYDSTAT_REGION", "13")
    records = sample.municipality_records()
    assert [r["id"] for r in records if r["type"] == "K"] == ["1315", "1380", "1381", "1382", "1383", "1384"]
    assert {r["id"]: r["title"] for r in records if r["type"] == "L"} == {"0000": "Riket", "0013": "Region Halland"}
    assert {d[:4] for d in PxDataset().regions} == {"1315", "1380", "1381", "1382", "1383", "1384"}
    assert {k[0] for k in sample.generate_values()} >= {"N03920"}
    assert set(FohmDataset().tables["A_Folkhalsodata/B_HLV/dPsykhals/hlv1psyxreg.px"].variables["Region"]) == {
        "00",
        "13",
    }


def test_a_bad_region_is_a_one_line_usage_error_at_the_command_line(monkeypatch, capsys, home):
    from sydstat.cli import main

    monkeypatch.setenv("SYDSTAT_REGION", "Skåne")
    assert main(["status"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("sydstat: error: region: county codes are two digits") and err.count("\n") == 1
