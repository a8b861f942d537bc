-- The search looks a term up by its text.
CREATE UNIQUE INDEX search_terms_term ON search_terms (term)
