"""prefect.yaml must point at real flows with the schedule the operators expect."""

import importlib
from pathlib import Path

import yaml
from prefect import Flow

ROOT = Path(__file__).resolve().parents[2]


def deployments():
    return yaml.safe_load((ROOT / "prefect.yaml").read_text())["deployments"]


def test_every_entrypoint_is_a_flow():
    for dep in deployments():
        module_path, name = dep["entrypoint"].split(":")
        module = importlib.import_module(module_path.removesuffix(".py").replace("/", "."))
        assert isinstance(getattr(module, name), Flow), dep["name"]


def test_nightly_runs_at_two_stockholm_time_one_at_a_time():
    nightly = next(d for d in deployments() if d["name"] == "nightly")
    assert nightly["schedules"] == [{"cron": "0 2 * * *", "timezone": "Europe/Stockholm"}]
    assert nightly["concurrency_limit"] == 1
