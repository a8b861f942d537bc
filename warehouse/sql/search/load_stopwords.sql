-- The words the index left out (warehouse/sql/serving/catalog_search_stopwords.sql).
SELECT word FROM search_stopwords
