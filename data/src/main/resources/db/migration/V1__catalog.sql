-- The product catalog. Ids are assigned by the seeder (1..N) so a catalog is reproducible.
CREATE TABLE products (
    id          bigint PRIMARY KEY,
    sku         text UNIQUE NOT NULL,
    name        text NOT NULL,
    category    text NOT NULL,
    price_cents int NOT NULL CHECK (price_cents >= 0),
    description text,
    created_at  timestamptz NOT NULL DEFAULT now(),
    -- Kept in step by PostgreSQL itself; name matches outrank description matches.
    search      tsvector GENERATED ALWAYS AS (
                    setweight(to_tsvector('english', name), 'A') ||
                    setweight(to_tsvector('english', coalesce(description, '')), 'B')) STORED
);

CREATE INDEX products_search_idx ON products USING gin (search);
CREATE INDEX products_category_idx ON products (category);
