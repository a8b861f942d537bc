-- The currencies of the snapshot's offers, in code order (the search numbers them from 1 so).
SELECT DISTINCT currency FROM offers ORDER BY currency
