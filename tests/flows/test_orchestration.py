"""Events, sensor, inbox and prefect.yaml consistency (no Prefect server needed here)."""

import re
from datetime import date
from pathlib import Path

import pytest
import yaml

from core.config import load_settings
from flows.events import ALL_EVENTS
from flows.inbox import InboxWatcher, move_processed, resolve_inbox_file

ROOT = Path(__file__).resolve().parents[2]


def test_every_trigger_names_an_event_the_code_emits():
    code = "\n".join(p.read_text() for p in list((ROOT / "flows").glob("*.py")) + list((ROOT / "sydstat").glob("*.py")))
    constants = dict(re.findall(r'^([A-Z_]+) = "(sydstat\.[a-z.]+)"', (ROOT / "flows" / "events.py").read_text(), re.M))
    emitted = {constants[name] for name in re.findall(r"emit\(\s*([A-Z_]+),", code)}
    assert emitted == set(ALL_EVENTS)
    deployments = yaml.safe_load((ROOT / "prefect.yaml").read_text())["deployments"]
    triggered = {d["name"]: e for d in deployments for t in d.get("triggers", []) for e in t["expect"]}
    assert triggered == {
        "ingest-kolada": "sydstat.source.changed",
        "ingest-scb": "sydstat.source.changed",
        "ingest-fohm": "sydstat.source.changed",
        "publish": "sydstat.source.loaded",
        "register-ingest": "sydstat.inbox.received",
    }
    assert set(triggered.values()) <= emitted


def test_prefect_yaml_builds_runner_deployments():
    from sydstat.serve import build_deployments, deployment_specs

    deployments = {d.name: d for d in build_deployments(deployment_specs())}
    assert set(deployments) == {
        "nightly",
        "sensor",
        "ingest-kolada",
        "ingest-scb",
        "ingest-fohm",
        "publish",
        "register-ingest",
    }
    assert deployments["ingest-kolada"].triggers[0].expect == {"sydstat.source.changed"}
    assert deployments["ingest-kolada"].parameters == {"full": False, "publish": False}


@pytest.mark.integration  # slow (a replay round trip of seconds): not in `make check`
def test_sensor_reports_only_real_changes(home, replay):
    from flows.kolada import ingest_kolada
    from flows.sensor import kolada_changes

    settings = load_settings()
    assert kolada_changes(settings)["reason"] == "never loaded"
    ingest_kolada()
    replay.requests.clear()
    assert kolada_changes(settings) is None
    assert replay.data_requests() == 2 and all("per_page=1" in r for r in replay.requests)
    replay.dataset.set_value("N00957", "1293", 2024, "K", 30.0, updated=date.today())
    assert kolada_changes(settings)["reason"] == "values changed upstream"


def test_sensor_flow_emits_changed(home, replay, monkeypatch):
    import flows.sensor as sensor_module

    emitted = []
    monkeypatch.setattr(sensor_module, "emit", lambda event, resource, payload: emitted.append((event, resource)))
    monkeypatch.setenv("SYDSTAT_SCB_URL", replay.scb_url)
    monkeypatch.setenv("SYDSTAT_FOHM_URL", replay.fohm_url)
    assert sensor_module.sensor() == {"kolada": True, "scb": True, "fohm": True}  # never loaded
    assert emitted[0] == (
        "sydstat.source.changed",
        {"prefect.resource.id": "sydstat.source.kolada", "prefect.resource.name": "kolada"},
    )


def test_sensor_emits_drifted_with_the_findings_before_a_run_fails_on_them(home, replay, monkeypatch):
    import flows.sensor as sensor_module

    emitted = []
    monkeypatch.setattr(
        sensor_module, "emit", lambda event, resource, payload: emitted.append((event, resource, payload))
    )
    monkeypatch.setenv("SYDSTAT_SCB_URL", replay.scb_url)
    monkeypatch.setenv("SYDSTAT_FOHM_URL", replay.fohm_url)
    del replay.pxweb.tables["TAB6534"]
    sensor_module.sensor()
    drifted = [(r["prefect.resource.id"], p) for e, r, p in emitted if e == "sydstat.source.drifted"]
    assert [d[0] for d in drifted] == ["sydstat.source.scb"]
    assert drifted[0][1]["checks"] == [
        {"source": "scb", "table": "TAB6534", "drift": ["table missing (HTTP 404)"], "info": [], "ok": False}
    ]


def test_inbox_announces_complete_files_once(tmp_path):
    seen = []
    watcher = InboxWatcher(tmp_path / "inbox", seen.append, interval=0)
    watcher.scan_once()
    (tmp_path / "inbox" / "esf.csv").write_text("a;b\n")
    (tmp_path / "inbox" / ".partial").write_text("x")
    assert watcher.scan_once() == []  # first sight: maybe still being copied
    assert [p.name for p in watcher.scan_once()] == ["esf.csv"]
    assert watcher.scan_once() == [] and len(seen) == 1


def test_inbox_refuses_paths_outside(tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (tmp_path / "secret.txt").write_text("x")
    (inbox / "ok.csv").write_text("x")
    assert resolve_inbox_file(inbox, "ok.csv") == (inbox / "ok.csv").resolve()
    for bad in ("../secret.txt", str(tmp_path / "secret.txt"), "/etc/passwd"):
        with pytest.raises(ValueError, match="only files directly inside the inbox"):
            resolve_inbox_file(inbox, bad)


def test_failed_files_get_a_reason_and_never_overwrite(tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for _ in range(2):
        (inbox / "x.csv").write_text("x")
        move_processed(inbox, inbox / "x.csv", ok=False, reason="unknown columns: foo")
    failed = sorted(p.name for p in (inbox / "failed").iterdir())
    assert len([f for f in failed if f.endswith(".csv")]) == 2
    assert (inbox / "failed" / "x.csv.reason.txt").read_text().strip() == "unknown columns: foo"


def test_register_ingest_moves_unrecognised_file_to_failed(home):
    from flows.files import register_ingest
    from sources.registers import UnreadableFile

    inbox = load_settings().inbox_dir
    inbox.mkdir(parents=True)
    (inbox / "projects.json").write_text('[{"id": 1, "title": "x"}]')
    with pytest.raises(UnreadableFile):
        register_ingest(str(inbox / "projects.json"))
    reason = (inbox / "failed" / "projects.json.reason.txt").read_text()
    assert "unknown columns ['id', 'title']" in reason and "expected one of the register formats" in reason


def test_one_loaded_event_per_source_run_and_none_when_nothing_changed(monkeypatch):
    """Nine PxWeb tables are nine batches but one `sydstat.source.loaded` (one publish when deployed); a run that
    changed nothing emits none."""
    import flows.publish as publish_module
    from warehouse.meta import BatchResult

    emitted = []
    monkeypatch.setattr(publish_module, "emit", lambda event, resource, payload: emitted.append((event, payload)))
    results = [BatchResult(i, "scb", "loaded", rows_inserted=10, dataset=f"TAB{i}") for i in range(9)]
    assert publish_module.emit_loaded("scb", "run1", results + [BatchResult(9, "scb", "unchanged")])
    assert len(emitted) == 1 and emitted[0][1]["rows_inserted"] == 90 and len(emitted[0][1]["datasets"]) == 9
    assert not publish_module.emit_loaded("scb", "run2", [BatchResult(10, "scb", "unchanged")]) and len(emitted) == 1
