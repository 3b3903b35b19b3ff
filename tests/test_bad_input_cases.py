"""Every kind of bad input we defend against, in one table, with the outcome each must have.

Outcomes: `recovered` (bounded retries, then the right data), `error` (UpstreamError / refusal naming source, URL or
file and the reason; nothing loaded), `quarantined` (the row goes to meta.quarantine with the failed expectation as the
reason, the rest loads), `rejected` (the whole batch fails cleanly), `loaded` (harmless: extra fields are ignored).
Flow-level consequences (other sources still load, exit code, nothing half-written) are tested in tests/flows and
tests/test_crash_safety.py; this file pins the per-case behaviour of the component that meets the input first.
"""

from __future__ import annotations

import errno
import json

import pandas as pd
import pytest

from core.config import HomeNotWritable, ensure_home_writable
from sources.http import HttpClient, UpstreamError
from sources.kolada import KoladaClient
from sources.registers import UnreadableFile, read_register_file
from transforms import kolada as tk
from warehouse.validate import validate_frame

# ------------------------------------------------------------------------------------------------ upstream cases
# (case, fault kwargs for ReplayServer.inject, outcome, text the error must contain)
UPSTREAM_CASES = [
    ("429 with Retry-After", {"kind": "status", "status": 429, "retry_after": "0"}, "recovered", None),
    ("429 without Retry-After", {"kind": "status", "status": 429}, "recovered", None),
    ("500 burst", {"kind": "status", "status": 500, "times": 2}, "recovered", None),
    ("502 burst", {"kind": "status", "status": 502, "times": 2}, "recovered", None),
    ("503 burst", {"kind": "status", "status": 503, "times": 3}, "recovered", None),
    ("connection reset", {"kind": "reset"}, "recovered", None),
    ("timeout", {"kind": "delay", "seconds": 2.5}, "recovered", None),
    ("truncated body", {"kind": "truncate"}, "recovered", None),
    ("invalid JSON", {"kind": "invalid_json"}, "recovered", None),
    ("HTML error page with 200", {"kind": "html", "times": 99}, "error", "kolada"),
    ("persistent 503", {"kind": "status", "status": 503, "times": 99}, "error", "503"),
    ("rate-limit exhaustion (429 forever)", {"kind": "status", "status": 429, "times": 99}, "error", "429"),
    ("pagination loop", {"kind": "loop", "times": 99}, "error", "pagination loop"),
    (
        "schema drift: renamed field",
        {"kind": "drift", "drift": "rename"},
        "error",
        "schema drift: records lack municipality",
    ),
    (
        "schema drift: missing field",
        {"kind": "drift", "drift": "missing"},
        "error",
        "schema drift: records lack period",
    ),
    ("schema drift: extra fields", {"kind": "drift", "drift": "extra"}, "loaded", None),
]


@pytest.mark.parametrize("case, fault, outcome, message", UPSTREAM_CASES, ids=[c[0] for c in UPSTREAM_CASES])
def test_upstream_case(replay, case, fault, outcome, message):
    replay.inject(match="/v3/data/", **fault)
    client = KoladaClient(replay.url, HttpClient("kolada", max_attempts=4, timeout=(2.0, 2.0)), per_page=5000)
    pull = lambda: list(client.values(["N03920"], ["1280", "1282"], [2023, 2024]))  # noqa: E731
    if outcome == "error":
        with pytest.raises(UpstreamError) as caught:
            pull()
        assert message in str(caught.value) and replay.url.split("/v3")[0] in str(caught.value)
        assert len(replay.data_requests() and replay.requests) <= 4 + 1  # bounded: never an endless retry loop
        return
    pages = pull()
    frame = tk.values_frame([p.payload for p in pages])
    assert len(frame) == 2 * 2 * 3 and frame.municipality_code.notna().all()  # every value, none lost


