"""Survey tables: measures pivoted beside the value, pooled periods kept as spans, county codes widened. Pure."""

import pandas as pd
import pytest

from core.catalog import load_catalog
from transforms.pxweb_indicators import values_frame

HEALTH = next(t for t in load_catalog("fohm")["tables"] if t["path"].endswith("hlv1allmxreg.px"))


def cells(measures: dict[str, float | None], region="12", period="2019-2022") -> pd.DataFrame:
    rows = [
        {
            "Region": region,
            "Hälsotillstånd": "7",
            "Hälsotillstånd_label": "Bra eller mycket bra hälsa",
            "Andel och konfidensintervall": code,
            "Andel och konfidensintervall_label": label,
            "Kön": "01",
            "År": period,
            "value": value,
            "status": ".." if value is None else None,
        }
        for code, (label, value) in measures.items()
    ]
    return pd.DataFrame(rows).astype({"value": "Float64", "status": "string"})


def test_share_interval_and_answers_become_one_row_with_the_span_as_period():
    frame = cells(
        {
            "01": ("Andel", 70.2),
            "02": ("Konfidensintervall nedre gräns", 68.9),
            "03": ("Konfidensintervall övre gräns", 71.5),
            "04": ("Antal svar", 4500.0),
        }
    )
    out = values_frame(frame, HEALTH, "fohm")
    assert len(out) == 1
    row = out.iloc[0]
    assert (row.indicator_id, row.municipality_code, row.sex) == ("fohm:hlv_bra_halsa", "0012", "K")
    assert (row.period, row.year) == ("2019-2022", 2022)  # the span is kept; year is its last year
    assert (row.value, row.ci_low, row.ci_high, row.respondents) == (70.2, 68.9, 71.5, 4500)


def test_a_suppressed_share_stays_null_with_its_symbol():
    frame = cells(
        {
            "01": ("Andel", None),
            "02": ("Konfidensintervall nedre gräns", None),
            "03": ("Konfidensintervall övre gräns", None),
            "04": ("Antal svar", 40.0),
        },
        region="00",
    )
    row = values_frame(frame, HEALTH, "fohm").iloc[0]
    assert pd.isna(row.value) and row.status == ".." and row.municipality_code == "0000" and row.respondents == 40


def test_an_unknown_measure_is_refused_by_name():
    frame = cells({"01": ("Andel", 70.2), "05": ("Medelvärde", 3.1)})
    with pytest.raises(ValueError, match=r"measures not in the catalogue: \['05'\]"):
        values_frame(frame, HEALTH, "fohm")
