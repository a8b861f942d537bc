-- Full-text index over what a builder types to find a product (BM25, English stemming).
PRAGMA create_fts_index(
    'products', 'product_id', 'name', 'description', 'brand', 'manufacturer', 'manufacturer_part_number', 'category',
    stemmer = 'english', stopwords = 'english', strip_accents = 1, lower = 1, overwrite = 1
)
