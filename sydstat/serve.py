"""`sydstat serve`: every deployment of prefect.yaml served from this process against a Prefect server, plus the
inbox watcher. prefect.yaml stays the single declaration of schedules and triggers; this module only reads it."""

from __future__ import annotations

import importlib
import logging
import os
import threading
from pathlib import Path

import yaml

from core.config import PROJECT_ROOT, load_settings
from flows.common import WRITER_LIMIT

log = logging.getLogger("sydstat.serve")


def deployment_specs(path: Path = PROJECT_ROOT / "prefect.yaml") -> list[dict]:
    return yaml.safe_load(path.read_text(encoding="utf-8"))["deployments"]


def load_entrypoint(entrypoint: str):
    module_path, name = entrypoint.split(":")
    module = importlib.import_module(module_path.removesuffix(".py").replace("/", "."))
    return getattr(module, name)


def build_deployments(specs: list[dict]) -> list:
    """RunnerDeployments equivalent to `prefect deploy` of the same specs."""
    from prefect.events import DeploymentTriggerTypes
    from prefect.schedules import Cron
    from pydantic import TypeAdapter

    trigger_adapter = TypeAdapter(DeploymentTriggerTypes)
    deployments = []
    for spec in specs:
        flow = load_entrypoint(spec["entrypoint"])
        schedules = [Cron(s["cron"], timezone=s.get("timezone")) for s in spec.get("schedules") or []]
        triggers = [trigger_adapter.validate_python(t) for t in spec.get("triggers") or []]
        deployments.append(
            flow.to_deployment(
                name=spec["name"],
                description=spec.get("description"),
                parameters=spec.get("parameters") or {},
                schedules=schedules or None,
                triggers=triggers or None,
                concurrency_limit=spec.get("concurrency_limit"),
            )
        )
    return deployments


def ensure_writer_limit() -> None:
    """The global concurrency limit every load takes: one writer at a time, the others queue."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.actions import GlobalConcurrencyLimitCreate
    from prefect.exceptions import ObjectAlreadyExists

    with get_client(sync_client=True) as client:
        try:
            client.create_global_concurrency_limit(GlobalConcurrencyLimitCreate(name=WRITER_LIMIT, limit=1))
        except ObjectAlreadyExists:
            pass


def start_inbox_watcher(stop: threading.Event, interval: float = 5.0) -> threading.Thread:
    from flows.events import INBOX_RECEIVED, emit, inbox_resource
    from flows.inbox import InboxWatcher

    inbox = load_settings().inbox_dir

    def announce(path: Path) -> None:
        emit(
            INBOX_RECEIVED,
            inbox_resource(path.name),
            {"path": str(path), "name": path.name, "size": path.stat().st_size},
        )
        log.info("inbox: %s announced", path.name)

    thread = threading.Thread(
        target=InboxWatcher(inbox, announce, interval).run, args=(stop,), daemon=True, name="inbox-watcher"
    )
    thread.start()
    return thread


def serve(inbox_interval: float = 5.0) -> None:
    if not os.environ.get("PREFECT_API_URL"):
        from prefect.settings import PREFECT_API_URL

        if not PREFECT_API_URL.value():
            raise RuntimeError(
                "no Prefect server: run `prefect server start` and set PREFECT_API_URL "
                "(e.g. export PREFECT_API_URL=http://127.0.0.1:4200/api)"
            )
    from prefect import serve as prefect_serve

    ensure_writer_limit()
    stop = threading.Event()
    start_inbox_watcher(stop, inbox_interval)
    try:
        prefect_serve(*build_deployments(deployment_specs()))
    finally:
        stop.set()
