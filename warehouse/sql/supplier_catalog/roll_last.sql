-- When the price history was last rolled (null: never).
SELECT max(rolled_at) FROM price_roll
