-- depends: indicator_values
-- Yearly series per municipality of the region, indicator and sex, beside the county and region averages of the same year
-- (unweighted means over municipalities), with the change from the previous year and series-break flags.
-- The change is NULL across a series break (the definition changed that year) and when the previous year is missing.
CREATE OR REPLACE VIEW indicator_trends AS
WITH series AS (
    SELECT
        v.municipality_code, v.municipality_name, v.county_code, v.county_name,
        v.indicator_id, v.indicator_title, v.topic, v.theme, v.unit, i.direction, v.sex, v.year, v.period, v.value,
        lag(v.year) OVER w AS previous_year,
        lag(v.value) OVER w AS previous_value,
        coalesce(v.year = i.series_break_year, false) AS is_series_break,  -- first year of a changed definition
        i.series_break_note,
        v.source,
        v.attribution
    FROM indicator_values v
    JOIN dim_municipality m USING (municipality_code)
    JOIN dim_indicator i USING (indicator_id)
    JOIN dim_period p USING (period)
    WHERE m.in_region AND p.period_type = 'year'
    WINDOW w AS (PARTITION BY v.indicator_id, v.municipality_code, v.sex ORDER BY v.year)
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
