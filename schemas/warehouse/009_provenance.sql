-- 009: whether data is synthetic is a property of the snapshot it came from, not of the command that loaded it.
-- The demo's replay servers say so in a response header (sources/http.py SYNTHETIC_HEADER), the demo's sample files
-- are archived as synthetic; the flag is kept in the raw archive's provenance, so an offline rebuild keeps it, and
-- here on every snapshot (every fact row names its snapshot: `JOIN meta.raw_snapshot USING (snapshot_id)`).
ALTER TABLE meta.raw_snapshot ADD COLUMN is_synthetic BOOLEAN DEFAULT false;
