-- depends: project_funding_by_municipality_year
-- Per municipality of the region and year: each topic's headline indicator (dim_indicator.is_headline, sex T), our
-- residential segregation index (dissimilarity, foreign vs Swedish background over DeSO) and the project money touching
-- the municipality, side by side, with Pearson correlations across the region's municipalities for each year.
CREATE OR REPLACE VIEW structural_overview AS
WITH headline AS (
    SELECT f.municipality_code, p.year, i.topic, f.value
    FROM fct_indicator_value f
    JOIN dim_indicator i USING (indicator_id)
    JOIN dim_period p USING (period)
    JOIN dim_municipality m USING (municipality_code)
    WHERE i.is_headline AND f.sex = 'T' AND p.period_type = 'year' AND m.in_region
),
by_topic AS (
    SELECT municipality_code, year,
        max(value) FILTER (WHERE topic = 'unemployment')  AS unemployment_value,
        max(value) FILTER (WHERE topic = 'public_health') AS public_health_value,
        max(value) FILTER (WHERE topic = 'income')        AS income_value,
        max(value) FILTER (WHERE topic = 'education')     AS education_value,
        max(value) FILTER (WHERE topic = 'segregation')   AS segregation_value,
        max(value) FILTER (WHERE topic = 'population')    AS population_value
    FROM headline
    GROUP BY ALL
),
dissimilarity AS (
    SELECT municipality_code, year, dissimilarity AS dissimilarity_deso
    FROM segregation_indices
    WHERE grouping = 'foreign_vs_swedish_background' AND area_unit = 'DeSO'
),
keys AS (
    SELECT municipality_code, year FROM by_topic
    UNION
    SELECT d.municipality_code, d.year
    FROM dissimilarity d JOIN dim_municipality m USING (municipality_code) WHERE m.in_region
),
side_by_side AS (
    SELECT k.municipality_code, m.municipality_name, m.county_name, k.year,
        t.unemployment_value, t.public_health_value, t.income_value, t.education_value, t.segregation_value,
        t.population_value, d.dissimilarity_deso,
        coalesce(f.local_projects, 0) AS local_projects,
        f.local_total_budget_sek,
        coalesce(f.area_wide_projects, 0) AS area_wide_projects
    FROM keys k
    JOIN dim_municipality m USING (municipality_code)
    LEFT JOIN by_topic t USING (municipality_code, year)
    LEFT JOIN dissimilarity d USING (municipality_code, year)
    LEFT JOIN project_funding_by_municipality_year f USING (municipality_code, year)
)
SELECT *,
    corr(unemployment_value, dissimilarity_deso) OVER y  AS corr_unemployment_dissimilarity,
    corr(unemployment_value, public_health_value) OVER y AS corr_unemployment_public_health,
    corr(dissimilarity_deso, public_health_value) OVER y AS corr_dissimilarity_public_health,
    corr(unemployment_value, income_value) OVER y        AS corr_unemployment_income
FROM side_by_side
WINDOW y AS (PARTITION BY year);
