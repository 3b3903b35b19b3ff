-- depends: project_identity, project_municipalities
-- One row per project (current version) with its money and coverage — one row even when the project is in more
-- than one register (project_identity: the ESF+ export and Kohesio), with every register named in `registers`.
CREATE OR REPLACE VIEW projects AS
SELECT
    p.project_id,
    p.register,
    i.project_key,
    i.registers,
    p.name,
    o.org_name   AS owner_name,
    o.org_number AS owner_org_number,
    p.start_date,
    p.end_date,
    f.total_budget_sek,
    f.eu_support_sek,
    coalesce((SELECT pm.coverage FROM project_municipalities pm WHERE pm.project_key = i.project_key
              ORDER BY CASE pm.coverage WHEN 'local' THEN 1 WHEN 'programme_area' THEN 2 WHEN 'national' THEN 3
                       ELSE 4 END LIMIT 1), 'unknown') AS coverage,  -- the strongest of its places
    p.programme,
    p.fund_code,
    p.is_synthetic
FROM dim_project p
JOIN project_identity i ON i.register = p.register AND i.project_id = p.project_id AND i.is_primary
LEFT JOIN dim_organisation o ON o.org_key = p.owner_org_key
LEFT JOIN fct_project_funding f ON f.register = p.register AND f.project_id = p.project_id AND f.is_current
WHERE p.is_current;
