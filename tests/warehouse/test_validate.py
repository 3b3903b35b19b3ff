"""The GX gate: failing rows are quarantined with the expectation as the reason; critical failures reject."""

import pandas as pd
import pytest

from warehouse.validate import load_suite_json, validate_frame

PARAMS = {"known_municipality_codes": ["1280", "1281"], "known_indicator_ids": ["N03920", "N01951"], "max_year": 2027}


def frame(rows):
    cols = ["indicator_id", "municipality_code", "year", "sex", "value", "status", "is_deleted", "unit"]
    out = pd.DataFrame([dict(zip(cols, r, strict=True)) for r in rows], columns=cols).astype(
        {"year": "Int64", "value": "Float64"}
    )
    return out.assign(invalid_value=pd.array([False] * len(out), dtype="boolean"), period=out.year.astype("string"))


GOOD = [
    ("N03920", "1280", 2023, "T", 5.0, None, False, "percent"),
    ("N03920", "1281", 2023, "T", None, None, False, "percent"),
    ("N01951", "1280", 2023, "T", 350000.0, None, False, "count"),
    ("N03920", "1280", 2022, "K", 4.0, None, False, "percent"),
]


def test_clean_frame_passes(tmp_path):
    out = validate_frame("indicator_values", frame(GOOD), PARAMS, tmp_path)
    assert out.ok and len(out.valid) == 4 and out.quarantined.empty
    assert (tmp_path / "gx").is_dir() and out.docs_url and "data_docs" in out.docs_url


def test_survey_value_outside_its_confidence_interval_is_quarantined(tmp_path):
    survey = frame(GOOD[:1] * 3).assign(
        period=["2015-2018", "2016-2019", "2017-2020"],
        ci_low=pd.array([4.0, 5.5, None], dtype="Float64"),
        ci_high=pd.array([6.0, 7.0, None], dtype="Float64"),
    )
    out = validate_frame("indicator_values", survey, PARAMS, tmp_path)
    assert out.ok and out.valid.period.tolist() == ["2015-2018", "2017-2020"]  # a missing interval is not an error
    assert "ci_low" in out.quarantined.reason.iloc[0]  # the reason names the failed check


@pytest.mark.parametrize(
    "bad_row, reason",
    [
        (("N03920", "9999", 2023, "T", 5.0, None, False, "percent"), "municipality_code"),
        (("N03920", "1280", 2023, "X", 5.0, None, False, "percent"), "sex"),
        (("N03920", "1280", 2023, "M", 150.0, None, False, "percent"), "max_value=100"),
        (("N01951", "1280", 2023, "M", -3.0, None, False, "count"), "min_value=0"),
        (("N03920", "1280", 2099, "M", 5.0, None, False, "percent"), "column=year"),
        (("N99999", "1280", 2023, "M", 5.0, None, False, "percent"), "indicator_id"),
        (("N01951", "1280", 2023, "M", float("inf"), None, False, "count"), "max_value=1000000000000000.0"),
    ],
)
def test_bad_rows_are_quarantined_with_reason(tmp_path, bad_row, reason):
    out = validate_frame("indicator_values", frame(GOOD + [bad_row]), PARAMS, tmp_path)
    assert out.ok and len(out.valid) == 4 and len(out.quarantined) == 1
    assert reason in out.quarantined.reason.iloc[0]


def test_duplicates_at_the_grain_are_quarantined(tmp_path):
    out = validate_frame("indicator_values", frame(GOOD + [GOOD[0]]), PARAMS, tmp_path)
    assert len(out.quarantined) == 2 and "compound_columns_to_be_unique" in out.quarantined.reason.iloc[0]


def test_missing_column_is_critical(tmp_path):
    out = validate_frame("indicator_values", frame(GOOD).drop(columns=["unit"]), PARAMS, tmp_path)
    assert not out.ok and any("expect_table_columns_to_match_set" in f for f in out.critical_failures)


def test_mostly_bad_batch_is_rejected(tmp_path):
    bad = [("N03920", "9999", 2000 + i, "T", 1.0, None, False, "percent") for i in range(10)]
    out = validate_frame("indicator_values", frame(GOOD + bad), PARAMS, tmp_path)
    assert not out.ok and "more than 50%" in out.critical_failures[-1]


def test_suite_is_a_valid_gx_suite():
    import great_expectations as gx

    suite = gx.ExpectationSuite(**load_suite_json("indicator_values"))
    assert len(suite.expectations) >= 10
    assert all(e.meta.get("on_failure") in ("quarantine", "fail") for e in suite.expectations)


def test_large_frames_are_validated_in_chunks_with_the_same_verdicts(tmp_path, monkeypatch):
    """Chunks hold whole indicator groups: a duplicate pair is still caught, the quarantine fraction is overall."""
    import warehouse.validate as validation

    rows = [
        (k, m, y, "T", 1.0, None, False, "percent")
        for k in ("N03920", "N01951")
        for m in ("1280", "1281")
        for y in range(2010, 2020)
    ]
    rows += [rows[0], ("N03920", "9999", 2015, "T", 1.0, None, False, "percent")]
    whole = validate_frame("indicator_values", frame(rows), PARAMS, tmp_path)
    monkeypatch.setattr(validation, "CHUNK_ROWS", 15)
    assert len(validation._chunks(frame(rows), "indicator_id")) == 2
    chunked = validate_frame("indicator_values", frame(rows), PARAMS, tmp_path)
    assert chunked.ok == whole.ok and len(chunked.valid) == len(whole.valid) == 39
    assert sorted(chunked.quarantined.reason) == sorted(whole.quarantined.reason)
    assert len(chunked.quarantined) == 3  # the duplicate pair and the unknown municipality
