-- The data version: one number that every committed write transaction
-- increments (schema/src/tx.rs, just before the commit), whichever process
-- made it. HTTP answers to GET queries carry it in their ETag, so that an
-- unchanged database answers 304 Not Modified on every instance.
CREATE TABLE data_version (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    version BIGINT NOT NULL
);

INSERT INTO data_version (id, version) VALUES (1, 1);
