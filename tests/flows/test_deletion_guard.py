"""An outage that answers 200 with nothing must not wipe the warehouse: a full refresh that would delete more than the
catalogue allows of its scope, or that received far fewer rows than the last one, loads nothing, says why, exits 1,
and goes through only with `--allow-deletions` (issue 15 #1). Through the CLI, as a user (or the weekly automatic
full refresh) hits it."""

import pytest

from sydstat.cli import main
from tests.conftest import published

pytestmark = pytest.mark.integration

COUNT = "SELECT count(*) FROM fct_indicator_value WHERE source = 'kolada'"
KEPT = (
    "SELECT municipality_code, value FROM fct_indicator_value WHERE indicator_id = 'N03920' AND period = '2024' "
    "AND sex = 'T' AND municipality_code IN ('1280', '1281', '1282') ORDER BY 1"
)


def test_an_empty_kolada_full_refresh_is_refused_and_deletes_nothing(home, replay, capsys):
    assert main(["run", "--source", "kolada"]) == 0
    before = published(COUNT)[0][0]
    assert before > 30000

    replay.inject("empty_page", match="/v3/data/", times=1000)  # every value page: 200, no values
    assert main(["run", "--source", "kolada", "--full"]) == 1
    err = capsys.readouterr().err
    assert "MassDeletionRefused" in err and "--allow-deletions" in err
    assert published(COUNT)[0][0] == before
    status, message = published(
        "SELECT status, message FROM meta.load_batch WHERE source = 'kolada' ORDER BY load_id DESC LIMIT 1"
    )[0]
    assert status == "failed" and "received 0 rows" in message

    assert main(["status"]) == 1  # the refusal is the source's latest word
    assert "received 0 rows" in capsys.readouterr().out


def test_a_partial_answer_is_refused_by_the_deletion_share(home, replay, capsys):
    assert main(["run", "--source", "kolada"]) == 0
    before = published(COUNT)[0][0]
    # a tenth of the municipalities' values vanish: above the received floor (50 %), far above 5 % deleted
    for key in [k for k in replay.dataset.values if k[1] in ("1280", "1281", "1282", "1283")]:
        del replay.dataset.values[key]
    assert main(["run", "--source", "kolada", "--full"]) == 1
    err = capsys.readouterr().err
    assert "would delete" in err and "more than the 5% allowed" in err
    assert published(COUNT)[0][0] == before

    assert main(["run", "--source", "kolada", "--full", "--allow-deletions"]) == 0
    after = published(COUNT)[0][0]
    assert 0 < after < before
    assert published("SELECT count(*) FROM fct_indicator_value WHERE municipality_code = '1280'") == [(0,)]


def test_a_small_revision_still_goes_through(home, replay):
    assert main(["run", "--source", "kolada"]) == 0
    before = published(COUNT)[0][0]
    key = next(k for k in replay.dataset.values if k[0] == "N03920")
    del replay.dataset.values[key]
    assert main(["run", "--source", "kolada", "--full"]) == 0
    assert 0 < before - published(COUNT)[0][0] <= 3


def test_values_that_are_not_numbers_are_quarantined_with_their_raw_text(home, replay, capsys):
    """JSON `true`, a `NaN` literal and the string "12.5" are not numbers (issue 15 #5): each is quarantined with
    what was sent, none becomes 1.0 or a silent NULL, and the real values around them load."""
    from datetime import date

    assert main(["run", "--source", "kolada"]) == 0
    before = published(KEPT)
    for municipality, raw in (("1280", True), ("1281", float("nan")), ("1282", "12.5")):
        replay.dataset.set_value("N03920", municipality, 2024, "T", raw, updated=date.today())
    assert main(["run", "--source", "kolada"]) == 0
    records = published("SELECT record->>'municipality_code', record->>'raw_value' FROM meta.quarantine ORDER BY 1")
    assert records == [("1280", "true"), ("1281", "NaN"), ("1282", '"12.5"')]
    assert published(KEPT) == before  # the last good values stay: never 1.0, never a silent NULL
