"""PxWeb decoders on every real response in ../shared/reference/pxweb (skipped without ../shared)."""

import json

import pytest

from sources.pxweb import v1_variables, v2_variables
from tests.conftest import REFERENCE, requires_shared
from transforms.pxweb import jsonstat2_frame, v1_json_frame

pytestmark = requires_shared
PX = REFERENCE / "pxweb"


def load(path):
    return json.loads((PX / path).read_text(encoding="utf-8-sig"))  # v1 bodies carry a BOM


def test_jsonstat2_row_major_decode_of_tab6471():
    payload = load("scb_v2/pxwebpy_tests/TAB6471_data.json")
    frame = jsonstat2_frame(payload)
    assert len(frame) == 21 * 11 * 3 * 1 * 4
    assert frame.Tid.iloc[:4].tolist() == ["2026M01", "2026M02", "2026M03", "2026M04"]  # last dimension fastest
    assert frame.value.iloc[:5].tolist() == payload["value"][:5]
    assert {"10", "12"} <= set(frame.Region)
    assert frame[frame.Region == "10"].Region_label.iloc[0].startswith("Blekinge")
    # the cell at (Region 2, Alder 0, Kon 1, Contents 0, Tid 3) sits at the row-major offset
    sizes = payload["size"]
    offset = (((2 * sizes[1] + 0) * sizes[2] + 1) * sizes[3] + 0) * sizes[4] + 3
    row = frame.iloc[offset]
    region_codes = sorted(payload["dimension"]["Region"]["category"]["index"].items(), key=lambda kv: kv[1])
    assert row.Region == region_codes[2][0] and row.Tid == "2026M04" and row.value == payload["value"][offset]


def test_jsonstat2_single_cell_tab638():
    frame = jsonstat2_frame(load("scb_v2/TAB638_data-35e0e2-5aec69-POST_jsonstat2.json"))
    assert len(frame) == 1 and frame.Region.iloc[0] == "00"


def test_v1_json_and_metadata():
    frame = v1_json_frame(load("scb_v1/BefolkningNy-21059a-POST_sv_json.json"))
    assert frame.iloc[0].tolist()[:4] == ["OG", "2015", "BE0101N1", 5157443.0]
    variables = v1_variables(load("scb_v1/BefolkningNy_sv_metadata.json"))
    assert len(variables["Region"]["values"]) == 312 and {"1280", "1081"} <= set(variables["Region"]["values"])
    assert variables["ContentsCode"]["mandatory"] and not variables["Region"]["mandatory"]
    assert variables["Tid"]["time"]
    assert v1_json_frame(load("scb_v1/BefolkningNy-b4ec21-POST_en_json.json")).value.notna().all()
    assert len(v1_json_frame(load("scb_v1/ME0104T24-c9f73a-POST_sv_json.json"))) > 0


def test_v2_metadata_codelists():
    variables = v2_variables(load("scb_v2/pxwebpy_tests/TAB6471_metadata.json"))
    assert len(variables["Region"]["values"]) == 312 and "vs_CKM03Kommun" in variables["Region"]["codelists"]
    assert variables["Tid"]["time"]


def test_wrong_cube_size_is_an_error():
    payload = load("scb_v2/pxwebpy_tests/TAB6471_data.json")
    payload["value"] = payload["value"][:-1]
    with pytest.raises(ValueError, match="values for a cube"):
        jsonstat2_frame(payload)


def test_missing_symbols_become_null_with_status():
    payload = {
        "columns": [{"code": "Region", "type": "d"}, {"code": "Tid", "type": "t"}, {"code": "X", "type": "c"}],
        "data": [{"key": ["1280", "2024"], "values": [".."]}, {"key": ["1281", "2024"], "values": ["3.5"]}],
    }
    frame = v1_json_frame(payload)
    assert frame.value.isna().tolist() == [True, False] and frame.status.tolist()[0] == ".."
