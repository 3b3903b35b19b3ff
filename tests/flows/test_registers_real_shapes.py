"""Registers as they are really exported (issue 14): the ESF+ 2021-2027 export has no municipality column — a project
is placed by its owner's town (coverage owner_location, reported apart from local work), and one that cannot be
placed is still loaded and counted; Kohesio's empty local id, its currency column and its `|` lists. Through
`sydstat ingest`, on the shipped real-shaped samples."""

import pytest

from core.config import PROJECT_ROOT
from sydstat.cli import main
from tests.conftest import published

pytestmark = pytest.mark.integration
SAMPLES = PROJECT_ROOT / "samples"


def test_esf_plus_export_without_a_municipality_column_is_placed_by_the_owners_town(home, capsys):
    assert main(["ingest", str(SAMPLES / "esf_plus_2021_2027_sample.csv")]) == 0
    out = " ".join(capsys.readouterr().out.split())  # the console wraps long lines
    assert "1 of 3 projects have no place" in out and "'Utanför Kartan'" in out
    assert published(
        "SELECT p.project_id, pm.municipality_name, pm.coverage FROM projects p LEFT JOIN "
        "project_municipalities pm USING (project_id) ORDER BY 1"
    ) == [
        ("23-017-S01", "Malmö", "owner_location"),
        ("23-102-S02", "Halmstad", "owner_location"),
        ("24-005-S01", None, None),
    ]
    # where the owner sits is not where the project worked: never counted as local money
    assert published(
        "SELECT sum(local_projects), sum(area_wide_projects), max(owner_location_total_budget_sek) "
        "FROM project_funding_by_municipality_year WHERE municipality_name = 'Malmö'"
    ) == [(0, 0, 12480000)]
    assert published("SELECT summary FROM dim_project WHERE project_id = '23-017-S01'") == [
        ("Stöd till unga vuxna som varken arbetar eller studerar & deras familjer.",)
    ]


def test_kohesio_export_empty_local_id_currency_and_pipe_separated_places(home, tmp_path):
    assert main(["ingest", str(SAMPLES / "kohesio_sample.csv")]) == 0
    rows = published(
        "SELECT project_id, f.total_budget_sek, f.eu_support_sek, f.total_budget_eur, f.eu_support_eur "
        "FROM projects p JOIN fct_project_funding f USING (register, project_id) ORDER BY 1"
    )
    assert rows == [
        ("2021SE05SFPR001_23-017-S01", 12480000, 7488000, None, None),
        ("2021SE05SFPR001_24-031-S01", None, None, 2600000, 1560000),
        ("2021SE16RFPR005_20364521", None, None, 1250000, 500000),
        ("SE-2021SE05SFPR001-0612", 3120500, 1872300, None, None),
        ("SE-2021SE05SFPR001-0913", 4200000, 2520000, None, None),
    ]  # SEK stays SEK, EUR stays EUR
    assert published("SELECT count(*) FROM project_municipalities WHERE project_id = 'SE-2021SE05SFPR001-0913'") == [
        (3,)
    ]  # Landskrona|Helsingborg|Höganäs
    # a currency that is neither SEK nor EUR is not converted: that row is quarantined with the reason
    text = (SAMPLES / "kohesio_sample.csv").read_text(encoding="utf-8").replace(",EUR,500000.00", ",NOK,500000.00")
    odd = tmp_path / "kohesio_nok.csv"
    odd.write_text(text, encoding="utf-8")
    main(["ingest", str(odd)])
    assert published("SELECT reason FROM meta.quarantine") == [
        ("amounts in currency 'NOK': only SEK and EUR are stored, never converted",)
    ]


def test_the_same_project_in_the_esf_export_and_in_kohesio_is_one_project(home):
    """By the diarienummer in Kohesio's local id ('2021SE05SFPR001_23-017-S01' is ESF+ '23-017-S01'), else by org.
    number + name + start date: one row in `projects` with both registers, its places from both, its money once."""
    assert main(["ingest", str(SAMPLES / "esf_plus_2021_2027_sample.csv")]) == 0
    assert main(["ingest", str(SAMPLES / "kohesio_sample.csv")]) == 0
    assert published("SELECT count(*) FROM dim_project WHERE is_current") == [(8,)]  # both registers keep theirs
    assert published("SELECT count(*) FROM projects") == [(6,)]
    assert published("SELECT project_id, registers FROM projects WHERE registers LIKE '%,%' ORDER BY 1") == [
        ("23-017-S01", "esf_plus, kohesio"),
        ("23-102-S02", "esf_plus, kohesio"),
    ]
    # Malmö: listed by Kohesio (local) beats the ESF export's owner town; Lund comes from Kohesio
    assert published(
        "SELECT municipality_name, coverage FROM project_municipalities WHERE project_id = '23-017-S01' ORDER BY 1"
    ) == [("Lund", "local"), ("Malmö", "local")]
    assert published(
        "SELECT sum(local_total_budget_sek), sum(owner_location_projects) FROM "
        "project_funding_by_municipality_year WHERE municipality_name = 'Malmö' AND year = 2024"
    ) == [(12480000, 0)]
