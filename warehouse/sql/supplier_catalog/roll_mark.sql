-- SCD2 between pushes, step 4: remember the roll (never moving back in time).
INSERT INTO price_roll VALUES (1, $at)
ON CONFLICT (id) DO UPDATE SET rolled_at = greatest(price_roll.rolled_at, excluded.rolled_at)