def test_new_sex_code_is_quarantined_not_loaded(replay, tmp_path):
    """Drift inside a known field (a sex code Kolada never used) passes the client and stops at validation."""
    replay.inject(kind="drift", drift="new_code", match="/v3/data/")
    client = KoladaClient(replay.url, HttpClient("kolada"), per_page=5000)
    frame = tk.conform_values(
        tk.values_frame([p.payload for p in client.values(["N03920"], ["1280"], [2024])]), {"N03920": "percent"}
    )
    out = validate_frame("indicator_values", frame, PARAMS, tmp_path)
    assert len(out.valid) == 2 and len(out.quarantined) == 1 and "column=sex" in out.quarantined.reason.iloc[0]


# ---------------------------------------------------------------------------------------------------- data cases
PARAMS = {"known_municipality_codes": ["1280", "1282"], "known_indicator_ids": ["N03920", "N01951"], "max_year": 2027}
GOOD = {
    "indicator_id": "N03920",
    "municipality_code": "1280",
    "year": 2024,
    "sex": "T",
    "value": 5.0,
    "invalid_value": False,
    "status": None,
    "is_deleted": False,
    "unit": "percent",
}
# (case, changes to one good row, outcome, text of the reason)
DATA_CASES = [
    ("unknown municipality code", {"municipality_code": "9999"}, "quarantined", "municipality_code"),
    ("municipality code as integer (lost zero)", {"municipality_code": "114"}, "quarantined", "municipality_code"),
    ("unknown indicator", {"indicator_id": "X00000"}, "quarantined", "indicator_id"),
    ("new sex code", {"sex": "X"}, "quarantined", "column=sex"),
    ("negative count", {"indicator_id": "N01951", "unit": "count", "value": -3.0}, "quarantined", "min_value=0"),
    ("share above 100 %", {"value": 150.0}, "quarantined", "max_value=100"),
    ("year far in the future", {"year": 2099}, "quarantined", "column=year"),
    ("year missing", {"year": None}, "quarantined", "column=year"),
    ("value +inf", {"indicator_id": "N01951", "unit": "count", "value": float("inf")}, "quarantined", "max_value"),
    ("value not a number ('5,3')", {"value": None, "invalid_value": True}, "quarantined", "invalid_value"),
    ("value NaN from upstream", {"value": float("nan")}, "loaded", None),  # NaN is read as missing: NULL, never 0
    ("missing value (null)", {"value": None}, "loaded", None),
    ("duplicate at the grain", "duplicate", "quarantined", "compound_columns_to_be_unique"),
    ("a required column missing", "drop_unit", "rejected", "expect_table_columns_to_match_set"),
    ("more than half the batch bad", "mostly_bad", "rejected", "more than 50%"),
]


def _frame(rows: list[dict]) -> pd.DataFrame:
    frame = pd.DataFrame(rows).astype(
        {"year": "Int64", "value": "Float64", "invalid_value": "boolean", "is_deleted": "boolean", "status": "string"}
    )
    return frame.assign(period=frame.year.astype("string"))  # the period is the year, as Kolada's transform makes it


@pytest.mark.parametrize("case, change, outcome, reason", DATA_CASES, ids=[c[0] for c in DATA_CASES])
def test_data_case(tmp_path, case, change, outcome, reason):
    others = [{**GOOD, "municipality_code": "1282", "year": y} for y in (2020, 2021, 2022)]
    if change == "duplicate":
        rows = others + [GOOD, GOOD]
    elif change == "mostly_bad":
        rows = others[:1] + [{**GOOD, "municipality_code": "9999", "year": y} for y in range(2010, 2016)]
    else:
        rows = others + [{**GOOD, **(change if isinstance(change, dict) else {})}]
    frame = _frame(rows)
    if change == "drop_unit":
        frame = frame.drop(columns=["unit"])
    out = validate_frame("indicator_values", frame, PARAMS, tmp_path)
    if outcome == "rejected":
        assert not out.ok and any(reason in f for f in out.critical_failures)
    elif outcome == "quarantined":
        assert out.ok and len(out.quarantined) >= 1 and reason in " ".join(out.quarantined.reason)
        assert len(out.valid) + len(out.quarantined) == len(frame)  # nothing silently dropped
    else:
        assert out.ok and len(out.valid) == len(frame) and out.quarantined.empty


