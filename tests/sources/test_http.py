"""The shared HTTP layer: bounded retries, Retry-After, clear errors, archiving before parsing."""

import pytest

from sources.http import HttpClient, RateLimiter, UpstreamError
from sources.snapshots import SnapshotArchive


def client(tmp_path=None, **kwargs):
    http = HttpClient("kolada", SnapshotArchive(tmp_path) if tmp_path else None, **kwargs)
    http.waits = []
    http.sleep = http.waits.append
    return http


def test_retries_5xx_burst_then_succeeds(replay, tmp_path):
    replay.inject("status", match="/municipality", status=503, times=2)
    replay.inject("status", match="/municipality", status=502, times=1)
    http = client(tmp_path)
    payload, snap = http.get_json(f"{replay.url}/municipality")
    assert len(payload["values"]) == 41
    assert http.requests_made == 4 and len(http.waits) == 3
    assert SnapshotArchive(tmp_path).read("kolada", snap.snapshot_id).startswith(b"{")


def test_429_honours_retry_after(replay):
    replay.inject("status", match="/kpi", status=429, retry_after="7", times=1)
    http = client()
    http.get_json(f"{replay.url}/kpi")
    assert http.waits == [7.0]


def test_429_with_unreasonable_retry_after_fails_fast(replay):
    replay.inject("status", match="/kpi", status=429, retry_after="86400", times=1)
    with pytest.raises(UpstreamError, match="wait 86400s"):
        client().get_json(f"{replay.url}/kpi")


def test_persistent_500_is_bounded_and_names_source_url_reason(replay):
    replay.inject("status", match="/kpi", status=500, times=99)
    http = client(max_attempts=3)
    with pytest.raises(UpstreamError) as err:
        http.get_json(f"{replay.url}/kpi")
    assert http.requests_made == 3
    assert "kolada" in str(err.value) and "HTTP 500 after 3 attempts" in str(err.value) and "/kpi" in str(err.value)


@pytest.mark.integration  # slow (a replay round trip of seconds): not in `make check`
@pytest.mark.parametrize("kind", ["invalid_json", "html", "truncate", "reset"])
def test_broken_bodies_are_retried_then_succeed(replay, kind, tmp_path):
    replay.inject(kind, match="/municipality", times=1)
    http = client(tmp_path)
    payload, _ = http.get_json(f"{replay.url}/municipality")
    assert payload["count"] == 41 and http.requests_made == 2


def test_html_page_with_200_never_parses_as_data(replay):
    replay.inject("html", match="/municipality", times=10)
    with pytest.raises(UpstreamError, match="unparseable body .text/html"):
        client(max_attempts=2).get_json(f"{replay.url}/municipality")


def test_timeout_is_retried(replay):
    replay.inject("delay", match="/municipality", seconds=1.0, times=1)
    http = client(timeout=(0.5, 0.3))
    payload, _ = http.get_json(f"{replay.url}/municipality")
    assert payload["count"] == 41 and http.requests_made == 2


def test_404_is_not_retried(replay):
    http = client()
    with pytest.raises(UpstreamError, match="HTTP 404"):
        http.get_json(f"{replay.url}/no/such/path")
    assert http.requests_made == 1


def test_rate_limiter_spaces_requests():
    import time

    limiter = RateLimiter(rate=50)
    start = time.monotonic()
    for _ in range(6):
        limiter.wait()
    assert time.monotonic() - start >= 5 / 50 * 0.9


def test_snapshots_are_content_addressed_and_immutable(tmp_path):
    archive = SnapshotArchive(tmp_path)
    a = archive.write("kolada", "http://x/a", {"p": 1}, b'{"values": []}')
    b = archive.write("kolada", "http://x/b", {}, b'{"values": []}')
    assert a.snapshot_id == b.snapshot_id
    assert archive.provenance("kolada", a.snapshot_id)["url"] == "http://x/a"  # first fetch's provenance kept
    assert archive.read("kolada", a.snapshot_id) == b'{"values": []}'


def test_a_body_dripping_a_byte_at_a_time_is_cut_off_at_the_deadline(replay):
    """The read timeout is between bytes: a server sending one byte every 50 ms never trips it. The overall deadline
    does, with a clear error, and the request is not retried."""
    import time

    replay.inject("drip", match="/kpi", seconds=0.05, times=5)
    http = HttpClient("kolada", deadline=1.0)
    started = time.monotonic()
    with pytest.raises(UpstreamError, match=r"not complete within the 1 s deadline"):
        http.get_json(f"{replay.url}/kpi")
    assert time.monotonic() - started < 5 and http.requests_made == 1


def test_an_answer_over_the_size_cap_is_refused(replay):
    with pytest.raises(UpstreamError, match=r"over the cap of 1000 bytes"):
        HttpClient("kolada", max_body_bytes=1000).get_json(f"{replay.url}/kpi")
