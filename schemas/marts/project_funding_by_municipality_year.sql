-- depends: project_municipalities, projects
-- Projects touching a municipality in each year they ran, with their WHOLE-PROJECT budgets (not yearly spending).
-- Local money and area-wide (programme-area or national) money are separate columns: a budget for the whole region is
-- never split evenly over 38 municipalities as if it were local money. Projects placed only by their owner's town
-- (the ESF+ export has no municipality column) are a third group, never counted as local work.
CREATE OR REPLACE VIEW project_funding_by_municipality_year AS
WITH project_years AS (  -- one project once, even when two registers have it (project_identity)
    SELECT p.register, p.project_id, p.total_budget_sek, p.eu_support_sek, y.year
    FROM projects p,
         range(year(p.start_date), year(coalesce(p.end_date, p.start_date)) + 1) AS y(year)
    WHERE p.start_date IS NOT NULL
)
SELECT
    b.municipality_code,
    m.municipality_name,
    py.year,
    count(DISTINCT py.project_id) FILTER (WHERE b.coverage = 'local')               AS local_projects,
    sum(py.total_budget_sek) FILTER (WHERE b.coverage = 'local')                     AS local_total_budget_sek,
    sum(py.eu_support_sek) FILTER (WHERE b.coverage = 'local')                       AS local_eu_support_sek,
    count(DISTINCT py.project_id) FILTER (WHERE b.coverage IN ('programme_area', 'national')) AS area_wide_projects,
    sum(py.total_budget_sek) FILTER (WHERE b.coverage IN ('programme_area', 'national')) AS area_wide_total_budget_sek,
    sum(py.eu_support_sek) FILTER (WHERE b.coverage IN ('programme_area', 'national')) AS area_wide_eu_support_sek,
    count(DISTINCT py.project_id) FILTER (WHERE b.coverage = 'owner_location')      AS owner_location_projects,
    sum(py.total_budget_sek) FILTER (WHERE b.coverage = 'owner_location')            AS owner_location_total_budget_sek,
    sum(py.eu_support_sek) FILTER (WHERE b.coverage = 'owner_location')              AS owner_location_eu_support_sek
FROM project_years py
JOIN project_municipalities b USING (register, project_id)
JOIN dim_municipality m USING (municipality_code)
GROUP BY ALL;
