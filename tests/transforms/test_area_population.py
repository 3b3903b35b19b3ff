"""SCB area tables → fct_area_population rows: groups derived from a published share, groups named by label, sex
and classification totals, and segregation that leaves areas with a suppressed group out."""

import itertools

import pandas as pd
import pytest

from core.catalog import load_catalog
from sources.pxweb import table_selection
from transforms.pxweb import jsonstat2_frame
from transforms.scb import area_population, segregation


def cube(dims: dict[str, dict[str, str]], value) -> pd.DataFrame:
    """A json-stat2 answer for `dims` ({variable: {code: label}}) with value(key) per cell, decoded as the flow does."""
    keys = list(itertools.product(*dims.values()))
    values = [value(k) for k in keys]
    payload = {
        "id": list(dims),
        "size": [len(v) for v in dims.values()],
        "dimension": {d: {"category": {"index": {c: i for i, c in enumerate(v)}, "label": v}} for d, v in dims.items()},
        "value": values,
        "status": {str(i): ".." for i, v in enumerate(values) if v is None},
    }
    return jsonstat2_frame(payload)


def catalogue_table(table_id: str) -> dict:
    return next(t for t in load_catalog("scb")["tables"] if t["id"] == table_id)


def row(frame: pd.DataFrame, **where) -> pd.Series:
    match = frame
    for column, wanted in where.items():
        match = match[match[column] == wanted]
    assert len(match) == 1, where
    return match.iloc[0]


def test_low_economic_standard_is_derived_from_the_published_share_and_adds_up():
    shares = {"1280C1010": 12.3, "1280C1020": None}  # the second DeSO's share is suppressed
    frame = cube(
        {
            "Region": {d: d for d in shares},
            "ContentsCode": {"000008AC": "Låg ekonomisk standard, procent", "X": "antal personer totalt"},
            "Tid": {"2023": "2023"},
        },
        lambda k: 1001.0 if k[1] == "X" else shares[k[0]],
    )
    out = area_population(frame, catalogue_table("TAB6685"))
    assert set(out.classification) == {"economic_standard"}
    assert set(out.sex) == {"T"} and set(out.age_group) == {"total"}
    first = {r.population_group: r.persons for r in out[out.area_code == "1280C1010"].itertuples()}
    assert first == {"låg ekonomisk standard": 123, "ej låg ekonomisk standard": 878, "total": 1001}
    suppressed = out[out.area_code == "1280C1020"].set_index("population_group").persons
    assert suppressed["total"] == 1001 and suppressed.drop("total").isna().all()  # kept, as unknown, not 0


def test_a_share_above_100_percent_fails_the_table_and_names_the_cell():
    frame = cube(
        {
            "Region": {"1280C1010": "1280C1010"},
            "ContentsCode": {"000008AC": "låg", "X": "Antal personer totalt"},
            "Tid": {"2023": "2023"},
        },
        lambda k: 1000.0 if k[1] == "X" else 112.5,
    )
    with pytest.raises(ValueError, match=r"TAB6685: 1 shares outside 0-100 % \(000008AC\): 1280C1010 2023: 112.5"):
        area_population(frame, catalogue_table("TAB6685"))


def test_labour_market_status_named_by_code_and_label_with_sex_and_status_totals():
    counts = {
        ("0000089X", "1"): 700,
        ("0000089X", "2"): 650,
        ("A", "1"): 50,
        ("A", "2"): 40,
        ("U", "1"): 250,
        ("U", "2"): 310,
    }
    frame = cube(
        {
            "Region": {"1280C1010": "1280C1010"},
            "Kon": {"1": "män", "2": "kvinnor"},
            "Alder": {"20-64": "20-64 år"},
            "ContentsCode": {
                "0000089X": "antal sysselsatta",
                "A": "Antal arbetslösa",
                "U": "antal personer utanför arbetskraften",
            },
            "Tid": {"2022": "2022"},
        },
        lambda k: float(counts[(k[3], k[1])]),
    )
    out = area_population(frame, catalogue_table("TAB6680"))
    assert set(out.age_group) == {"20-64"} and set(out.classification) == {"labour_market_status"}
    assert row(out, sex="T", population_group="sysselsatt").persons == 1350
    assert row(out, sex="K", population_group="arbetslös").persons == 40
    assert row(out, sex="T", population_group="total").persons == 2000
    assert row(out, sex="M", population_group="total").persons == 1000


def test_an_unmapped_category_is_refused_by_name():
    frame = cube(
        {
            "Region": {"1280C1010": "1280C1010"},
            "UtbildningsNiva": {"21": "förgymnasial", "7": "forskare"},
            "ContentsCode": {"000005MO": "Befolkning"},
            "Tid": {"2020": "2020"},
        },
        lambda k: 5.0,
    )
    with pytest.raises(
        ValueError,
        match=r"TAB5956: codes neither mapped nor declared as totals in the catalogue: "
        r"\{'population_group': \['7'\]\}",
    ):
        area_population(frame, catalogue_table("TAB5956"))


