"""An outage that answers 200 with nothing must not wipe the warehouse: a full refresh that would delete more than the
catalogue allows of its scope, or that received far fewer rows than the last one, loads nothing, says why, exits 1,
and goes through only with `--allow-deletions` (issue 15 #1). Through the CLI, as a user (or the weekly automatic
full refresh) hits it."""

import pytest

from sydstat.cli import main
from tests.conftest import published

pytestmark = pytest.mark.integration

COUNT = "SELECT count(*) FROM fct_indicator_value WHERE source = 'kolada'"


def test_an_empty_kolada_full_refresh_is_refused_and_deletes_nothing(home, replay, capsys):
    assert main(["run", "--source", "kolada"]) == 0
    before = published(COUNT)[0][0]
    assert before > 30000

    replay.inject("empty_page", match="/v3/data/", times=1000)  # every value page: 200, no values
    assert main(["run", "--source", "kolada", "--full"]) == 1
    err = capsys.readouterr().err
    assert "MassDeletionRefused" in err and "--allow-deletions" in err
    assert published(COUNT)[0][0] == before
    status, message = published("SELECT status, message FROM meta.load_batch WHERE source = 'kolada' "
                                "ORDER BY load_id DESC LIMIT 1")[0]
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
