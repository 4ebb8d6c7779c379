package io.requestflow.services;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.StatusCode;
import io.requestflow.engine.pipeline.Exchange;
import io.requestflow.engine.trace.Tracing;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * PostgreSQL access for services, traced: every query runs in a CLIENT span, shows up in the
 * service's Server-Timing as {@code postgres;dur=…}, and carries the request's {@code traceparent} in
 * a trailing SQL comment (the sqlcommenter convention) so the database side can be correlated too.
 */
public final class Sql {

    @FunctionalInterface
    public interface RowMapper<T> {
        T map(ResultSet row) throws SQLException;
    }

    private final DataSource dataSource;
    private final ReadRouter reads;

    public Sql(DataSource dataSource) {
        this(dataSource, ReadRouter.primaryOnly(dataSource));
    }

    /** Writes and {@link #query} go to {@code dataSource} (the primary); {@link #read} asks {@code reads}. */
    public Sql(DataSource dataSource, ReadRouter reads) {
        this.dataSource = dataSource;
        this.reads = reads;
    }

    public ReadRouter reads() {
        return reads;
    }

    /**
     * A read that may be served by a replica (as {@code reads} decides for this exchange); a replica that
     * fails is reported to the router and the read is retried once on the primary.
     */
    public <T> List<T> read(Exchange exchange, String operation, String sql, RowMapper<T> mapper, Object... params) {
        ReadRouter.Target target = reads.route(exchange);
        if (target.primary()) return query(exchange, operation, sql, mapper, params);
        try {
            return run(target.dataSource(), exchange, operation + "@" + target.name(), sql, params, statement -> {
                List<T> rows = new ArrayList<>();
                try (ResultSet rs = statement.executeQuery()) {
                    while (rs.next()) rows.add(mapper.map(rs));
                }
                return rows;
            });
        } catch (DatabaseUnavailable e) {
            reads.failed(target, e);
            return query(exchange, operation, sql, mapper, params);
        }
    }

    /** Work inside one transaction on the primary. */
    @FunctionalInterface
    public interface Transaction<T> {
        T run(Connection connection) throws SQLException;
    }

    /**
     * Runs {@code work} in one transaction on the primary: committed if it returns, rolled back if it
     * throws (an {@link io.requestflow.engine.http.HttpError} it throws still reaches the caller as is).
     * Recorded as one {@code postgres} Server-Timing entry.
     */
    public <T> T transaction(Exchange exchange, String operation, Transaction<T> work) {
        Span span = exchange.tracing().startClient(exchange.span(), "postgres " + operation);
        span.setAttribute("db.system.name", "postgresql");
        span.setAttribute("db.operation.name", operation);
        long start = System.nanoTime();
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                T result = work.run(c);
                c.commit();
                reads.wrote(exchange, c);
                return result;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(true);
            }
        } catch (SQLException e) {
            span.setStatus(StatusCode.ERROR, e.getMessage());
            throw new DatabaseUnavailable("the database did not answer: " + e.getMessage(), e);
        } finally {
            exchange.recordCall("postgres", System.nanoTime() - start, operation);
            span.end();
        }
    }

    public <T> List<T> query(Exchange exchange, String operation, String sql, RowMapper<T> mapper, Object... params) {
        return run(exchange, operation, sql, params, statement -> {
            List<T> rows = new ArrayList<>();
            try (ResultSet rs = statement.executeQuery()) {
                while (rs.next()) rows.add(mapper.map(rs));
            }
            return rows;
        });
    }

    public int update(Exchange exchange, String operation, String sql, Object... params) {
        return run(exchange, operation, sql, params, PreparedStatement::executeUpdate);
    }

    /** Whether the database answers right now, within {@code seconds}. */
    public boolean reachable(int seconds) {
        try (Connection c = dataSource.getConnection()) {
            return c.isValid(seconds);
        } catch (SQLException e) {
            return false;
        }
    }

    @FunctionalInterface
    private interface Work<T> {
        T apply(PreparedStatement statement) throws SQLException;
    }

    private <T> T run(Exchange exchange, String operation, String sql, Object[] params, Work<T> work) {
        return run(dataSource, exchange, operation, sql, params, work);
    }

    private <T> T run(DataSource dataSource, Exchange exchange, String operation, String sql, Object[] params,
                      Work<T> work) {
        Span span = exchange.tracing().startClient(exchange.span(), "postgres " + operation);
        span.setAttribute("db.system.name", "postgresql");
        span.setAttribute("db.operation.name", operation);
        long start = System.nanoTime();
        try (Connection c = dataSource.getConnection();
             PreparedStatement statement = c.prepareStatement(sql + " /*traceparent='"
                     + Tracing.traceparent(span) + "'*/")) {
            for (int i = 0; i < params.length; i++) statement.setObject(i + 1, params[i]);
            return work.apply(statement);
        } catch (SQLException e) {
            span.setStatus(StatusCode.ERROR, e.getMessage());
            throw new DatabaseUnavailable("the database did not answer: " + e.getMessage(), e);
        } finally {
            exchange.recordCall("postgres", System.nanoTime() - start, operation);
            span.end();
        }
    }

    /** A database failure; services answer it with 503 rather than a stack trace. */
    public static final class DatabaseUnavailable extends RuntimeException {
        public DatabaseUnavailable(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
