-- Which municipalities each project touches, including municipalities outside the 38 (in_region = false).
CREATE OR REPLACE VIEW project_municipalities AS
SELECT
    b.project_id,
    b.municipality_code,
    m.municipality_name,
    m.in_region,
    b.coverage,
    b.register
FROM bridge_project_municipality b
JOIN dim_municipality m USING (municipality_code);
