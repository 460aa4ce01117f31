-- Trusted documents: the GraphQL documents a server in trusted-documents
-- mode (CRUSCOTTO_TRUSTED_DOCUMENTS=only) runs, registered with
-- `cruscotto documents register`; it refuses every other document. Keyed
-- by the hex SHA-256 of the text, the hash clients send as a persisted
-- query. Shared by every instance on the database.
CREATE TABLE trusted_documents (
    hash TEXT PRIMARY KEY CHECK (length(hash) = 64),
    document TEXT NOT NULL CHECK (document <> ''),
    name TEXT NOT NULL,
    registered_at TIMESTAMP NOT NULL
);
