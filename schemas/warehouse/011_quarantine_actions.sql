-- 011: a quarantine you can act on (`sydstat quarantine list | show ID | resolve ID --reason …`). Each row gets an id
-- and the key of its record (sha256 of source, target table and record), so re-ingesting the same file adds no
-- second open row for the same record; a resolution says when and why.
CREATE SEQUENCE meta.quarantine_id_seq START 1;
ALTER TABLE meta.quarantine ADD COLUMN quarantine_id BIGINT;
ALTER TABLE meta.quarantine ADD COLUMN record_key VARCHAR;
ALTER TABLE meta.quarantine ADD COLUMN resolved_at TIMESTAMP;
ALTER TABLE meta.quarantine ADD COLUMN resolution VARCHAR;
UPDATE meta.quarantine SET quarantine_id = nextval('meta.quarantine_id_seq'),
    record_key = sha256(source || '|' || target_table || '|' || record::VARCHAR);
