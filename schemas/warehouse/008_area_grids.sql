-- 008: both area grids, never mixed. SCB's area tables carry DeSO 2018 ('1780A0010') and DeSO 2025
-- ('1780A0010_DeSO2025'), RegSO 2020 ('1780R001') and RegSO 2025 ('1780R001_RegSO2025') in one Region variable
-- (SOURCES.md §2, ../shared/reference/real_responses/omraden_befolkning.json). The code is kept as SCB writes it, so
-- the two grids never share a key; `grid` names the grid on every area row, and the years an area is in use are
-- read from the data (an area whose figures are 0 or missing in a year is off-grid then and not loaded).
ALTER TABLE dim_area ADD COLUMN grid VARCHAR;          -- DeSO2018 | DeSO2025 | RegSO2020 | RegSO2025
ALTER TABLE dim_area ADD COLUMN first_year INTEGER;    -- first year a loaded table has figures for the area
ALTER TABLE dim_area ADD COLUMN last_year INTEGER;     -- last such year
ALTER TABLE fct_area_population ADD COLUMN grid VARCHAR;  -- the area's grid (dim_area.grid)
ALTER TABLE fct_area_type ADD COLUMN grid VARCHAR;        -- RegSO2020 (2011-2023) | RegSO2025 (2024-)
ALTER TABLE segregation_indices ADD COLUMN grid VARCHAR;  -- the grid the index was computed on (one grid per index)
ALTER TABLE meta.load_batch ADD COLUMN dataset VARCHAR;  -- the PxWeb table (or Kolada KPI chunk) the batch loaded
ALTER TABLE meta.source_state ADD COLUMN scope_changed_at TIMESTAMP;  -- when the region last changed: earlier table loads are another scope's

-- A third age band for the education table of the 2025 grid (TAB6534 counts 25-65-year-olds).
INSERT INTO dim_age_group VALUES ('25-65', 25, 65, 'indicator', '25-65 år (utbildningsnivå från 2024)')
    ON CONFLICT DO NOTHING;

-- Birth region as SCB really publishes it (TAB6572: sv, eu, öv and the total tot), not seven regions.
-- (Keys that stay are updated, not deleted and re-inserted: DuckDB checks a re-inserted key eagerly.)
DELETE FROM dim_population_group WHERE classification = 'birth_region'
    AND population_group NOT IN ('född i Sverige', 'född i övriga världen', 'total');
INSERT INTO dim_population_group VALUES
    ('birth_region', 'född i Europa utom Sverige', 2, false, false, 'född i Europa utom Sverige (eu)');

-- last: DuckDB refuses to alter a table with updates outstanding in the same transaction
UPDATE dim_area SET grid = CASE
        WHEN area_code LIKE '%\_DeSO2025' ESCAPE '\' THEN 'DeSO2025'
        WHEN area_code LIKE '%\_RegSO2025' ESCAPE '\' THEN 'RegSO2025'
        WHEN area_level = 'DeSO' THEN 'DeSO2018' ELSE 'RegSO2020' END,
    grid_version = CASE
        WHEN area_code LIKE '%\_DeSO2025' ESCAPE '\' OR area_code LIKE '%\_RegSO2025' ESCAPE '\' THEN 2025
        ELSE grid_version END;
-- the seven invented birth regions of the old replay, and whatever was computed from them, go: a rebuild reloads
DELETE FROM fct_area_population WHERE classification = 'birth_region';
DELETE FROM segregation_indices WHERE grouping = 'birth_region';
UPDATE fct_area_population p SET grid = a.grid FROM dim_area a WHERE a.area_code = p.area_code;
UPDATE fct_area_type t SET grid = a.grid FROM dim_area a WHERE a.area_code = t.area_code;
UPDATE dim_population_group SET sort_order = 3, description = 'född i övriga världen eller okänt land (öv)'
    WHERE classification = 'birth_region' AND population_group = 'född i övriga världen';
UPDATE dim_population_group SET description = 'född i Sverige (sv)'
    WHERE classification = 'birth_region' AND population_group = 'född i Sverige';
UPDATE segregation_indices SET grid = CASE area_unit WHEN 'DeSO' THEN 'DeSO2018' ELSE 'RegSO2020' END;
UPDATE dim_area d SET first_year = y.first_year, last_year = y.last_year FROM (
    SELECT area_code, min(year) AS first_year, max(year) AS last_year
    FROM (SELECT area_code, year FROM fct_area_population UNION ALL SELECT area_code, year FROM fct_area_type)
    GROUP BY area_code) y
WHERE y.area_code = d.area_code;
