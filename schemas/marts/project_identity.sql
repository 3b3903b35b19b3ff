-- One project, one identity across registers: the same ESF+ project appears in the ESF Council's export and in
-- Kohesio (SOURCES.md §4). Kohesio's local id carries the ESF diarienummer after the programme code
-- ('2021SE05SFPR001_23-017-S01' is ESF+ '23-017-S01'); without it, the owner's org. number + the project name
-- (letters and digits only, any case) + the start date identify it. `is_primary` picks the record the analyst views
-- show (the ESF+ export first: its amounts are in SEK); `registers` lists every register that has it.
CREATE OR REPLACE VIEW project_identity AS
WITH current AS (
    SELECT p.register, p.project_id,
           CASE WHEN p.register = 'esf_plus' THEN 'esf:' || p.project_id
                WHEN p.register = 'kohesio' AND regexp_matches(p.project_id, '^\d{4}SE\d{2}SFPR\d{3}_.+$')
                    THEN 'esf:' || regexp_extract(p.project_id, '_(.+)$', 1) END AS diarienummer_key,
           CASE WHEN o.org_number IS NOT NULL AND p.start_date IS NOT NULL
                THEN 'org:' || o.org_number || ':' || lower(regexp_replace(p.name, '[^[:alnum:]]', '', 'g'))
                     || ':' || p.start_date END AS match_key
    FROM dim_project p
    LEFT JOIN dim_organisation o ON o.org_key = p.owner_org_key
    WHERE p.is_current
),
keyed AS (
    SELECT c.register, c.project_id,
           coalesce(c.diarienummer_key,
                    (SELECT min(e.diarienummer_key) FROM current e
                     WHERE e.diarienummer_key IS NOT NULL AND e.match_key = c.match_key),
                    c.match_key, c.register || ':' || c.project_id) AS project_key
    FROM current c
)
SELECT
    register,
    project_id,
    project_key,  -- the project across registers ('esf:23-017-S01', 'org:…', or 'register:id')
    row_number() OVER (PARTITION BY project_key ORDER BY register = 'esf_plus' DESC, register, project_id) = 1
        AS is_primary,  -- the record the analyst views show
    string_agg(register, ', ' ORDER BY register) OVER (PARTITION BY project_key) AS registers  -- every register that has it
FROM keyed;
