-- Words the product search ignores, in the index and in queries (Lucene's English stop set).
CREATE TABLE search_stopwords AS
SELECT unnest([
    'a', 'an', 'and', 'are', 'as', 'at', 'be', 'but', 'by', 'for', 'if', 'in', 'into', 'is', 'it', 'no', 'not',
    'of', 'on', 'or', 'such', 'that', 'the', 'their', 'then', 'there', 'these', 'they', 'this', 'to', 'was',
    'will', 'with'
]) AS word
