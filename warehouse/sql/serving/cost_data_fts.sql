-- Full-text index over cost line descriptions.
PRAGMA create_fts_index(
    'cost_items', 'line_number', 'description', 'line_number',
    stemmer = 'english', stopwords = 'english', strip_accents = 1, lower = 1, overwrite = 1
)
