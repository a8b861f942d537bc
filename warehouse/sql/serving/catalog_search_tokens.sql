-- The words of each product as the search sees them: folded (warehouse/text.py: lower case,
-- accents stripped, compatibility forms decomposed), split at every character that is not a
-- letter or a digit (so "2x4", "1/2" and part numbers stay findable), stop words dropped; a part
-- number with separators also counts as one word without them ("CU-L-050" is found as "cul050"
-- too), and a fraction anywhere in the text counts as one word as well ("1/2" as "1_2", a word no
-- text can give otherwise; "HB-1/2-13X2" has it too; "½" is "1/2"), so that "1/2" finds the
-- half-inch parts and not every product with a 1 and a 2 somewhere (warehouse/search.py cuts a
-- query the same way). A product's words are its own fields, its manufacturer's name and product
-- line, and every supplier's name for it (catalog_search_names): a builder searching "copper
-- tube" finds the product one supplier calls "Copper pipe" and another "Copper Tube".
CREATE TEMP TABLE search_tokens AS
SELECT product_no, word
FROM (
    SELECT
        product_no,
        unnest(list_concat(
            string_split_regex(text, '[^a-z0-9]+'),
            CASE WHEN contains(text, '/')
                THEN list_transform(regexp_extract_all(text, '[0-9]+/[0-9]+'), lambda f: replace(f, '/', '_'))
            END
        )) AS word
    FROM (
        SELECT
            product_no,
            -- plain ASCII needs lower case only; any other text is folded (warehouse/text.py:
            -- accents dropped, compatibility forms decomposed, "½" spelled " 1/2 "), as a query is
            CASE WHEN strlen(raw) = length(raw) THEN lower(raw) ELSE search_fold(raw) END AS text
        FROM (
            SELECT
                product_no,
                concat_ws(
                    ' ', name, brand, manufacturer, manufacturer_part_number, category, description,
                    -- the maker's name once: a product only its maker sells is named by it already
                    CASE WHEN model_name IS DISTINCT FROM name THEN model_name END, product_line
                ) AS raw
            FROM products
            UNION ALL
            SELECT product_no, name AS raw
            FROM search_names
        )
    )
    UNION ALL
    SELECT product_no, lower(regexp_replace(manufacturer_part_number, '[^A-Za-z0-9]+', '', 'g')) AS word
    FROM products
    WHERE regexp_matches(manufacturer_part_number, '[^A-Za-z0-9]')
)
WHERE word <> '' AND word NOT IN (SELECT word FROM search_stopwords)
