"""Every answer recorded from the live APIs (../shared/reference/real_responses/, skipped without ../shared) goes
through the decoders and rules the pipeline uses: the evidence that the grids, totals and tolerances are right, not
our replay's idea of them."""

import json

import pandas as pd
import pytest

from tests.conftest import REFERENCE, requires_shared
from transforms import kolada as tk
from transforms import totals as tt
from transforms.areas import grid_of
from transforms.pxweb import jsonstat2_frame
from transforms.scb import _conformed, drop_off_grid, region_deso_codes

REAL = REFERENCE / "real_responses"
pytestmark = requires_shared


def load(name: str):
    return json.loads((REAL / name).read_text(encoding="utf-8-sig"))  # the recording added a BOM


def recorded(prefix: str) -> list[str]:
    return sorted(p.name for p in REAL.glob(f"{prefix}*.json")) if REAL.is_dir() else []


@pytest.mark.parametrize("name", [n for n in recorded("") if not n.startswith("kolada_")])
def test_every_recorded_scb_answer_decodes_cell_for_cell(name):
    payload = load(name)
    cells = jsonstat2_frame(payload)
    assert len(cells) == len(payload["value"]) and [c for c in cells.columns if c in payload["id"]] == payload["id"]
    assert cells["value"].notna().sum() == sum(v is not None for v in payload["value"])


@pytest.mark.parametrize("name", recorded("kolada_"))
def test_every_recorded_kolada_answer_flattens_with_its_whole_history(name):
    payload = load(name)
    values = tk.values_frame([payload])
    assert len(values) == sum(len(r["values"]) for r in payload["values"])
    assert values.municipality_code.str.len().eq(4).all() and not values.invalid_value.any()
    # no year segment: every year Kolada has (N00097 and N03002 from 1998), all of it kept
    assert (values.year.min(), values.year.max()) == (
        min(r["period"] for r in payload["values"]),
        max(r["period"] for r in payload["values"]),
    )


def _age_table() -> dict:
    """TAB6574 (population per DeSO/RegSO by age and sex) as a catalogue entry would declare it."""
    return {
        "id": "TAB6574",
        "columns": {"Region": "area_code", "Alder": "age_group", "Kon": "sex", "Tid": "year"},
        "codes": {"Kon": {"1": "M", "2": "K"}},
        "totals": {"Alder": "totalt", "Kon": "1+2"},
    }


def _conform(cells: pd.DataFrame) -> pd.DataFrame:
    table = _age_table()
    table["codes"]["Alder"] = {a: a for a in cells.Alder.unique() if a != "totalt"}
    return _conformed(cells, table).assign(persons=cells["value"].round().astype("Int64"))


def test_real_tab6574_carries_both_grids_and_the_old_one_is_zero_in_2025():
    cells = jsonstat2_frame(load("omraden_befolkning.json"))
    grids = grid_of(cells.Region.drop_duplicates())
    assert grids.value_counts(dropna=False).to_dict() == {
        "DeSO2025": 57,
        "DeSO2018": 53,
        "RegSO2020": 31,
        "RegSO2025": 31,
        pd.NA: 1,
    }  # + the municipality
    in_use, off_grid = drop_off_grid(cells)
    assert off_grid == (53 + 31) * 18  # every DeSO 2018 and RegSO 2020 cell: 0 in 2025, not data
    assert set(grid_of(in_use.Region).dropna()) == {"DeSO2025", "RegSO2025"}
    assert len(region_deso_codes(list(in_use.Region.unique()), {"1780"})) == 57


def test_real_totals_add_up_exactly_before_2025_and_within_the_ckm_tolerance_from_it():
    """Kon 1+2 and Alder 'totalt' are SCB's published totals: the sum of the parts matches them exactly up to 2024,
    and from 2025 (cell-key noise) only within the catalogue's tolerance — on a municipality and on its DeSO."""
    from core.catalog import load_catalog

    ckm = load_catalog("scb")["load"]["ckm"]
    keys = ["area_code", "year", "sex", "age_group"]
    for name in ("folkmangd_alder.json", "omraden_befolkning.json"):
        cells, _ = drop_off_grid(jsonstat2_frame(load(name)))
        frame = _conform(cells)
        exact = tt.sum_violations(frame, keys, {"age_group": "total", "sex": "T"})
        assert len(exact) > 0 and set(exact.year) == {2025}, name  # noise from 2025 only
        assert tt.sum_violations(
            frame, keys, {"age_group": "total", "sex": "T"}, ckm["sum_tolerance"], ckm["from_year"]
        ).empty, name


def test_a_code_neither_mapped_nor_declared_as_total_fails_naming_it():
    cells = jsonstat2_frame(load("folkmangd_alder.json"))
    table = _age_table()
    table["codes"]["Alder"] = {"-4": "0-4"}
    with pytest.raises(ValueError, match=r"neither mapped nor declared as totals.*'age_group': \['10-14'"):
        _conformed(cells, table)
