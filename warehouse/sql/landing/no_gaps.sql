-- A JSON body sets no line aside: nothing shifts the rows' numbers.
CREATE OR REPLACE TEMP TABLE landing_gaps (gap BIGINT, shift BIGINT)
