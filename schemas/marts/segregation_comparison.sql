-- Our dissimilarity indices beside SCB's official municipal segregation index, per region municipality and year.
-- SCB's compares foreign- vs Swedish-born over SAMS areas (published 0-100); ours are over DeSO, one by background
-- (foreign vs Swedish) and one by birth (born abroad vs born in Sweden: SCB's definition, other areas). Compare
-- rankings and trends, not levels. SCB's index is not loaded today: no PxWebApi 2.0 id for it has been found
-- (schemas/catalog/scb.yaml); `scb_index_note` says so on every row where it is missing. `deso_grid` is the grid D
-- was computed on: a change of grid is a series break.
CREATE OR REPLACE VIEW segregation_comparison AS
WITH ours AS (
    SELECT municipality_code, year,
           max(dissimilarity) FILTER (WHERE grouping = 'foreign_vs_swedish_background') AS dissimilarity,
           max(dissimilarity) FILTER (WHERE grouping = 'birth_region') AS dissimilarity_birth,
           max(areas) AS areas, max(grid) FILTER (WHERE grouping = 'foreign_vs_swedish_background') AS grid
    FROM segregation_indices
    WHERE area_unit = 'DeSO'
    GROUP BY ALL
),
official AS (
    SELECT f.municipality_code, p.year, f.value, s.attribution
    FROM fct_indicator_value f
    JOIN dim_period p USING (period)
    JOIN dim_source s ON s.source = f.source
    WHERE f.indicator_id = 'scb:segregationsindex_sams' AND f.sex = 'T' AND f.value IS NOT NULL
),
side_by_side AS (
    SELECT k.municipality_code, m.municipality_name, m.county_name, k.year,
           o.dissimilarity, o.dissimilarity_birth, o.areas, o.grid, s.value AS scb_value, s.attribution
    FROM (SELECT municipality_code, year FROM ours UNION SELECT municipality_code, year FROM official) k
    JOIN dim_municipality m USING (municipality_code)
    LEFT JOIN ours o USING (municipality_code, year)
    LEFT JOIN official s USING (municipality_code, year)
    WHERE m.in_region
)
SELECT
    municipality_code,
    municipality_name,
    county_name,
    year,
    dissimilarity AS dissimilarity_deso,  -- sydstat's D (0-1), foreign vs Swedish background over DeSO
    dissimilarity_birth AS dissimilarity_born_abroad_deso,  -- sydstat's D (0-1), born abroad vs born in Sweden, DeSO
    areas AS deso_areas,  -- DeSO areas D was computed over
    grid AS deso_grid,  -- DeSO2018 | DeSO2025: the grid D by background was computed on
    scb_value AS scb_index_sams,  -- SCB's published index (0-100), foreign- vs Swedish-born over SAMS areas
    CASE WHEN dissimilarity IS NOT NULL
         THEN rank() OVER (PARTITION BY year, dissimilarity IS NULL ORDER BY dissimilarity DESC) END
        AS rank_deso,  -- 1 = most segregated by sydstat's D that year, among the region's municipalities with a value
    CASE WHEN scb_value IS NOT NULL
         THEN rank() OVER (PARTITION BY year, scb_value IS NULL ORDER BY scb_value DESC) END
        AS rank_scb,  -- 1 = most segregated by SCB's index that year, among the region's municipalities with a value
    attribution AS scb_attribution,  -- applies to scb_index_sams; D and the ranks are sydstat's calculations
    CASE WHEN scb_value IS NULL THEN 'SCB:s kommunala segregationsindex (IntGr7Kom) laddas inte: inget id i '
         || 'PxWebApi 2.0 har bekräftats' END AS scb_index_note  -- why scb_index_sams is empty
FROM side_by_side;
