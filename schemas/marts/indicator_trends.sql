-- Yearly series per municipality of the region, indicator and sex, beside the county and region averages of the same year
-- (unweighted means over municipalities), with the change from the previous year and series-break flags.
-- The change is NULL across a series break (the definition changed that year) and when the previous year is missing.
CREATE OR REPLACE VIEW indicator_trends AS
WITH series AS (
    SELECT
        f.municipality_code,
        m.municipality_name,
        m.county_code,
        m.county_name,
        f.indicator_id,
        i.title AS indicator_title,
        i.topic,
        i.theme,
        i.unit,
        i.direction,
        f.sex,
        p.year,
        f.period,
        f.value,
        lag(p.year) OVER w AS previous_year,
        lag(f.value) OVER w AS previous_value,
        coalesce(p.year = i.series_break_year, false) AS is_series_break,  -- first year of a changed definition
        i.series_break_note,
        f.source,
        s.attribution
    FROM fct_indicator_value f
    JOIN dim_municipality m USING (municipality_code)
    JOIN dim_indicator i USING (indicator_id)
    JOIN dim_period p USING (period)
    JOIN dim_source s ON s.source = f.source
    WHERE m.in_region AND p.period_type = 'year'
    WINDOW w AS (PARTITION BY f.indicator_id, f.municipality_code, f.sex ORDER BY p.year)
)
SELECT
    municipality_code, municipality_name, county_code, county_name,
    indicator_id, indicator_title, topic, theme, unit, direction, sex, year, period,
    value,
    CASE WHEN previous_year = year - 1 AND NOT is_series_break THEN value - previous_value END AS change_from_previous_year,
    avg(value) OVER (PARTITION BY indicator_id, sex, year, county_code) AS county_average,  -- mean of the county's municipalities
    avg(value) OVER (PARTITION BY indicator_id, sex, year) AS region_average,  -- mean of the region's municipalities
    is_series_break,
    series_break_note,
    source,
    attribution  -- applies to value; averages and changes are sydstat's own calculations
FROM series;