def test_segregation_leaves_an_area_with_a_suppressed_group_out_whole():
    rows = [
        ("1280C1010", "låg", 50),
        ("1280C1010", "ej låg", 50),
        ("1280C1020", "låg", 10),
        ("1280C1020", "ej låg", 90),
        ("1280C1030", "låg", None),
        ("1280C1030", "ej låg", 900),
    ]
    population = pd.DataFrame(rows, columns=["area_code", "population_group", "persons"]).assign(
        year=2023, sex="T", persons=lambda f: f.persons.astype("Int64")
    )
    out = segregation(population, {"grouping": "g", "group_a": "låg"}).iloc[0]
    assert out.areas == 2 and out.population == 200
    assert out.dissimilarity == pytest.approx(0.5 * (abs(50 / 60 - 50 / 140) + abs(10 / 60 - 90 / 140)))


def test_measures_are_chosen_by_label_whatever_the_capitalisation():
    variables = {
        "Region": {"values": ["1280C1010", "1280"], "texts": ["1280C1010", "Malmö"], "time": False},
        "Kon": {"values": ["1", "2", "1+2"], "texts": ["män", "kvinnor", "totalt"], "time": False},
        "Alder": {"values": ["16-64", "20-64"], "texts": ["16-64 år", "20-64 år"], "time": False},
        "ContentsCode": {
            "values": ["0000089X", "A", "B", "U", "0000089Y"],
            "texts": [
                "antal sysselsatta",
                "Antal Arbetslösa",
                "antal sysselsatta och arbetslösa (arbetskraften)",
                "antal personer utanför arbetskraften",
                "antal totalt",
            ],
            "time": False,
        },
        "Tid": {"values": ["2019", "2020", "2024"], "texts": ["2019", "2020", "2024"], "time": True},
    }
    selection = table_selection(variables, catalogue_table("TAB6680"), lambda codes: codes[:1], 2015)
    assert selection == {
        "Region": ["1280C1010"],
        "Kon": ["1", "2", "1+2"],
        "Alder": ["20-64"],
        "ContentsCode": ["0000089X", "A", "U", "0000089Y"],
        "Tid": ["2019", "2020", "2024"],
    }


def test_area_types_read_either_regso_code_form_and_set_impossible_types_aside():
    from transforms.scb import area_types

    frame = cube(
        {
            "Region": {
                "RegSO1280001": "RegSO-Almvik norr-Lindängen norr",
                "1280R002": "1280R002 Centrum",
                "1280R003": "Hyllie",
            },
            "ContentsCode": {"A": "Områdestyp", "B": "Socioekonomiskt index"},
            "Tid": {"2022": "2022"},
        },
        lambda k: {("RegSO1280001", "A"): 1.0, ("1280R002", "A"): 2.5, ("1280R003", "A"): None}.get(k[:2], 55.0),
    )
    types, regso, rejected = area_types(frame, catalogue_table("TAB6586"))
    assert types.astype(object).where(types.notna(), None).values.tolist() == [
        ["1280R001", "RegSO2020", 2022, 1],
        ["1280R003", "RegSO2020", 2022, None],
    ]
    assert rejected[["area_code", "socioeconomic_area_type", "reason"]].values.tolist() == [
        ["1280R002", 2.5, "områdestyp outside 1-5"]
    ]
    assert dict(zip(regso.area_code, regso.area_name, strict=True)) == {
        "1280R001": "RegSO-Almvik norr-Lindängen norr",
        "1280R002": "Centrum",
        "1280R003": "Hyllie",
    }
    assert set(regso.municipality_code) == {"1280"} and (regso.regso_code == regso.area_code).all()


def test_a_renamed_measure_is_refused_by_name_instead_of_silently_dropping_a_part():
    variables = {
        "Region": {"values": ["1280C1010"], "texts": ["1280C1010"], "time": False},
        "Kon": {"values": ["1", "2"], "texts": ["män", "kvinnor"], "time": False},
        "Alder": {"values": ["20-64"], "texts": ["20-64 år"], "time": False},
        "ContentsCode": {
            "values": ["0000089X", "A", "U", "0000089Y"],
            "texts": [
                "antal sysselsatta",
                "antal registrerat arbetslösa",
                "antal personer utanför arbetskraften",
                "antal totalt",
            ],
            "time": False,
        },
        "Tid": {"values": ["2022"], "texts": ["2022"], "time": True},
    }
    with pytest.raises(
        ValueError,
        match=r"TAB6680: ContentsCode has no value with code or label "
        r"\['antal arbetslösa'\]; it offers .*antal registrerat arbetslösa",
    ):
        table_selection(variables, catalogue_table("TAB6680"), lambda codes: codes, 2015)
