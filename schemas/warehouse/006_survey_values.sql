-- 006: survey indicators (Folkhälsodata's Nationella folkhälsoenkäten): confidence intervals and respondents beside
-- the value, and county and national geography, because survey samples are too small for municipal figures.

-- Which level a geography row is. Counties use Kolada's four-character region codes ('0012' Skåne), the nation '0000';
-- in_region stays false for them, so every mart that compares the 38 municipalities leaves them out.
ALTER TABLE dim_municipality ADD COLUMN geo_level VARCHAR DEFAULT 'municipality';  -- municipality | county | country
INSERT INTO dim_municipality (municipality_code, municipality_name, county_code, county_name, kommungrupp, in_region,
                              geo_level)
VALUES ('0000', 'Riket', '00', NULL, NULL, false, 'country'),
       ('0010', 'Blekinge län', '10', 'Blekinge län', NULL, false, 'county'),
       ('0012', 'Skåne län', '12', 'Skåne län', NULL, false, 'county');

ALTER TABLE fct_indicator_value ADD COLUMN ci_low DOUBLE;        -- lower bound of the source's 95 % confidence interval
ALTER TABLE fct_indicator_value ADD COLUMN ci_high DOUBLE;       -- upper bound
ALTER TABLE fct_indicator_value ADD COLUMN respondents INTEGER;  -- number of survey answers behind the value
