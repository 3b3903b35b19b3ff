-- depends: project_identity
-- Which municipalities each project touches, including municipalities outside the region (in_region = false). A
-- project in several registers (project_identity) is one project here: its places from every register, each
-- municipality once, with the strongest coverage any register gives it (a listed place before the owner's town).
CREATE OR REPLACE VIEW project_municipalities AS
WITH links AS (
    SELECT i.project_key, b.municipality_code, b.coverage,
           CASE b.coverage WHEN 'local' THEN 1 WHEN 'programme_area' THEN 2 WHEN 'national' THEN 3 ELSE 4 END AS strength
    FROM bridge_project_municipality b
    JOIN project_identity i USING (register, project_id)
),
primary_record AS (SELECT project_key, register, project_id FROM project_identity WHERE is_primary)
SELECT
    p.project_id,
    l.municipality_code,
    m.municipality_name,
    m.in_region,
    arg_min(l.coverage, l.strength) AS coverage,
    p.register,
    l.project_key
FROM links l
JOIN primary_record p USING (project_key)
JOIN dim_municipality m USING (municipality_code)
GROUP BY p.project_id, l.municipality_code, m.municipality_name, m.in_region, p.register, l.project_key;
