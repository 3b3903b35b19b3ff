"""The deployed mode for real: a Prefect server on 127.0.0.1 (temp PREFECT_HOME, SQLite), `sydstat serve`, an
event → the triggered ingest → its `sydstat.source.loaded` → the triggered publish; and a dropped inbox file →
register-ingest.
Slow (~1-2 min): it starts a real server and a serving process."""

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest
import requests

pytestmark = pytest.mark.integration
ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(check, timeout: float, what: str, interval: float = 1.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = check()
        if result:
            return result
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what}")


def start(args, env, log: Path) -> subprocess.Popen:
    return subprocess.Popen(
        args, env=env, cwd=ROOT, stdout=log.open("w"), stderr=subprocess.STDOUT, start_new_session=True
    )


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)


def test_events_trigger_deployments_on_a_real_server(tmp_path, replay):
    port = free_port()
    api = f"http://127.0.0.1:{port}/api"
    env = {
        **os.environ,
        "PREFECT_HOME": str(tmp_path / "prefect"),
        "PREFECT_API_URL": api,
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "SYDSTAT_HOME": str(tmp_path / "home"),
        "SYDSTAT_KOLADA_URL": replay.url,
        "PREFECT_LOGGING_LEVEL": "INFO",
    }
    server = start(
        [sys.executable, "-m", "prefect", "server", "start", "--host", "127.0.0.1", "--port", str(port)],
        {k: v for k, v in env.items() if k != "PREFECT_API_URL"},
        tmp_path / "server.log",
    )
    serving = None
    try:
        wait_for(lambda: _ok(f"{api}/health"), 120, "the Prefect server")
        serving = start(
            [sys.executable, "-m", "sydstat", "serve", "--inbox-interval", "1"], env, tmp_path / "serve.log"
        )
        wait_for(
            lambda: len(_post(f"{api}/deployments/filter")) == 7 and len(_post(f"{api}/automations/filter")) == 5,
            90,
            "7 deployments and 5 automations",
        )
        subprocess.run(
            [
                sys.executable,
                "-c",
                "from flows.events import emit, source_resource, SOURCE_CHANGED; "
                "emit(SOURCE_CHANGED, source_resource('kolada'), {'reason': 'test'})",
            ],
            env=env,
            cwd=ROOT,
            check=True,
            timeout=60,
        )

        published = tmp_path / "home" / "warehouse.duckdb"

        def completed():  # two completed runs are not enough: another flow may finish before publish does
            runs = _post(f"{api}/flow_runs/filter", {"flow_runs": {"state": {"type": {"any_": ["COMPLETED"]}}}})
            return runs if len(runs) >= 2 and published.is_file() else None

        runs = wait_for(completed, 150, "ingest-kolada and publish to complete")
        assert any(r["parameters"].get("publish") is False for r in runs)  # the triggered ingest
        con = duckdb.connect(str(published), read_only=True)
        assert con.execute("SELECT count(DISTINCT municipality_code) FROM indicator_values").fetchall() == [(38,)]
        con.close()
        assert (tmp_path / "home" / "parquet" / "_manifest.json").is_file()
        scheduled = _post(f"{api}/flow_runs/filter", {"flow_runs": {"state": {"type": {"any_": ["SCHEDULED"]}}}})
        assert scheduled, "nightly and sensor schedules should have produced scheduled runs"

        inbox = tmp_path / "home" / "inbox"
        inbox.mkdir(parents=True, exist_ok=True)
        (inbox / "unknown.csv").write_text("a,b\n1,2\n")
        reason = inbox / "failed" / "unknown.csv.reason.txt"
        wait_for(reason.is_file, 90, "register-ingest to refuse the dropped file")
        assert "unknown columns ['a', 'b']" in reason.read_text()
    finally:
        if serving:
            stop(serving)
        stop(server)


def _ok(url: str) -> bool:
    try:
        return requests.get(url, timeout=2).ok
    except requests.RequestException:
        return False


def _post(url: str, body: dict | None = None) -> list:
    try:
        resp = requests.post(url, json=body or {}, timeout=5)
        return resp.json() if resp.ok else []
    except requests.RequestException:
        return []
