"""Kolada v3 client against the replay server: chunking, pagination, incremental, errors."""

from datetime import date

import pytest

from sources.http import HttpClient, UpstreamError
from sources.kolada import KoladaClient, chunks
from sydstat.demo.sample import SAMPLE_KPIS, region_municipalities

MUNIS = [m["municipality_code"] for m in region_municipalities()]


def test_chunks_are_balanced_and_at_most_25():
    assert [len(c) for c in chunks(MUNIS)] == [19, 19]
    assert [len(c) for c in chunks(list(range(25)))] == [25]
    assert [len(c) for c in chunks(list(range(51)))] == [17, 17, 17]
    assert chunks([]) == [] and chunks(["a", "a", "b"]) == [["a", "b"]]


def test_full_pull_follows_next_url_with_small_pages(replay):
    client = KoladaClient(replay.url, HttpClient("kolada"), per_page=500)
    pages = list(client.values(["N03920", "N02926"], MUNIS, range(2010, 2026)))
    records = sum(len(p.payload["values"]) for p in pages)
    assert records == 2 * 38 * 16
    assert replay.data_requests() == len(pages) == 4  # 2 municipality chunks × (500 + 108 records)


def test_request_count_is_the_minimum_at_max_page_size(replay):
    client = KoladaClient(replay.url, HttpClient("kolada"))
    pages = list(client.values(list(SAMPLE_KPIS), MUNIS, range(2010, 2026)))
    per_chunk_records = 25 * 19 * 16  # 7600 → 2 pages of ≤ 5000
    assert len(pages) == 4 and replay.data_requests() == 4
    assert sum(len(p.payload["values"]) for p in pages) == 2 * per_chunk_records


def test_all_municipalities_without_a_municipality_segment(replay):
    """`municipalities: all`: one path per KPI × year chunk (no municipality segment), pages filled to 5 000."""
    client = KoladaClient(replay.url, HttpClient("kolada"))
    pages = list(client.values(list(SAMPLE_KPIS), None, range(2010, 2026)))
    assert all("/municipality/" not in r for r in replay.requests if r.startswith("/v3/data/"))
    assert sum(len(p.payload["values"]) for p in pages) == 25 * 38 * 16
    assert replay.data_requests() == len(pages) == -(-25 * 38 * 16 // 5000)  # the minimum: 4
    replay.requests.clear()
    assert client.changed_since(list(SAMPLE_KPIS), None, range(2010, 2026), date(2026, 12, 1)) is False
    assert replay.data_requests() == 1  # one probe for 25 KPIs × every municipality


def test_incremental_from_date_returns_only_changes(replay):
    replay.dataset.set_value("N03920", "1280", 2024, "T", 12.3, updated=date(2026, 11, 1))
    replay.dataset.delete("N03920", "1281", 2024, updated=date(2026, 11, 1))
    client = KoladaClient(replay.url, HttpClient("kolada"))
    pages = list(client.values(["N03920"], MUNIS, [2024], from_date=date(2026, 10, 1)))
    records = [r for p in pages for r in p.payload["values"]]
    assert {(r["municipality"], r["values"][0]["isdeleted"]) for r in records} == {("1280", False), ("1281", True)}
    assert all("from_date=2026-10-01" in r for r in replay.requests if "/data/" in r)


def test_pagination_loop_is_detected(replay):
    replay.inject("loop", match="/data/", times=5)
    client = KoladaClient(replay.url, HttpClient("kolada"), per_page=10)
    with pytest.raises(UpstreamError, match="pagination loop"):
        list(client.values(["N03920"], ["1280"], range(2010, 2026)))


def test_not_an_envelope_is_an_error(replay):
    client = KoladaClient(replay.url + "/..", HttpClient("kolada", max_attempts=1))
    with pytest.raises(UpstreamError, match="HTTP 404"):
        client.kpis(["N03920"])


def test_kpi_metadata_chunked(replay):
    client = KoladaClient(replay.url, HttpClient("kolada"))
    ids = list(SAMPLE_KPIS) + [f"X{n:05d}" for n in range(10)]  # 35 ids → 2 requests
    pages = client.kpis(ids)
    assert len(pages) == 2
    assert {r["id"] for p in pages for r in p.payload["values"]} == set(SAMPLE_KPIS)


def test_a_next_url_on_another_host_is_never_followed(replay):
    replay.inject("foreign_next", match="/data/", times=5)
    client = KoladaClient(replay.url, HttpClient("kolada"))
    with pytest.raises(UpstreamError, match="next_url points at another origin.*evil.example"):
        list(client.values(["N03920"], ["1282"], [2024]))
    assert not [r for r in replay.requests if "page=2" in r]


def test_an_endless_next_url_chain_stops_at_what_the_request_can_match(replay):
    """Never-repeating next pages (issue 15 #4): the cap follows from kpi × municipality × year, not 10 000."""
    client = KoladaClient(replay.url, HttpClient("kolada"), per_page=500)
    replay.inject("endless", match="/v3/data/", times=10_000)
    with pytest.raises(UpstreamError, match="more than 2 pages"):
        list(client.values(["N03920"], MUNIS[:19], range(2010, 2026)))  # 1 × 19 × 16 = 304 records: 1 page + 1
    assert replay.data_requests() == 2
