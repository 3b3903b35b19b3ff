-- Per municipality and year: number of RegSO and (where area population is loaded) people per områdestyp 1-5.
CREATE OR REPLACE VIEW area_type_summary AS
WITH regso_population AS (
    SELECT d.regso_code AS area_code, p.year, sum(p.persons) AS population
    FROM fct_area_population p JOIN dim_area d ON d.area_code = p.area_code
    WHERE p.sex = 'T' AND p.classification = 'background' AND p.population_group = 'total'
    GROUP BY ALL
)
SELECT a.municipality_code, t.year, t.socioeconomic_area_type AS area_type,
       count(*) AS regso_count, sum(rp.population) AS population
FROM fct_area_type t
JOIN dim_area a USING (area_code)
LEFT JOIN regso_population rp ON rp.area_code = t.area_code AND rp.year = t.year
GROUP BY ALL;
