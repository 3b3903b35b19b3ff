"""The one snapshot writer: every upstream body is archived before anything parses it.

Layout under $SYDSTAT_HOME/raw/<source>/:
  objects/<sha256[:2]>/<sha256>.gz         the body, gzip, content-addressed (immutable: written once)
  objects/<sha256[:2]>/<sha256>.json       provenance of the first fetch (url, params, fetched_at, status, content type)
  batches/<name>.json                      the snapshots one load batch used, in order (`run --offline` replays them)

Content addressing makes re-fetching identical data free on disk and makes "did it change?" a hash comparison.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path

from core.records import Snapshot


def _atomic_write(path: Path, data: bytes, private: bool = False) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_bytes(data)
    if private:
        os.chmod(tmp, 0o600)
    os.replace(tmp, path)


class SnapshotArchive:
    """Content-addressed, immutable archive of raw upstream bodies with provenance."""

    def __init__(self, raw_dir: Path):
        self.raw_dir = Path(raw_dir)

    def _object_path(self, source: str, snapshot_id: str, suffix: str) -> Path:
        return self.raw_dir / source / "objects" / snapshot_id[:2] / f"{snapshot_id}{suffix}"

    def write(
        self,
        source: str,
        url: str,
        params: dict | None,
        body: bytes,
        status: int = 200,
        content_type: str = "",
        private: bool = False,
        synthetic: bool = False,
    ) -> Snapshot:
        """Archive `body`. `private`: readable by the owner only (register files may hold personal data that the
        readers drop before loading; the original is kept for reproducibility, not for analysts)."""
        snapshot_id = hashlib.sha256(body).hexdigest()
        snap = Snapshot(
            snapshot_id=snapshot_id,
            source=source,
            url=url,
            params=dict(params or {}),
            fetched_at=datetime.now(UTC).isoformat(timespec="seconds"),
            status=status,
            content_type=content_type,
            n_bytes=len(body),
            synthetic=synthetic,
        )
        body_path = self._object_path(source, snapshot_id, ".gz")
        if not body_path.exists():
            _atomic_write(body_path, gzip.compress(body, compresslevel=6, mtime=0), private=private)
            _atomic_write(
                self._object_path(source, snapshot_id, ".json"),
                json.dumps(asdict(snap), ensure_ascii=False, indent=1).encode(),
            )
        return snap

    def read(self, source: str, snapshot_id: str) -> bytes:
        path = self._object_path(source, snapshot_id, ".gz")
        body = gzip.decompress(path.read_bytes())
        if hashlib.sha256(body).hexdigest() != snapshot_id:
            raise ValueError(f"raw snapshot {path} is corrupt (checksum mismatch)")
        return body

    def provenance(self, source: str, snapshot_id: str) -> dict:
        return json.loads(self._object_path(source, snapshot_id, ".json").read_text())

    # -- batch manifests: what one load used, so an offline rebuild can replay it ------------------------------
    def write_batch_manifest(self, source: str, name: str, manifest: dict) -> Path:
        path = self.raw_dir / source / "batches" / f"{name}.json"
        _atomic_write(path, json.dumps(manifest, ensure_ascii=False, indent=1).encode())
        return path

    def batch_manifests(self, source: str) -> list[dict]:
        """All manifests of a source, oldest first."""
        folder = self.raw_dir / source / "batches"
        if not folder.is_dir():
            return []
        manifests = [json.loads(p.read_text()) for p in folder.glob("*.json")]
        return sorted(manifests, key=lambda m: (m.get("created_at", ""), m.get("load_id", m.get("batch_id")) or 0))
