-- Accounts for the auth service, which also seeds the demo user.
CREATE TABLE users (
    id            bigserial PRIMARY KEY,
    username      text UNIQUE NOT NULL,
    password_hash text NOT NULL,
    scopes        text NOT NULL DEFAULT 'catalog:read profile',
    created_at    timestamptz NOT NULL DEFAULT now()
);
