-- The search fetches the offers it chose by number.
CREATE UNIQUE INDEX offers_offer_no ON offers (offer_no)
