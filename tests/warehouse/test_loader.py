"""The loader: idempotent merges, deletions, atomic batches, safe identifiers."""

import pandas as pd
import pytest

from warehouse.db import migrate, open_work_db, schema_version
from warehouse.loader import FACT_KEY, Batch, DeletionGuard, MassDeletionRefused, Unvalidated, load_batch
from warehouse.merge import delete_missing_in_scope, ident, merge_frame

SOURCE_ROW = {
    "source": "kolada",
    "title": "Kolada",
    "url": "u",
    "licence": "l",
    "attribution": "Källa: Kolada",
    "is_synthetic": False,
    "updated_at": None,
}


@pytest.fixture
def con(tmp_path):
    con = open_work_db(tmp_path / "work.duckdb")
    con.execute(
        "INSERT OR REPLACE INTO dim_municipality VALUES "
        "('1280', 'Malmö', '12', 'Skåne län', NULL, true, 'municipality'), "
        "('1281', 'Lund', '12', 'Skåne län', NULL, true, 'municipality')"
    ).fetchall()
    yield con
    con.close()


def indicators():
    return pd.DataFrame(
        [
            {
                "indicator_id": "N03920",
                "source": "kolada",
                "source_indicator_id": "N03920",
                "title": "Arbetslösa, andel (%)",
                "unit": "percent",
                "topic": "unemployment",
            }
        ]
    )


def facts(values: dict) -> pd.DataFrame:
    rows = [
        {
            "indicator_id": "N03920",
            "municipality_code": m,
            "period": p,
            "sex": "T",
            "value": v,
            "status": None,
            "source": "kolada",
            "snapshot_id": "s1",
        }
        for (m, p), v in values.items()
    ]
    return pd.DataFrame(rows, columns=FACT_KEY + ["value", "status", "source", "snapshot_id"])


def batch(values: dict, deletions: pd.DataFrame | None = None, **kwargs) -> Batch:
    return Batch(
        source="kolada",
        mode=kwargs.pop("mode", "incremental"),
        run_id="r",
        source_rows=[SOURCE_ROW],
        tables={"dim_indicator": indicators(), "fct_indicator_value": facts(values)},
        validated={"indicator_values"},
        rows_received=len(values),
        deletions={} if deletions is None else {"fct_indicator_value": deletions},
        **kwargs,
    )


def table(con):
    return con.execute("SELECT municipality_code, period, value FROM fct_indicator_value ORDER BY 1, 2").fetchall()


def test_migrations_are_recorded_and_rerunnable(con):
    from warehouse.db import migrations

    latest = migrations()[-1][0]
    assert latest >= 2 and schema_version(con) == latest
    assert migrate(con) == latest  # re-running applies nothing


def test_a_version_6_warehouse_keeps_its_area_population_through_the_classification_migration(tmp_path, monkeypatch):
    """007 renames `background` to `population_group` and files existing rows under their classification; 008 gives
    every area row its grid and drops the seven invented birth regions (TAB6572 has three: a rebuild reloads)."""
    from warehouse import db

    every = db.migrations()
    monkeypatch.setattr(db, "migrations", lambda: [m for m in every if m[0] <= 6])
    monkeypatch.setattr(db, "refresh_views", lambda con: [])  # today's marts need today's schema
    old = open_work_db(tmp_path / "old.duckdb")
    old.execute(
        "INSERT INTO fct_area_population VALUES ('1280C1010', 2023, 'T', 'utländsk', 400, 'scb', 1), "
        "('1280C1010', 2023, 'T', 'total', 1000, 'scb', 1), "
        "('1280C1010', 2023, 'T', 'född i Asien', 150, 'scb', 1)"
    ).fetchall()
    monkeypatch.undo()
    assert migrate(old) == every[-1][0]
    assert old.execute(
        "SELECT classification, population_group, age_group, persons FROM fct_area_population ORDER BY ALL"
    ).fetchall() == [("background", "total", "total", 1000), ("background", "utländsk", "total", 400)]
    assert old.execute(
        "SELECT count(*) FROM dim_population_group p JOIN fct_area_population f "
        "USING (classification, population_group)"
    ).fetchall() == [(2,)]
    assert old.execute(
        "SELECT population_group FROM dim_population_group WHERE classification = 'birth_region' ORDER BY sort_order"
    ).fetchall() == [("född i Sverige",), ("född i Europa utom Sverige",), ("född i övriga världen",), ("total",)]
    old.close()


