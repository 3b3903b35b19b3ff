"""SCB area files: the real DeSO→RegSO key and RegSO area-type export (skipped without ../shared), and a newer
export labelled by RegSO code."""

import pandas as pd
import pytest

from sources.files import sniff
from tests.conftest import REFERENCE, requires_shared
from transforms import areas

SEG = REFERENCE / "segregation"


@requires_shared
def test_real_key_and_area_types_resolve_completely():
    key_text = (SEG / "koppling-deso2018-regso2020.csv").read_text(encoding="utf-8")
    types_text = (SEG / "regso_socioekonomisk_index_2022.csv").read_text(encoding="utf-8")
    assert sniff(key_text) == "deso_regso_key" and sniff(types_text) == "regso_area_types"
    dim = areas.parse_key(key_text)
    assert (dim.area_level == "DeSO").sum() == 5984  # all DeSO 2018 and (dim.area_level == "RegSO").sum() == 3363
    assert dim.area_code.is_unique and dim[dim.area_level == "DeSO"].area_code.str.fullmatch(areas.DESO.pattern).all()
    types = areas.parse_area_types(types_text)
    assert len(types) == 3363 and set(types.year) == {2022} and set(types.area_type) == {1, 2, 3, 4, 5}
    assert (types.municipality_name == "Malmö").sum() == 91
    assert not types.apply(lambda r: "Forsberg" in str(r.values), axis=1).any()  # footnotes (a contact) not read
    municipalities = areas.municipalities_from_key(
        key_text, {"1280"}, pd.DataFrame({"county_code": ["12"], "county_name": ["Skåne län"]})
    )
    assert len(municipalities) == 290
    resolved, unresolved = areas.resolve_area_types(types, dim, municipalities)
    assert len(resolved) == 3363 and unresolved.empty


def test_newer_export_labelled_by_code():
    text = "\ufeff,2023,2024\n0114R001 Bollstanäs,4,4\n0114R002 Hammarby-Vaxmyra,3,\n,\nFotnot med 070-123 45 67\n"
    types = areas.parse_area_types(text)
    assert types.regso_code.tolist() == ["0114R001", "0114R001", "0114R002", "0114R002"]
    assert types.area_type.tolist()[:3] == [4, 4, 3] and pd.isna(types.area_type.iloc[3])


def test_unexpected_label_is_a_clear_error():
    with pytest.raises(ValueError, match="unexpected row label"):
        areas.parse_area_types(",2022\nBara ett namn,3\n")
    assert sniff("a,b,c\n1,2,3\n") is None