def test_a_value_that_is_not_a_number_is_flagged_not_nulled():
    page = {
        "values": [
            {
                "kpi": "N03920",
                "municipality": "1280",
                "period": 2024,
                "values": [
                    {"gender": "T", "value": "5,3"},
                    {"gender": "K", "value": None},
                    {"gender": "M", "value": 4.5},
                ],
            }
        ]
    }
    frame = tk.values_frame([page])
    assert frame.invalid_value.tolist() == [True, False, False]
    assert frame.value.isna().tolist() == [True, True, False]


# ---------------------------------------------------------------------------------------------------- file cases
FILE_CASES = [
    ("empty file", b"", "the file is empty"),
    ("only whitespace", b"  \n\n", "the file is empty"),
    ("truncated JSON", b'[{"Projektnamn": "x", ', "JSON"),
    ("an .xlsx that is an HTML page", b"<html><body>Logga in</body></html>", "xlsx"),
    ("unknown columns", b"Namn;Telefon\nAnna;0701234567\n", "columns"),
    ("binary garbage", bytes(range(256)) * 4, ""),
]


@pytest.mark.parametrize("case, content, message", FILE_CASES, ids=[c[0] for c in FILE_CASES])
def test_file_case(tmp_path, case, content, message):
    suffix = ".xlsx" if "xlsx" in case else ".json" if "JSON" in case else ".csv"
    path = tmp_path / f"export{suffix}"
    path.write_bytes(content)
    with pytest.raises(UnreadableFile) as caught:
        read_register_file(path)
    assert message.lower() in str(caught.value).lower()
    assert "0701234567" not in str(caught.value)  # a refusal never echoes personal data


def test_mixed_encodings_are_read_not_mangled(tmp_path):
    """Windows-1252 exports (what Excel writes) decode; the same text in UTF-8 with BOM too."""
    header = "Ärendeid;Projektnamn;Projektägare;Organisationsnummer;Beviljat ESF-stöd;Kommun\n"
    row = "2023-1;Östra Göinges lärande;Föreningen Å;8020001234;100 000;Östra Göinge\n"
    for encoding in ("cp1252", "utf-8-sig"):
        path = tmp_path / f"esf-{encoding}.csv"
        path.write_bytes((header + row).encode(encoding))
        try:
            file = read_register_file(path)
        except UnreadableFile as exc:  # columns not recognised: still must not be mojibake in the message
            assert "Ã" not in str(exc)
            continue
        assert "Östra Göinge" in json.dumps(file.records, ensure_ascii=False)


# ------------------------------------------------------------------------------------------------- SYDSTAT_HOME
def test_home_that_is_not_a_directory_gives_a_clear_error(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.raises(HomeNotWritable, match=r"SYDSTAT_HOME .*file/home is not writable: Not a directory"):
        ensure_home_writable(blocker / "home")


def test_full_disk_gives_a_clear_error(tmp_path, monkeypatch):
    def no_space(fd):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr("os.fsync", no_space)
    with pytest.raises(HomeNotWritable, match="No space left on device"):
        ensure_home_writable(tmp_path / "home")
    assert not any((tmp_path / "home").iterdir())  # the probe is cleaned up


def test_run_refuses_an_unwritable_home_before_doing_anything(tmp_path, monkeypatch, capsys):
    from sydstat.cli import main

    blocker = tmp_path / "file"
    blocker.write_text("x")
    monkeypatch.setenv("SYDSTAT_HOME", str(blocker / "home"))
    assert main(["ingest", str(tmp_path / "file")]) == 1
    assert "is not writable: Not a directory" in capsys.readouterr().err
