"""The fake upstream itself must speak Kolada v3 faithfully, or the client tests prove nothing."""

import requests


def test_envelope_and_pagination(replay):
    url = f"{replay.url}/data/kpi/N03920/municipality/1280,1281/year/2020,2021,2022"
    first = requests.get(url, params={"per_page": 4}, timeout=5).json()
    assert set(first) >= {"values", "count", "next_url", "previous_url"}
    assert first["count"] == 4 and first["previous_url"] is None and first["next_url"]
    second = requests.get(first["next_url"], timeout=5).json()
    assert second["count"] == 2 and second["next_url"] is None and second["previous_url"]
    record = first["values"][0]
    assert record["kpi"] == "N03920" and isinstance(record["period"], int) and record["municipality"] == "1280"
    assert {v["gender"] for v in record["values"]} == {"T", "K", "M"}


def test_more_than_25_ids_is_400_and_unknown_path_404(replay):
    ids = ",".join(f"N{n:05d}" for n in range(26))
    assert requests.get(f"{replay.url}/kpi/{ids}", timeout=5).status_code == 400
    assert requests.get(f"{replay.url}/nope", timeout=5).status_code == 404


def test_unknown_kpi_gives_empty_values_not_404(replay):
    resp = requests.get(f"{replay.url}/data/kpi/X99999/municipality/1280/year/2020", timeout=5)
    assert resp.status_code == 200 and resp.json()["values"] == []


def test_from_date_returns_changes_with_isdeleted(replay):
    from datetime import date

    replay.dataset.delete("N03920", "1280", 2020, updated=date(2026, 6, 1))
    replay.dataset.set_value("N03920", "1281", 2020, "T", 9.9, updated=date(2026, 6, 2))
    url = f"{replay.url}/data/kpi/N03920/municipality/1280,1281/year/2020"
    changed = requests.get(url, params={"from_date": "2026-05-01"}, timeout=5).json()["values"]
    flags = {(r["municipality"], v["isdeleted"]) for r in changed for v in r["values"]}
    assert flags == {("1280", True), ("1281", False)}
    full = requests.get(url, timeout=5).json()["values"]
    assert [r["municipality"] for r in full] == ["1281"]  # a deleted value is gone from full answers
