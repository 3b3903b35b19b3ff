-- 010: funding is versioned with its project (SCD2), so "what was granted as of date X" is answerable: a register
-- update closes the old amounts (valid_to, is_current = false) and adds the new ones, with the same valid_from as
-- the dim_project version they belong to. Rows loaded before this migration start at their batch's start.
ALTER TABLE fct_project_funding ADD COLUMN valid_from TIMESTAMP;
ALTER TABLE fct_project_funding ADD COLUMN valid_to TIMESTAMP;
ALTER TABLE fct_project_funding ADD COLUMN is_current BOOLEAN DEFAULT true;
UPDATE fct_project_funding f SET valid_from = coalesce(
    (SELECT b.started_at FROM meta.load_batch b WHERE b.load_id = f.load_id), TIMESTAMP '2000-01-01'),
    is_current = true;
