package io.requestflow.engine.client;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.ConnectTimeoutException;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.internal.ThreadExecutorMap;
import io.requestflow.engine.http.Request;
import io.requestflow.engine.http.Response;
import io.requestflow.engine.net.HostPort;
import io.requestflow.engine.net.LoopFlusher;
import io.requestflow.engine.net.Transport;

import java.net.ConnectException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeoutException;
import java.util.function.BiConsumer;

/**
 * A pooled HTTP/1.1 client for calls between hops: keep-alive connections, bounded per upstream
 * address, a bounded wait queue, connect and read timeouts. Every failure completes the future with
 * an {@link UpstreamException} that says what went wrong; nothing waits forever.
 */
public final class UpstreamClient implements AutoCloseable {
    private static final Set<String> IDEMPOTENT = Set.of("GET", "HEAD", "OPTIONS", "PUT", "DELETE", "TRACE");

    /** One pool per upstream and event loop: a call made on a loop uses connections of that loop, no thread hop. */
    private record PoolKey(HostPort upstream, EventLoop loop) {}

    private final ClientConfig config;
    private final EventLoopGroup group;
    private final Map<PoolKey, LoopPool> pools = new ConcurrentHashMap<>();
    private final Bootstrap base;
    private final int connectionsPerLoop;
    private final int pendingPerLoop;
    private volatile boolean closed;
    private final Map<HostPort, AtomicInteger> inFlight = new ConcurrentHashMap<>();

