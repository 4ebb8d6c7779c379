-- Inventory, reviews, orders (with their outbox) and the recommendations they feed.
-- No foreign keys to products: the catalog seeder replaces products wholesale (TRUNCATE), and the
-- shop seeder reloads these tables right after it.

-- Stock per product; the CHECK is the last line of defence against overselling.
CREATE TABLE inventory (
    product_id bigint PRIMARY KEY,
    available  int NOT NULL CHECK (available >= 0),
    updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE reviews (
    id         bigserial PRIMARY KEY,
    product_id bigint NOT NULL,
    author     text NOT NULL,
    rating     smallint NOT NULL CHECK (rating BETWEEN 1 AND 5),
    body       text NOT NULL,
    created_at timestamptz NOT NULL
);
CREATE INDEX reviews_product_recent_idx ON reviews (product_id, created_at DESC, id DESC);

-- One row per order; (user_id, idempotency_key) makes a retried POST find the first result.
CREATE TABLE orders (
    id              bigserial PRIMARY KEY,
    user_id         text NOT NULL,
    idempotency_key text,
    request_hash    text NOT NULL,
    status          text NOT NULL,
    total_cents     bigint NOT NULL CHECK (total_cents >= 0),
    created_at      timestamptz NOT NULL DEFAULT now(),
    UNIQUE (user_id, idempotency_key)
);

CREATE TABLE order_items (
    order_id    bigint NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    product_id  bigint NOT NULL,
    quantity    int NOT NULL CHECK (quantity > 0),
    price_cents int NOT NULL CHECK (price_cents >= 0),
    PRIMARY KEY (order_id, product_id)
);
CREATE INDEX order_items_product_idx ON order_items (product_id);

-- Written in the same transaction as the order; a relay publishes and stamps published_at later.
CREATE TABLE outbox (
    id           bigserial PRIMARY KEY,
    aggregate    text NOT NULL,
    aggregate_id bigint NOT NULL,
    event_type   text NOT NULL,
    payload      jsonb NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    published_at timestamptz
);
CREATE INDEX outbox_unpublished_idx ON outbox (id) WHERE published_at IS NULL;

-- "Customers also bought": co-occurrence counts from order_items, rebuilt by the recommendations service.
CREATE TABLE recommendations (
    product_id     bigint NOT NULL,
    recommended_id bigint NOT NULL,
    score          int NOT NULL,
    PRIMARY KEY (product_id, recommended_id)
);
CREATE INDEX recommendations_rank_idx ON recommendations (product_id, score DESC, recommended_id);

-- What the seeders last loaded, so a restart does not reload (and wipe orders) for nothing.
CREATE TABLE seed_state (
    name text PRIMARY KEY,
    size bigint NOT NULL
);
