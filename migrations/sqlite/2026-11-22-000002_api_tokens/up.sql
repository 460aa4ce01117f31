-- Bearer tokens of the API. Only the SHA-256 hash of a token is stored: the
-- token itself is shown once, when it is created, and cannot be recovered
-- from the database. A revoked token keeps its row (who had access, and
-- until when) and frees its name for a new token.

CREATE TABLE api_tokens (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL CHECK (name <> ''),
    role TEXT NOT NULL CHECK (role IN ('viewer', 'editor', 'admin')),
    token_hash TEXT NOT NULL UNIQUE CHECK (length(token_hash) = 64),
    created_at TIMESTAMP NOT NULL,
    revoked_at TIMESTAMP
);

-- One live token per name, so that `token revoke --name` names one token.
CREATE UNIQUE INDEX api_tokens_live_name ON api_tokens (name) WHERE revoked_at IS NULL;