def test_load_is_idempotent_and_counts_changes(con):
    first = load_batch(con, batch({("1280", "2023"): 5.0, ("1281", "2023"): None}))
    assert (first.rows_inserted, first.rows_updated, first.status) == (2, 0, "loaded")
    again = load_batch(con, batch({("1280", "2023"): 5.0, ("1281", "2023"): None}))
    assert (again.rows_inserted, again.rows_updated, again.status) == (0, 0, "unchanged")
    revised = load_batch(con, batch({("1280", "2023"): 5.5, ("1281", "2023"): 3.0}))
    assert (revised.rows_inserted, revised.rows_updated) == (0, 2)
    assert table(con) == [("1280", "2023", 5.5), ("1281", "2023", 3.0)]
    assert con.execute("SELECT year, period_type FROM dim_period").fetchall() == [(2023, "year")]


def test_null_is_stored_as_null_not_zero(con):
    load_batch(con, batch({("1280", "2023"): None}))
    assert table(con) == [("1280", "2023", None)]


def test_explicit_deletions(con):
    load_batch(con, batch({("1280", "2023"): 5.0, ("1281", "2023"): 6.0}))
    deletions = pd.DataFrame([{"indicator_id": "N03920", "municipality_code": "1281", "period": "2023", "sex": "T"}])
    result = load_batch(con, batch({}, deletions=deletions))
    assert result.rows_deleted == 1 and table(con) == [("1280", "2023", 5.0)]


def test_full_refresh_deletes_only_inside_scope(con):
    load_batch(con, batch({("1280", "2022"): 1.0, ("1280", "2023"): 2.0, ("1281", "2023"): 3.0}))
    scope = {"source": ["kolada"], "indicator_id": ["N03920"], "municipality_code": ["1280"], "period": ["2023"]}
    with pytest.raises(MassDeletionRefused, match="would delete 1 of the 1 rows"):  # all of its scope: refused
        load_batch(con, batch({}, mode="full", full_refresh_scope=scope))
    assert len(table(con)) == 3
    result = load_batch(
        con, batch({}, mode="full", full_refresh_scope=scope, deletion_guard=DeletionGuard(allowed=True))
    )
    assert result.rows_deleted == 1
    assert table(con) == [("1280", "2022", 1.0), ("1281", "2023", 3.0)]


def test_the_deletion_guard_weighs_share_and_received_rows():
    guard = DeletionGuard(max_delete_share=0.05, min_received_share=0.5, baseline_rows=1000)
    guard.check_deleted(5, 100, "t")  # 5 % is allowed
    with pytest.raises(MassDeletionRefused, match="6 of the 100"):
        guard.check_deleted(6, 100, "t")
    guard.check_received(500, "t")
    with pytest.raises(MassDeletionRefused, match="received 499 rows"):
        guard.check_received(499, "t")
    DeletionGuard(baseline_rows=1000, allowed=True).check_received(0, "t")  # --allow-deletions
    DeletionGuard().check_received(0, "t")  # no earlier full refresh in this scope: nothing to compare with


def test_full_refresh_keeps_values_whose_new_version_is_quarantined(con):
    load_batch(con, batch({("1280", "2023"): 2.0}))
    quarantined = facts({("1280", "2023"): 150.0}).assign(reason="share > 100")
    scope = {"indicator_id": ["N03920"], "municipality_code": ["1280"]}
    result = load_batch(con, batch({}, mode="full", full_refresh_scope=scope, quarantined=quarantined))
    assert result.rows_deleted == 0 and table(con) == [("1280", "2023", 2.0)]
    reason, record = con.execute("SELECT reason, record FROM meta.quarantine").fetchone()
    assert reason == "share > 100" and '"value": 150.0' in record


def test_a_failing_batch_leaves_everything_as_it_was(con, monkeypatch):
    load_batch(con, batch({("1280", "2023"): 5.0}))
    before = (table(con), con.execute("SELECT count(*) FROM meta.load_batch").fetchone())
    bad = batch({("1280", "2023"): 9.0, ("1281", "2024"): 1.0})
    # violates NOT NULL inside the transaction, after the merge began
    bad.tables["fct_indicator_value"].loc[1, "municipality_code"] = None
    with pytest.raises(Exception, match="NOT NULL|null"):
        load_batch(con, bad)
    assert (table(con), con.execute("SELECT count(*) FROM meta.load_batch").fetchone()) == before


