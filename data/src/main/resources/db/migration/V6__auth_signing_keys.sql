-- The auth service's token signing keys, one document (active, next and retired JWKs) shared by every
-- auth instance: a rotation by one instance reaches the others, wherever they run. `version` grows by
-- one with each rotation, so an instance re-reads the document only when it changed.
CREATE TABLE auth_signing_keys (
    id          smallint PRIMARY KEY DEFAULT 1 CHECK (id = 1),
    document    text NOT NULL,
    version     bigint NOT NULL,
    updated_at  timestamptz NOT NULL DEFAULT now()
);
