-- The flat analyst view: one row per value with every label an analyst needs, and the attribution to show with it.
-- Survey values (Nationella folkhälsoenkäten) carry their confidence interval, number of answers and pooled period;
-- they are published for counties and the nation (geo_level), which the municipal marts leave out.
CREATE OR REPLACE VIEW indicator_values AS
SELECT
    f.municipality_code,
    m.municipality_name,
    m.geo_level,
    m.county_code,
    m.county_name,
    p.year,
    f.period,
    p.period_start,
    p.period_end,
    p.period_type,
    f.indicator_id,
    i.title AS indicator_title,
    i.topic,
    i.theme,
    i.unit,
    f.sex,
    f.value,
    f.ci_low,
    f.ci_high,
    f.respondents,
    f.source,
    s.attribution
FROM fct_indicator_value f
JOIN dim_municipality m USING (municipality_code)
JOIN dim_indicator i USING (indicator_id)
JOIN dim_period p USING (period)
JOIN dim_source s ON s.source = f.source;
