-- Back to the table as migration 000015 made it (hash without NOT NULL).
CREATE TABLE trusted_documents_rebuilt (
    hash TEXT PRIMARY KEY CHECK (length(hash) = 64),
    document TEXT NOT NULL CHECK (document <> ''),
    name TEXT NOT NULL,
    registered_at TIMESTAMP NOT NULL
);
INSERT INTO trusted_documents_rebuilt (hash, document, name, registered_at)
    SELECT hash, document, name, registered_at FROM trusted_documents;
DROP TABLE trusted_documents;
ALTER TABLE trusted_documents_rebuilt RENAME TO trusted_documents;
