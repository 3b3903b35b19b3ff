"""The PxWeb client against the PxWebApi 2.0 replay: limits, splitting, change detection, clear errors."""

from datetime import UTC, datetime, timedelta

import pytest

from sources.http import HttpClient, UpstreamError, WindowLimiter
from sources.pxweb import PxWebClient
from transforms.pxweb import jsonstat2_frame


def client(replay, **kwargs):
    return PxWebClient("scb", replay.scb_url, HttpClient("scb", **kwargs))


def test_limits_come_from_config(replay):
    replay.pxweb.max_cells, replay.pxweb.max_calls = 5000, 7
    limits = client(replay).limits()
    assert (limits.max_cells, limits.max_calls, limits.window_seconds) == (5000, 7, 10.0)


@pytest.mark.integration  # slow (a replay round trip of seconds): not in `make check`
def test_queries_are_split_under_the_cell_limit_on_region_never_the_measure(replay):
    replay.pxweb.max_cells = 5000
    px = client(replay)
    variables, _ = px.metadata("TAB6571")
    selection = {k: v["values"] for k, v in variables.items()}
    per_region = 3 * 3 * 1 * 11  # UtlBakgrund (with SA) × Kon (with 1+2) × ContentsCode × Tid
    cells = len(selection["Region"]) * per_region
    results = px.query("TAB6571", selection)
    assert len(results) == -(-cells // (5000 // per_region * per_region))  # region chunks of 50 areas × 99 cells
    assert all(r.selection["ContentsCode"] == selection["ContentsCode"] for r in results)
    frame = jsonstat2_frame(results[0].payload)
    assert len(frame) <= 5000 and sum(len(jsonstat2_frame(r.payload)) for r in results) == cells


def test_split_falls_back_to_time_when_one_region_is_too_big(replay):
    replay.pxweb.max_cells = 12
    px = client(replay)
    chunks = px.split({"Region": ["a", "b"], "Kon": ["1", "2"], "ContentsCode": ["x"], "Tid": list("0123456789")})
    assert all(len(c["Region"]) == 1 and len(c["Tid"]) <= 6 for c in chunks)
    assert sum(len(c["Tid"]) for c in chunks) == 20


def test_measure_is_never_split(replay):
    replay.pxweb.max_cells = 1
    with pytest.raises(UpstreamError, match="without splitting the measure"):
        client(replay).split({"Region": ["a"], "ContentsCode": ["x", "y"], "Tid": ["1"]})


def test_server_side_cell_error_names_table_and_query(replay):
    px = client(replay)
    px.limits().max_cells = 10**9  # pretend we misread the limit: the server's problem+json must surface
    replay.pxweb.max_cells = 10
    with pytest.raises(UpstreamError, match=r"table TAB6571: HTTP 400.*Too many cells.*cells\)"):
        px.query(
            "TAB6571",
            {
                "Region": ["1280C1010", "1280C1020"],
                "UtlBakgrund": ["1", "2"],
                "Kon": ["1", "2"],
                "ContentsCode": ["000007Y4"],
                "Tid": ["2020", "2021"],
            },
        )


def test_429_retry_after_on_post(replay):
    replay.inject("status", match="/data", status=429, retry_after="3", times=1)
    px = client(replay)
    waits = []
    px.http.sleep = waits.append
    results = px.query(
        "TAB6571",
        {"Region": ["1280C1010"], "UtlBakgrund": ["1"], "Kon": ["1"], "ContentsCode": ["000007Y4"], "Tid": ["2020"]},
    )
    assert waits == [3.0] and results[0].payload["value"]


def test_change_detection(replay):
    px = client(replay)
    replay.pxweb.updated = datetime.now(UTC) - timedelta(days=40)
    assert px.changed_since("TAB6571", datetime.now(UTC) - timedelta(days=60))
    assert not px.changed_since("TAB6571", datetime.now(UTC) - timedelta(days=10))
    assert px.changed_since("TAB6571", None)


def test_window_limiter_bounds_calls_per_window():
    import time

    limiter = WindowLimiter(calls=3, window=0.2)
    start = time.monotonic()
    for _ in range(7):
        limiter.wait()
    assert time.monotonic() - start >= 0.4 * 0.9  # 7 calls at 3 per 0.2 s need two full windows
