-- SQLite lets a PRIMARY KEY column that is not an INTEGER hold NULL unless
-- NOT NULL is written, and the table was created without it. SQLite cannot
-- add NOT NULL to a column, so the table is rebuilt with the same rows (a
-- row without a hash could never be asked for, and has no writer that
-- makes one; it is left out). Postgres makes every PRIMARY KEY NOT NULL,
-- so its schema needs no change.
CREATE TABLE trusted_documents_rebuilt (
    hash TEXT NOT NULL PRIMARY KEY CHECK (length(hash) = 64),
    document TEXT NOT NULL CHECK (document <> ''),
    name TEXT NOT NULL,
    registered_at TIMESTAMP NOT NULL
);
INSERT INTO trusted_documents_rebuilt (hash, document, name, registered_at)
    SELECT hash, document, name, registered_at FROM trusted_documents WHERE hash IS NOT NULL;
DROP TABLE trusted_documents;
ALTER TABLE trusted_documents_rebuilt RENAME TO trusted_documents;
