"""Population by age: the selection the catalogue makes from the real TAB6471 metadata, the frame, and the
sum-of-parts check with SCB's real cell-key noise (../shared/reference/pxweb)."""

import json

import pandas as pd
import pytest

from core.catalog import load_catalog
from flows.scb import _region_choice
from sources.pxweb import table_selection, v2_variables
from tests.conftest import REFERENCE, requires_shared
from transforms.population import population_frame, sum_violations
from transforms.pxweb import jsonstat2_frame

PX = REFERENCE / "pxweb" / "scb_v2"


def catalogue(table_id: str) -> dict:
    return next(t for t in load_catalog("scb")["tables"] if t["id"] == table_id)


@requires_shared
def test_ckm_selection_from_the_real_metadata_asks_single_years_and_totals_for_31_december():
    variables = v2_variables(json.loads((PX / "pxwebpy_tests" / "TAB6471_metadata.json").read_text()))
    table = catalogue("TAB6471")
    selection = table_selection(variables, table, _region_choice(table), first_year=2015)
    assert selection["Tid"] == ["2025M12"]  # the metadata runs 2025M01-2026M04; only December is a year's figure
    assert len(selection["Alder"]) == 102 and "TotSA" in selection["Alder"] and "100+" in selection["Alder"]
    assert not [a for a in selection["Alder"] if "-" in a or a in ("100+5", "100+10")]  # no double-counting bands
    assert selection["Kon"] == ["TotSa", "1", "2"]
    assert len(selection["Region"]) == 38 and "12" not in selection["Region"]  # the 38, every one in the real list


@requires_shared
def test_real_ckm_totals_differ_from_their_parts_within_the_catalogue_tolerance():
    cells = jsonstat2_frame(json.loads((PX / "pxwebpy_tests" / "TAB6471_data.json").read_text()))
    cells = cells[cells.Tid == "2026M01"]
    table = {
        **catalogue("TAB6471"),
        "columns": {"Region": "municipality_code", "Alder": "age_group", "Kon": "sex", "Tid": "year"},
    }
    frame = population_frame(cells, table)
    exact = sum_violations(frame, {"absolute": 0})
    assert len(exact) > 100  # SCB's noise: K + M ≠ TotSa in most cells (e.g. Skåne 0-9: 71 472 + 67 728 ≠ 139 198)
    assert sum_violations(frame, table["sum_tolerance"]).empty


def test_classic_frame_adds_the_sex_total_and_the_check_is_exact():
    table = catalogue("TAB638")
    cells = pd.DataFrame(
        {
            "Region": ["1282"] * 6,
            "Alder": ["0", "1", "tot"] * 2,
            "Kon": ["1"] * 3 + ["2"] * 3,
            "Tid": ["2024"] * 6,
            "value": [10.0, 12.0, 22.0, 9.0, 11.0, 20.0],
        }
    )
    frame = population_frame(cells, table)
    t = frame[frame.sex == "T"].set_index("age_group").persons.to_dict()
    assert t == {"0": 19, "1": 23, "total": 42}
    assert set(frame.source_table) == {"TAB638"} and not frame.ckm_noise.any()
    assert sum_violations(frame, table["sum_tolerance"]).empty
    broken = frame.copy()
    broken.loc[(broken.sex == "K") & (broken.age_group == "total"), "persons"] = 21  # SCB's total ≠ Σ ages
    bad = sum_violations(broken, table["sum_tolerance"])
    assert bad[["sex", "age_group", "total", "parts_sum", "check"]].values.tolist() == [
        ["K", "total", 21, 20, "Σ age_group = total"],
        ["T", "total", 42, 43, "Σ sex = T"],
    ]


def test_tolerance_grows_with_the_square_root_of_the_number_of_parts():
    ages = [str(a) for a in range(100)]
    frame = pd.DataFrame(
        {
            "municipality_code": "1282",
            "year": 2025,
            "sex": "K",
            "age_group": [*ages, "total"],
            "persons": pd.array([100] * 100 + [100 * 100 + 99], dtype="Int64"),
        }
    )
    assert sum_violations(frame, {"absolute": 10}).empty  # 99 ≤ 10 × √100
    frame.loc[frame.age_group == "total", "persons"] = 100 * 100 + 101
    assert len(sum_violations(frame, {"absolute": 10})) == 1


def test_unknown_sex_code_is_refused_with_the_codes():
    cells = pd.DataFrame({"Region": ["1282"], "Alder": ["0"], "Kon": ["9"], "Tid": ["2024"], "value": [1.0]})
    with pytest.raises(ValueError, match=r"sex codes not in the catalogue: \['9'\]"):
        population_frame(cells, catalogue("TAB638"))
