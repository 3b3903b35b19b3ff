-- Per DeSO of the region and year: who lives there, side by side — the foreign-background share, the share with low
-- economic standard, the education level of the 25-64-year-olds and the labour-market status of the 20-64-year-olds —
-- with the RegSO and its socio-economic area type (områdestyp) where the area files are loaded. Shares are of each
-- classification's own total; NULL where the table does not cover the year or SCB suppressed the figure. `grid` is
-- the DeSO's grid (DeSO2018 until 2023/2024, DeSO2025 after): a DeSO of one grid is not the same area on the other.
CREATE OR REPLACE VIEW area_profile AS
WITH groups AS (
    SELECT area_code, year,
           max(persons) FILTER (WHERE classification = 'background' AND population_group = 'total') AS population,
           max(persons) FILTER (WHERE classification = 'background' AND population_group = 'utländsk')
               / max(persons) FILTER (WHERE classification = 'background' AND population_group = 'total')
               AS foreign_background_share,
           max(persons) FILTER (WHERE classification = 'economic_standard'
                                AND population_group = 'låg ekonomisk standard')
               / max(persons) FILTER (WHERE classification = 'economic_standard' AND population_group = 'total')
               AS low_economic_standard_share,
           max(persons) FILTER (WHERE classification = 'education_level' AND population_group = 'förgymnasial')
               / max(persons) FILTER (WHERE classification = 'education_level' AND population_group = 'total')
               AS compulsory_education_only_share,
           sum(persons) FILTER (WHERE classification = 'education_level'
                                AND population_group IN ('eftergymnasial < 3 år', 'eftergymnasial ≥ 3 år'))
               / max(persons) FILTER (WHERE classification = 'education_level' AND population_group = 'total')
               AS post_secondary_share,
           max(persons) FILTER (WHERE classification = 'labour_market_status' AND population_group = 'sysselsatt')
               / max(persons) FILTER (WHERE classification = 'labour_market_status' AND population_group = 'total')
               AS employment_rate,
           max(persons) FILTER (WHERE classification = 'labour_market_status' AND population_group = 'arbetslös')
               / (max(persons) FILTER (WHERE classification = 'labour_market_status'
                                       AND population_group = 'sysselsatt')
                  + max(persons) FILTER (WHERE classification = 'labour_market_status'
                                         AND population_group = 'arbetslös'))
               AS unemployment_rate
    FROM fct_area_population
    WHERE sex = 'T'
    GROUP BY ALL
)
SELECT g.area_code, a.area_level, a.grid, a.municipality_code, m.municipality_name, a.regso_code,
       r.area_name AS regso_name, g.year, t.socioeconomic_area_type AS area_type,
       g.population,
       g.foreign_background_share,     -- utländsk bakgrund / all inhabitants (0-1)
       g.low_economic_standard_share,  -- low economic standard / persons with a computed standard (0-1; derived)
       g.compulsory_education_only_share,  -- förgymnasial / all 25-64-year-olds (0-1)
       g.post_secondary_share,         -- any post-secondary education / all 25-64-year-olds (0-1)
       g.employment_rate,              -- sysselsatta / all 20-64-year-olds (0-1)
       g.unemployment_rate,            -- arbetslösa / (sysselsatta + arbetslösa), 20-64 (0-1)
       'Bearbetning: sydstat (underlag: ' || s.title || ')' AS derived_attribution  -- every share is our calculation
FROM groups g
CROSS JOIN (SELECT title FROM dim_source WHERE source = 'scb') s
JOIN dim_area a USING (area_code)
JOIN dim_municipality m ON m.municipality_code = a.municipality_code
LEFT JOIN dim_area r ON r.area_code = a.regso_code
LEFT JOIN fct_area_type t ON t.area_code = a.regso_code AND t.year = g.year
WHERE m.in_region;