def test_rows_that_did_not_pass_their_declared_suite_are_refused(con):
    """schemas/tables.yaml declares fct_indicator_value's suite: a batch that does not say its rows passed it loads
    nothing, whichever flow built it."""
    unchecked = batch({("1280", "2023"): 5.0})
    unchecked.validated = set()
    with pytest.raises(Unvalidated, match="fct_indicator_value did not pass suite 'indicator_values'"):
        load_batch(con, unchecked)
    assert table(con) == [] and con.execute("SELECT count(*) FROM meta.load_batch").fetchone() == (0,)


def test_a_table_that_is_not_declared_cannot_be_written(con):
    stray = batch({("1280", "2023"): 5.0})
    stray.tables["dim_sex"] = pd.DataFrame([{"sex": "X", "label_sv": "x", "label_en": "x"}])
    with pytest.raises(KeyError, match="dim_sex is not declared in tables.yaml"):
        load_batch(con, stray)


def test_delete_without_scope_is_refused(con):
    with pytest.raises(ValueError, match="needs a scope"):
        delete_missing_in_scope(con, "fct_indicator_value", facts({}), FACT_KEY, {})


@pytest.mark.parametrize("bad", ["fct; DROP TABLE x", 'a"b', "x y", "Robert'); --"])
def test_identifiers_are_validated(bad):
    with pytest.raises(ValueError):
        ident(bad)


def test_merge_frame_on_dimension_updates_changed_rows(con):
    frame = pd.DataFrame([{"sex": "T", "label_sv": "totalt", "label_en": "all"}])
    counts = merge_frame(con, "dim_sex", frame, ["sex"])
    assert (counts.inserted, counts.updated) == (0, 1)
    assert con.execute("SELECT label_en FROM dim_sex WHERE sex = 'T'").fetchone() == ("all",)


def test_a_warehouse_from_a_newer_sydstat_is_refused_before_anything_is_written(tmp_path):
    from warehouse.db import SchemaTooNew

    con = open_work_db(tmp_path / "w.duckdb")
    con.execute("INSERT INTO meta.schema_version VALUES (999, '999_future.sql', now())").fetchall()
    con.close()
    with pytest.raises(SchemaTooNew, match="schema version 999, newer than this sydstat knows"):
        open_work_db(tmp_path / "w.duckdb")


def test_every_mart_declares_the_marts_it_is_built_on():
    """refresh_views creates the marts in the order their `-- depends:` lines give: a mart naming another mart it
    does not declare would only work by the accident of file order."""
    import re

    from warehouse.db import MARTS_DIR, mart_dependencies

    declared = mart_dependencies()
    for name, deps in declared.items():
        sql = (MARTS_DIR / f"{name}.sql").read_text(encoding="utf-8")
        named = {m for m in re.findall(r"\b(?:FROM|JOIN)\s+([a-z_]+)", sql, re.I) if m in declared and m != name}
        assert named == set(deps), f"{name}: builds on {sorted(named)}, declares {deps}"
    assert declared["indicator_trends"] == ["indicator_values"]


def test_the_loader_writes_only_tables_declared_with_a_known_write():
    from warehouse.tables import WRITES, table_specs

    specs = table_specs()
    assert list(specs)[:2] == ["dim_source", "dim_municipality"]  # dimensions first: the load order
    for spec in specs.values():
        assert spec.write in WRITES and spec.key
        if spec.suite:
            from core.config import SCHEMAS_DIR

            assert (SCHEMAS_DIR / "expectations" / f"{spec.suite}.json").is_file(), spec.name


def test_the_schema_snapshot_is_the_migrations_state_and_the_declarations_fit_it():
    """schemas/current_schema.sql is what the migrations add up to (regenerate with `python -m warehouse.snapshot`),
    and every declared grain, column contract and SCD2 column of schemas/tables.yaml exists in it."""
    import duckdb

    from warehouse.db import migrate
    from warehouse.snapshot import SNAPSHOT, render
    from warehouse.tables import table_specs

    assert SNAPSHOT.read_text(encoding="utf-8") == render(), "run `python -m warehouse.snapshot`"
    con = duckdb.connect()
    migrate(con)
    for spec in table_specs().values():
        columns = {r[0] for r in con.execute(f"DESCRIBE {spec.name}").fetchall()}
        wanted = set(spec.key) | set(spec.columns or []) | set(spec.compare or []) | ({spec.change} - {None})
        wanted |= {"load_id"} if spec.load_id else set()
        wanted |= {"valid_from", "valid_to", "is_current"} if spec.write == "scd2" else set()
        assert wanted <= columns, f"{spec.name}: {sorted(wanted - columns)} not in the table"
    con.close()
