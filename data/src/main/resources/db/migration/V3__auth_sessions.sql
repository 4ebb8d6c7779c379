-- Auth sessions: rotating refresh tokens grouped in families (one family per login), and API keys.
-- Only SHA-256 hashes of refresh tokens and API keys are stored; the secrets are shown once.
CREATE TABLE refresh_tokens (
    id           bigserial PRIMARY KEY,
    family       uuid NOT NULL,
    user_id      bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    token_hash   text UNIQUE NOT NULL,
    access_jti   text NOT NULL,            -- the access token issued with it, deny-listed if the family is revoked
    access_exp   timestamptz NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    expires_at   timestamptz NOT NULL,
    used_at      timestamptz,              -- set when rotated; presenting it again is reuse
    revoked_at   timestamptz
);
CREATE INDEX refresh_tokens_family ON refresh_tokens (family);
CREATE INDEX refresh_tokens_access_jti ON refresh_tokens (access_jti);

CREATE TABLE api_keys (
    id          text PRIMARY KEY,          -- public id, e.g. key_3f9a…, shown in logs and headers
    key_hash    text UNIQUE NOT NULL,      -- SHA-256 (hex) of the secret
    plan        text NOT NULL,
    owner       text,
    created_at  timestamptz NOT NULL DEFAULT now(),
    revoked_at  timestamptz
);

-- Revoked access tokens, the durable copy of the Redis deny list the gateways read: Redis keeps no
-- files and may evict, so the auth service writes any missing entries back periodically.
CREATE TABLE revoked_tokens (
    jti         text PRIMARY KEY,
    expires_at  timestamptz NOT NULL,
    revoked_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX revoked_tokens_expires ON revoked_tokens (expires_at);