    public UpstreamClient(ClientConfig config, EventLoopGroup group) {
        this.config = config;
        this.group = group;
        int loops = 0;
        for (EventExecutor ignored : group) loops++;
        // the per-upstream bounds are shared out evenly between the loops
        int connectionsPerLoop = Math.max(1, (config.maxConnections() + loops - 1) / loops);
        int pendingPerLoop = Math.max(1, (config.maxPending() + loops - 1) / loops);
        this.connectionsPerLoop = connectionsPerLoop;
        this.pendingPerLoop = pendingPerLoop;
        this.base = new Bootstrap()
                .group(group)
                .channel(Transport.clientChannel())
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) config.connectTimeoutMs())
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.SO_KEEPALIVE, true)
                .handler(new PooledConnectionSetup(config));
    }

    private LoopPool newPool(PoolKey key) {
        return new LoopPool(base.clone(key.loop()).remoteAddress(key.upstream().toSocketAddress()), key.loop(),
                connectionsPerLoop, pendingPerLoop, config.acquireTimeoutMs(), config.idleTimeoutMs());
    }

    public ClientConfig config() {
        return config;
    }

    /** Sends {@code request} (headers as given) to {@code upstream} with the configured read timeout. */
    public CompletableFuture<Response> send(HostPort upstream, Request request) {
        return send(upstream, request, config.readTimeoutMs());
    }

    public CompletableFuture<Response> send(HostPort upstream, Request request, long readTimeoutMs) {
        return send(upstream, request, readTimeoutMs, null);
    }

    /**
     * As above; {@code onDone} (may be null) sees the outcome just before the returned future completes,
     * on the thread completing it: a caller's bookkeeping without a dependent future per call.
     */
    public CompletableFuture<Response> send(HostPort upstream, Request request, long readTimeoutMs,
                                            BiConsumer<Response, Throwable> onDone) {
        return send(upstream, request, readTimeoutMs, onDone, false);
    }

    /**
     * As above; with {@code passBodyThrough} the response keeps its body in the pooled buffer it arrived
     * in (see {@link Response#passingThrough}): the caller must write it on, read it, or release it.
     */
    public CompletableFuture<Response> send(HostPort upstream, Request request, long readTimeoutMs,
                                            BiConsumer<Response, Throwable> onDone, boolean passBodyThrough) {
        return start(upstream, request, readTimeoutMs, new CompletableFuture<>(), onDone, passBodyThrough).result;
    }

    /**
     * As {@link #send(HostPort, Request, long, BiConsumer, boolean)} without a future: the outcome goes to {@code
     * onDone} only (an error as the {@link UpstreamException} itself), which then owns the response. For a caller
     * that completes its own future from the outcome anyway (a balancer's attempt), one future and one dependent
     * stage fewer per call.
     */
    public void call(HostPort upstream, Request request, long readTimeoutMs, BiConsumer<Response, Throwable> onDone,
                     boolean passBodyThrough) {
        start(upstream, request, readTimeoutMs, null, java.util.Objects.requireNonNull(onDone), passBodyThrough);
    }

    private Call start(HostPort upstream, Request request, long readTimeoutMs, CompletableFuture<Response> result,
                       BiConsumer<Response, Throwable> onDone, boolean passBodyThrough) {
        AtomicInteger active = inFlight.computeIfAbsent(upstream, k -> new AtomicInteger());
        Call call = new Call(result, active, onDone, passBodyThrough);
        if (active.incrementAndGet() > config.maxRequests()) {
            finish(call, null, new UpstreamException(UpstreamException.Kind.CIRCUIT_OPEN, upstream,
                    "max " + config.maxRequests(), null));
            return call;
        }
        String method = request.method();
        attempt(upstream, request, readTimeoutMs, call, method.equals("GET") || IDEMPOTENT.contains(method));
        return call;
    }

    /** One call's completion: its future (null when the hook is all), the upstream's in-flight count, the hook. */
    private record Call(CompletableFuture<Response> result, AtomicInteger active,
                        BiConsumer<Response, Throwable> onDone, boolean passBodyThrough) {}

    /** Requests in flight to {@code upstream} through this client right now. */
    public int inFlight(HostPort upstream) {
        AtomicInteger active = inFlight.get(upstream);
        return active == null ? 0 : active.get();
    }

    /** Closes the pool of an upstream that left (its idle keep-alive connections go with it). */
    public void evict(HostPort upstream) {
        List<PoolKey> keys = new ArrayList<>();
        for (PoolKey key : pools.keySet()) if (key.upstream().equals(upstream)) keys.add(key);
        for (PoolKey key : keys) {
            LoopPool pool = pools.remove(key);
            if (pool != null) pool.close();
        }
        inFlight.remove(upstream);
    }

    /** The event loop running this thread, or the next one of the group when called from elsewhere. */
    private EventLoop currentLoop() {
        // the loop running this thread, as Netty keeps it for the thread: no walk through the group (an iterator and
        // a check per loop, about 1 % of a proxy's event-loop time)
        if (ThreadExecutorMap.currentExecutor() instanceof EventLoop loop && loop.parent() == group) return loop;
        for (EventExecutor e : group) if (e.inEventLoop()) return (EventLoop) e;
        return group.next();
    }

    /** Ends a call: the in-flight count drops and the hook runs before the caller sees the outcome. */
    private static void finish(Call call, Response response, Throwable error) {
        call.active.decrementAndGet();
        if (call.result == null) { // call(): the hook is the caller's whole answer
            call.onDone.accept(response, error);
            return;
        }
        try {
            if (call.onDone != null) call.onDone.accept(response, error);
        } finally {
            if (error == null) {
                // a caller that gave up first (orTimeout on the returned future) never sees this answer
                if (!call.result.complete(response)) response.release();
            } else {
                call.result.completeExceptionally(error);
            }
        }
    }

    private void attempt(HostPort upstream, Request request, long readTimeoutMs, Call call, boolean mayRetryStale) {
        if (closed) {
            finish(call, null, new UpstreamException(UpstreamException.Kind.POOL_EXHAUSTED, upstream,
                    "the client is closed", null));
            return;
        }
        LoopPool pool = pools.computeIfAbsent(new PoolKey(upstream, currentLoop()), this::newPool);
        pool.acquire((channel, failure) -> {
            if (failure != null) {
                finish(call, null, classifyAcquireFailure(upstream, failure));
                return;
            }
            // the response handler is the pipeline's last (PooledConnectionSetup): no lookup by class per call
            ResponseHandler handler = channel.pipeline().last() instanceof ResponseHandler last ? last
                    : channel.pipeline().get(ResponseHandler.class);
            boolean reused = handler.calls++ > 0;
            // the handler calls back on the connection's loop; no future per call
            ResponseHandler.Callback done = (response, keepAlive, error) -> {
                if (error != null || !keepAlive) channel.close();
                pool.release(channel);
                if (error == null) {
                    finish(call, response, null);
                } else if (mayRetryStale && reused && error.kind() == UpstreamException.Kind.RESET) {
                    // a pooled connection the upstream had already closed: safe to resend an idempotent request once
                    attempt(upstream, request, readTimeoutMs, call, false);
                } else {
                    finish(call, null, error);
                }
            };
            Runnable write = () -> {
                handler.begin(done, upstream, readTimeoutMs, call.passBodyThrough,
                        request.method().equals("HEAD") || request.method().equals("CONNECT"));
                // no promise per call: a failed write reaches the handler's exceptionCaught, which fails the call
                ByteBuf head = RequestWriter.head(channel.alloc(), request, upstream);
                channel.write(head, channel.voidPromise());
                if (request.body().length > 0) {
                    channel.write(Unpooled.wrappedBuffer(request.body()), channel.voidPromise());
                }
                LoopFlusher.flushSoon(channel);
            };
            if (channel.eventLoop().inEventLoop()) write.run();
            else channel.eventLoop().execute(write);
        });
    }

    private static UpstreamException classifyAcquireFailure(HostPort upstream, Throwable cause) {
        if (cause instanceof ConnectTimeoutException) {
            return new UpstreamException(UpstreamException.Kind.CONNECT_TIMEOUT, upstream, null, cause);
        }
        if (cause instanceof ConnectException) {
            return new UpstreamException(UpstreamException.Kind.CONNECT_REFUSED, upstream, null, cause);
        }
        if (cause instanceof TimeoutException || cause instanceof IllegalStateException) {
            return new UpstreamException(UpstreamException.Kind.POOL_EXHAUSTED, upstream, cause.getMessage(), cause);
        }
        return new UpstreamException(UpstreamException.Kind.CONNECT_REFUSED, upstream, String.valueOf(cause), cause);
    }

    @Override
    public void close() {
        closed = true;
        for (LoopPool pool : pools.values()) pool.close();
        pools.clear();
    }
}
