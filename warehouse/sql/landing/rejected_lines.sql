-- Lines the CSV reader set aside: their line, what went wrong, and the text it saw.
SELECT line, min(error_type) AS error_type, min(csv_line) AS csv_line, min(error_message) AS error_message
FROM landing_rejects
GROUP BY line
ORDER BY line
