"""Kolada transforms: pure functions, no network, no Prefect."""

import pandas as pd
import pytest

from transforms import kolada as tk


@pytest.mark.parametrize(
    "title, unit, label, discontinued",
    [
        ("Arbetslösa av befolkningen, 18-65 år, andel (%)", "percent", "andel (%)", None),
        ("Invånare totalt, antal", "count", "antal", None),
        ("Sammanräknad förvärvsinkomst i åldern 20-64 år (median), kr", "sek", "kr", None),
        ("Ohälsotal, dagar", "days", "dagar", None),
        ("Medellivslängd män, år", "years", "år", None),
        ("Personalkostnader, kr/inv", "sek_per_unit", "kr/inv", None),
        ("Anmälda brott, antal/1000 inv", "count_per_population", "antal/1000 inv", None),
        ("Arbetslöshet 16-24 år, årsmedelvärde, andel (%) av bef. (-2024)", "percent", "andel (%) av bef.", 2024),
        ("Sjukpenningtalet, 16–64 år, dagar/registrerad försäkrad", "days", "dagar/registrerad försäkrad", None),
        ("Titel utan enhet", "unknown", None, None),
    ],
)
def test_parse_title(title, unit, label, discontinued):
    assert tk.parse_title(title) == {"unit": unit, "unit_label": label, "discontinued_after": discontinued}


def test_values_frame_keeps_nulls_strings_and_deletions():
    pages = [
        {
            "values": [
                {
                    "kpi": "N03920",
                    "municipality": "0114",
                    "period": 2024,
                    "values": [
                        {"gender": "T", "count": 1, "status": "", "value": 7.3},
                        {"gender": "K", "count": 1, "status": "B", "value": None},
                    ],
                },
                {
                    "kpi": "N03920",
                    "municipality": "1280",
                    "period": 2023,
                    "values": [{"gender": "T", "value": 1.0, "isdeleted": True}],
                },
            ]
        }
    ]
    frame = tk.values_frame(pages, ["abc"])
    assert list(frame.municipality_code) == ["0114", "0114", "1280"]  # leading zero kept
    assert frame.year.tolist() == [2024, 2024, 2023]
    assert frame.value.isna().tolist() == [False, True, False]  # null stays NULL, never 0
    assert frame.status.tolist()[:2] == [pd.NA, "B"] or frame.status.isna().tolist()[:2] == [True, False]
    assert frame.is_deleted.tolist() == [False, False, True]
    assert set(frame.snapshot_id) == {"abc"}


def test_values_frame_empty_pages():
    frame = tk.values_frame([{"values": []}])
    assert frame.empty and list(frame.columns) == tk.VALUE_COLUMNS


def test_indicators_frame_uses_catalogue_and_title():
    kpis = [
        {
            "id": "N03920",
            "title": "Arbetslösa av befolkningen, 18-65 år, andel (%)",
            "description": "d",
            "is_divided_by_gender": True,
            "municipality_type": "A",
            "publ_period": "2026",
        },
        {
            "id": "N03921",
            "title": "Arbetslöshet 16-24 år, årsmedelvärde, andel (%) av bef. (-2024)",
            "is_divided_by_gender": "False",
            "publ_period": "",
        },
    ]
    frame = tk.indicators_frame(
        kpis, {"N03920": {"topic": "unemployment", "target_area": 3, "series_break": "18-64 till 2022"}}
    )
    first, second = frame.iloc[0], frame.iloc[1]
    assert (first.topic, first.unit, first.target_area, first.series_break_note) == (
        "unemployment",
        "percent",
        3,
        "18-64 till 2022",
    )
    assert bool(second.is_discontinued) and second.discontinued_after == 2024 and second.topic == "other"
    assert not bool(second.is_divided_by_sex) and pd.isna(second.last_published_period)


def test_conform_values_adds_period_unit_source():
    frame = tk.values_frame(
        [
            {
                "values": [
                    {"kpi": "N01951", "municipality": "1280", "period": 2020, "values": [{"gender": "T", "value": 1}]}
                ]
            }
        ]
    )
    out = tk.conform_values(frame, {"N01951": "count"})
    assert out.loc[0, "period"] == "2020" and out.loc[0, "unit"] == "count" and out.loc[0, "source"] == "kolada"


def test_municipalities_frame_flags_region_and_keeps_everyone():
    seed = pd.DataFrame(
        [{"municipality_code": "1280", "municipality_name": "Malmö", "county_code": "12", "kommungrupp": "Storstäder"}]
    )
    counties = pd.DataFrame(
        [{"county_code": "12", "county_name": "Skåne län"}, {"county_code": "07", "county_name": "Kronobergs län"}]
    )
    records = [
        {"id": "0000", "title": "Riket", "type": "L"},
        {"id": "0012", "title": "Region Skåne", "type": "L"},
        {"id": "1280", "title": "Malmö", "type": "K"},
        {"id": "0780", "title": "Växjö", "type": "K"},
    ]
    frame = tk.municipalities_frame(records, seed, counties)
    assert frame.municipality_code.tolist() == ["0780", "1280"]
    assert frame.in_region.tolist() == [False, True]
    assert frame.county_name.tolist() == ["Kronobergs län", "Skåne län"]
    assert frame.kommungrupp.isna().tolist() == [True, False]


def test_values_that_are_not_json_numbers_are_flagged_never_turned_into_numbers():
    """JSON `true` is not 1.0, the `NaN` literal is not a silent NULL, the string "12.5" is not 12.5: each is flagged
    (the suite quarantines it); a real null stays a plain NULL."""
    import json

    from transforms.kolada import values_frame

    page = json.loads(
        '{"values": [{"kpi": "N03920", "municipality": "1282", "period": 2024, "values": ['
        '{"gender": "T", "value": true}, {"gender": "K", "value": NaN}, {"gender": "M", "value": "12.5"}'
        ']}, {"kpi": "N03920", "municipality": "1280", "period": 2024, "values": ['
        '{"gender": "T", "value": 7}, {"gender": "K", "value": null}, {"gender": "M", "value": 6.5}]}]}'
    )
    frame = values_frame([page])
    assert frame.value.isna().tolist() == [True, True, True, False, True, False]
    assert frame.invalid_value.tolist() == [True, True, True, False, False, False]
    assert frame.value.dropna().tolist() == [7.0, 6.5]
