"""The inbox: files dropped into $SYDSTAT_HOME/inbox/ become `sydstat.inbox.received` events.

A file is announced once it has stopped growing (same size and mtime on two scans), so a half-copied export is never
read. After processing it moves to inbox/done/ or inbox/failed/ (with a `<name>.reason.txt`). Only files directly
inside the inbox are accepted: a path outside it is refused (no `../` tricks through event payloads).
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

log = logging.getLogger("sydstat.inbox")

DONE, FAILED = "done", "failed"


def resolve_inbox_file(inbox: Path, path: str | Path) -> Path:
    """The real path of a file directly inside the inbox, or ValueError."""
    inbox = Path(inbox).resolve()
    candidate = Path(path)
    candidate = (candidate if candidate.is_absolute() else inbox / candidate).resolve()
    if candidate.parent != inbox:
        raise ValueError(f"refusing {path}: only files directly inside the inbox {inbox} are ingested")
    if not candidate.is_file():
        raise FileNotFoundError(f"no such file in the inbox: {candidate.name}")
    return candidate


def move_processed(inbox: Path, path: Path, ok: bool, reason: str | None = None) -> Path:
    """Move a processed file to done/ or failed/ (never overwriting an earlier one); failed files get a reason file."""
    folder = Path(inbox) / (DONE if ok else FAILED)
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / path.name
    if target.exists():
        target = folder / f"{path.stem}.{datetime.now(UTC):%Y%m%dT%H%M%S}{path.suffix}"
    os.replace(path, target)
    if not ok:
        target.with_name(target.name + ".reason.txt").write_text((reason or "unknown error") + "\n", encoding="utf-8")
    return target


class InboxWatcher:
    """Polls the inbox and calls `on_file(path)` once per new, complete file."""

    def __init__(self, inbox: Path, on_file: Callable[[Path], None], interval: float = 5.0):
        self.inbox = Path(inbox)
        self.on_file = on_file
        self.interval = interval
        self._seen: dict[str, tuple[int, float]] = {}
        self._announced: set[tuple[str, int, float]] = set()

    def scan_once(self) -> list[Path]:
        self.inbox.mkdir(parents=True, exist_ok=True)
        announced = []
        for entry in sorted(self.inbox.iterdir()):
            if not entry.is_file() or entry.name.startswith("."):
                continue
            stat = entry.stat()
            signature = (stat.st_size, stat.st_mtime)
            key = (entry.name, *signature)
            if key in self._announced:
                continue
            if self._seen.get(entry.name) == signature:  # unchanged since the last scan: complete
                self._announced.add(key)
                announced.append(entry)
                try:
                    self.on_file(entry)
                except Exception as exc:  # keep watching; the failure is logged
                    log.error("inbox: could not announce %s: %s", entry.name, exc)
            else:
                self._seen[entry.name] = signature
        return announced

    def run(self, stop: threading.Event) -> None:
        log.info("watching %s every %.0fs", self.inbox, self.interval)
        while not stop.is_set():
            self.scan_once()
            stop.wait(self.interval)
