-- Submissions the warehouse has seen, with their outcome and validation report.
CREATE TABLE IF NOT EXISTS submission (
    submission_id VARCHAR PRIMARY KEY,
    feed VARCHAR NOT NULL,
    source VARCHAR NOT NULL,
    received_at TIMESTAMPTZ NOT NULL,
    mode VARCHAR NOT NULL,
    terms VARCHAR[],
    status VARCHAR NOT NULL,
    rows BIGINT,
    report JSON,
    updated_at TIMESTAMPTZ NOT NULL
)
