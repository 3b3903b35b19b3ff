-- Segregation indices per region municipality, grouping, area unit and year, with the change from the previous year
-- and the grid change marked like a series break: an index is computed on one grid (DeSO 2018 / RegSO 2020, then
-- DeSO 2025 / RegSO 2025), and D over other areas is another measurement. The change is NULL across the break.
CREATE OR REPLACE VIEW segregation_trends AS
WITH series AS (
    SELECT s.municipality_code, m.municipality_name, s.grouping, s.area_unit, s.grid, s.year,
           s.dissimilarity, s.isolation, s.exposure, s.entropy_index, s.areas, s.population, s.group_share,
           lag(s.year) OVER w AS previous_year,
           lag(s.dissimilarity) OVER w AS previous_dissimilarity,
           lag(s.grid) OVER w AS previous_grid
    FROM segregation_indices s
    JOIN dim_municipality m USING (municipality_code)
    WHERE m.in_region
    WINDOW w AS (PARTITION BY s.municipality_code, s.grouping, s.area_unit ORDER BY s.year)
)
SELECT
    municipality_code, municipality_name, grouping, area_unit,
    grid,  -- the areas the index was computed over: DeSO2018 | DeSO2025 | RegSO2020 | RegSO2025
    year, dissimilarity, isolation, exposure, entropy_index, areas, population, group_share,
    coalesce(previous_grid IS NOT NULL AND grid <> previous_grid, false) AS is_grid_break,  -- first year on a new grid
    CASE WHEN previous_year = year - 1 AND grid = previous_grid THEN dissimilarity - previous_dissimilarity END
        AS dissimilarity_change,  -- D this year minus last year, on the same grid only
    'Bearbetning: sydstat (underlag: SCB)' AS derived_attribution  -- the indices are sydstat's calculation
FROM series;
