-- Per municipality, year and RegSO grid: number of RegSO and (where the DeSO→RegSO key relates the area population
-- to them) people per områdestyp 1-5. RegSO 2020 until 2023, RegSO 2025 from 2024: the grid change is a series break.
CREATE OR REPLACE VIEW area_type_summary AS
WITH regso_population AS (
    SELECT d.regso_code AS area_code, p.year, sum(p.persons) AS population
    FROM fct_area_population p JOIN dim_area d ON d.area_code = p.area_code
    WHERE p.sex = 'T' AND p.classification = 'background' AND p.population_group = 'total'
    GROUP BY ALL
)
SELECT a.municipality_code, t.year, t.grid, t.socioeconomic_area_type AS area_type,
       count(*) AS regso_count, sum(rp.population) AS population
FROM fct_area_type t
JOIN dim_area a USING (area_code)
LEFT JOIN regso_population rp ON rp.area_code = t.area_code AND rp.year = t.year
GROUP BY ALL;
