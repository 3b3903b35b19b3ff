"""`sydstat ingest` of SCB's real area files end to end (skipped without ../shared): the DeSO→RegSO key, then the RegSO
area-type export, into dim_area, fct_area_type and area_type_summary; a RegSO the key cannot name is quarantined with
its reason and the rest loads."""

import pytest

from tests.conftest import REFERENCE, published, requires_shared

pytestmark = [pytest.mark.integration, requires_shared]

SEG = REFERENCE / "segregation"


def test_real_key_then_area_types_load_and_an_unknown_regso_is_quarantined(home, tmp_path):
    from flows.files import ingest_area_file

    key = ingest_area_file(str(SEG / "koppling-deso2018-regso2020.csv"), "deso_regso_key")
    assert key["batches"][0]["status"] == "loaded"
    lines = (SEG / "regso_socioekonomisk_index_2022.csv").read_text(encoding="utf-8").splitlines()
    lines.insert(1, "Malmö (Påhittat område),3")  # not in the key: quarantined, not guessed
    export = tmp_path / "områdestyp.csv"
    export.write_text("\n".join(lines) + "\n", encoding="utf-8")
    types = ingest_area_file(str(export), "regso_area_types")
    batch = types["batches"][0]
    assert (batch["status"], batch["rows_inserted"], batch["rows_quarantined"]) == ("loaded", 3363, 1)
    assert published(
        "SELECT sum(regso_count), count(DISTINCT area_type) FROM area_type_summary "
        "WHERE municipality_code = '1280' AND year = 2022"
    ) == [(91, 5)]
    reason, record = published("SELECT reason, record FROM meta.quarantine WHERE target_table = 'fct_area_type'")[0]
    assert reason.startswith("RegSO not found in dim_area") and "Påhittat område" in record
