-- When the price history was last rolled on to the prices in effect (roll_price_history): one row.
-- A roll looks only at the rows whose day came since, and a push is recorded no earlier than it.
CREATE TABLE IF NOT EXISTS price_roll (
    id INTEGER PRIMARY KEY,
    rolled_at TIMESTAMPTZ NOT NULL
)
