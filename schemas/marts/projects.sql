-- One row per project (current version) with its money and coverage.
CREATE OR REPLACE VIEW projects AS
SELECT
    p.project_id,
    p.register,
    p.name,
    o.org_name   AS owner_name,
    o.org_number AS owner_org_number,
    p.start_date,
    p.end_date,
    f.total_budget_sek,
    f.eu_support_sek,
    coalesce((SELECT max(b.coverage) FROM bridge_project_municipality b
              WHERE b.register = p.register AND b.project_id = p.project_id), 'unknown') AS coverage,
    p.programme,
    p.fund_code,
    p.is_synthetic
FROM dim_project p
LEFT JOIN dim_organisation o ON o.org_key = p.owner_org_key
LEFT JOIN fct_project_funding f ON f.register = p.register AND f.project_id = p.project_id
WHERE p.is_current;
