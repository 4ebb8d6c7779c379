-- The trace of the request that wrote an outbox row, so the relay and the worker continue it (W3C traceparent).
ALTER TABLE outbox ADD COLUMN traceparent text;
