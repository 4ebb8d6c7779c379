package io.requestflow.dns;

import io.micrometer.core.instrument.MeterRegistry;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.unix.UnixChannelOption;
import io.netty.channel.nio.NioIoHandler;
import io.requestflow.dns.geo.ClientLocator;
import io.requestflow.dns.geo.GeoIpDatabase;
import io.requestflow.dns.health.HealthMonitor;
import io.requestflow.engine.fault.FaultPlan;
import io.requestflow.engine.fault.Faults;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import io.netty.handler.codec.LengthFieldPrepender;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The dns hop: an authoritative server for one {@link Zone}, listening on UDP and TCP on the same port and
 * giving the same answers on both.
 *
 * <p>Start it with {@link #start(DnsConfig, MeterRegistry)} (own event loops) or
 * {@link #start(DnsConfig, MeterRegistry, EventLoopGroup)} (a group the process shares; NIO, epoll or io_uring).
 * {@link #close()} stops listening and waits a bounded time.
 */
public final class DnsServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(DnsServer.class);

    /** One loop serves the UDP socket; a second keeps TCP accepts from queueing behind it. */
    private static final int OWN_THREADS = 2;
    /** With port 0, TCP may find the port UDP got already taken by someone else's TCP socket: pick again. */
    private static final int EPHEMERAL_BIND_ATTEMPTS = 20;
    private static final long BIND_TIMEOUT_SECONDS = 5;
    private static final long CLOSE_TIMEOUT_SECONDS = 2;
    /** Receive buffer per datagram: queries are far smaller, and a longer one arrives cut and gets FORMERR. */
    private static final int MAX_UDP_QUERY = 4096;
    private static final int TCP_LENGTH_PREFIX = 2;
    /** Datagrams read at once with epoll (one recvmmsg call) or io_uring. */
    private static final int RECVMMSG_BATCH = 16;

    private static final Logger queryLog = LoggerFactory.getLogger("io.requestflow.dns.query");

    private final DnsConfig config;
    /** What answers queries now; a reload swaps it whole, so a query sees one zone, never a mix. */
    private volatile DnsResponder responder;
    private volatile DnsConfig current;
    private final ClientLocator locator;
    private final HealthMonitor health;
    private final ResponseRateLimiter rateLimiter;
    private final DnsMetrics metrics;
    private final List<Channel> extraUdp = new ArrayList<>();
    private final EventLoopGroup group;
    private final boolean ownsGroup;
    private final ChannelTypes channelTypes;
    private final ChannelGroup connections = new DefaultChannelGroup("dns-tcp", GlobalEventExecutor.INSTANCE);
    private final AtomicBoolean closed = new AtomicBoolean();
    /** Faults injected on purpose ({@code ./flow break dns}), or null where nothing can inject them. */
    private final Faults faults;
    private Channel udp;
    private Channel tcp;

    private DnsServer(DnsConfig config, MeterRegistry registry, EventLoopGroup group, boolean ownsGroup, Faults faults) {
        this.config = config;
        this.faults = faults;
        this.current = config;
        Zone zone = Zone.from(config);
        this.locator = new ClientLocator(config.regions(), config.defaultRegion(),
                config.geoip() ? GeoIp.DATABASE : null);
        HealthMonitor.validate(zone.healthTargets(config)); // before any checker thread exists
        this.health = new HealthMonitor(config.health(), registry);
        this.health.watch(zone.healthTargets(config));
        this.responder = new DnsResponder(zone, config, locator, health::healthy);
        this.rateLimiter = new ResponseRateLimiter(config.rateLimit());
        this.metrics = new DnsMetrics(registry);
        this.group = group;
        this.ownsGroup = ownsGroup;
        this.channelTypes = ChannelTypes.forGroup(group);
    }

    /** Starts a server on its own NIO event loops, which {@link #close()} shuts down. */
    public static DnsServer start(DnsConfig config, MeterRegistry registry) {
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(
                OWN_THREADS, new DefaultThreadFactory("requestflow-dns", true), NioIoHandler.newFactory());
        try {
            return start(config, registry, group, true, null);
        } catch (RuntimeException e) {
            // Wait for the loops to end: NIO frees a closed socket's port only when its selector lets go.
            group.shutdownGracefully(0, 0, TimeUnit.SECONDS)
                    .awaitUninterruptibly(CLOSE_TIMEOUT_SECONDS, TimeUnit.SECONDS);
            throw e;
        }
    }

    /** Starts a server on a group the caller owns and shuts down; {@link #close()} leaves it running. */
    public static DnsServer start(DnsConfig config, MeterRegistry registry, EventLoopGroup group) {
        return start(config, registry, group, false, null);
    }

    /**
     * As above, answering as {@code faults} says while a fault is injected: SERVFAIL for its error share
     * (whatever status was asked for: DNS has one way to say "I am broken"), no answer for its reset share,
     * every answer held back by its latency, and (through the admin port's readiness) unready.
     */
    public static DnsServer start(DnsConfig config, MeterRegistry registry, EventLoopGroup group, Faults faults) {
        return start(config, registry, group, false, faults);
    }

    private static DnsServer start(DnsConfig config, MeterRegistry registry, EventLoopGroup group, boolean owns,
                                   Faults faults) {
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(registry, "registry");
        Objects.requireNonNull(group, "group");
        DnsServer server = new DnsServer(config, registry, group, owns, faults);
        server.bind();
        log.info("dns: authoritative for {} on {} (udp x{} + tcp)", server.zone().origin(), server.address(),
                1 + server.extraUdp.size());
        return server;
    }

    /** The bound address; its port is the real one when the config asked for port 0. */
    public InetSocketAddress address() {
        return (InetSocketAddress) udp.localAddress();
    }

    /** The config now served (the latest reload's). */
    public DnsConfig config() {
        return current;
    }

    public Zone zone() {
        return responder.zone();
    }

    /**
     * Serves the zone from {@code fresh} from the next query on, with a higher SOA serial; the listen address
     * stays (changing it takes a restart). Health state of targets that remain is kept.
     *
     * @throws IllegalArgumentException when the new zone is invalid; the old one keeps serving
     */
    public synchronized Zone reload(DnsConfig fresh) {
        long previous = zone().soa().getSerial();
        Zone zone = Zone.from(fresh, previous + 1);
        health.watch(zone.healthTargets(fresh));
        responder = new DnsResponder(zone, fresh, locator, health::healthy);
        current = fresh;
        log.info("dns: reloaded {} (serial {} -> {})", zone.origin(), previous, zone.soa().getSerial());
        return zone;
    }

    /** How many distinct event loops read the UDP sockets (one per loop with epoll or io_uring; for tests). */
    long udpLoops() {
        return Stream.concat(Stream.of(udp), extraUdp.stream())
                .map(Channel::eventLoop).distinct().count();
    }

    /** Health of every checked target, for the admin API. */
    public Map<String, Map<String, Object>> health() {
        return health.snapshot();
    }

    /** Stops both listeners and open TCP connections, waiting at most a few seconds. Safe to call twice. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        closeQuietly(udp);
        extraUdp.forEach(DnsServer::closeQuietly);
        closeQuietly(tcp);
        health.close();
        connections.close().awaitUninterruptibly(CLOSE_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        if (ownsGroup) {
            group.shutdownGracefully(0, CLOSE_TIMEOUT_SECONDS, TimeUnit.SECONDS)
                    .awaitUninterruptibly(CLOSE_TIMEOUT_SECONDS + 1, TimeUnit.SECONDS);
        }
    }

    private void bind() {
        InetAddress host;
        try {
            host = InetAddress.getByName(config.host());
        } catch (UnknownHostException e) {
            throw DnsBindException.of(config.host(), config.port(), "udp", e);
        }
        int attempts = config.port() == 0 ? EPHEMERAL_BIND_ATTEMPTS : 1;
        for (int attempt = 1; ; attempt++) {
            // UDP first: with port 0 it picks the number, and TCP then takes the same one.
            udp = open(bindUdp(host, config.port(), 0), config.port(), "udp");
            int port = ((InetSocketAddress) udp.localAddress()).getPort();
            ChannelFuture tcpBind = bindTcp(host, port);
            if (await(tcpBind)) {
                tcp = tcpBind.channel();
                bindMoreUdp(host, port);
                return;
            }
            closeQuietly(udp);
            if (attempt >= attempts) {
                throw DnsBindException.of(config.host(), port, "tcp", tcpBind.cause());
            }
            log.debug("dns: tcp port {} taken, picking another port", port, tcpBind.cause());
        }
    }

    /** The {@code index}-th UDP socket, read by the {@code index}-th event loop (round the group). */
    private ChannelFuture bindUdp(InetAddress host, int port, int index) {
        List<EventLoop> loops = loops();
        Bootstrap bootstrap = new Bootstrap()
                // on a loop of its own, not the group's next(): that turn may have gone to the TCP listener or
                // another server in the process, and two sockets on one loop leave a core idle
                .group(loops.get(index % loops.size()))
                .channel(channelTypes.datagram())
                .option(ChannelOption.RECVBUF_ALLOCATOR, new FixedRecvByteBufAllocator(MAX_UDP_QUERY))
                .handler(new UdpQueryHandler(answerer(DnsTransport.UDP)));
        if (channelTypes.nativeLinux()) {
            // Several sockets on one port, each read by its own event loop: the kernel spreads the datagrams.
            // And up to RECVMMSG_BATCH datagrams per read, each at most MAX_UDP_QUERY bytes: one recvmmsg call with
            // epoll, as many recvmsg operations submitted together with io_uring.
            bootstrap.option(UnixChannelOption.SO_REUSEPORT, true)
                    .option(channelTypes.maxDatagramPayload(), MAX_UDP_QUERY)
                    .option(ChannelOption.RECVBUF_ALLOCATOR,
                            new FixedRecvByteBufAllocator(MAX_UDP_QUERY * RECVMMSG_BATCH));
        }
        return bootstrap.bind(new InetSocketAddress(host, port));
    }

    /** With io_uring or epoll, more UDP sockets on the same port (SO_REUSEPORT), one per event loop unless configured. */
    private void bindMoreUdp(InetAddress host, int port) {
        if (!channelTypes.nativeLinux()) {
            return;
        }
        int wanted = config.udpSockets() > 0 ? config.udpSockets() : loops().size();
        for (int i = 1; i < wanted; i++) {
            ChannelFuture more = bindUdp(host, port, i);
            if (!await(more)) {
                log.warn("dns: only {} udp sockets on port {}", i, port, more.cause());
                return;
            }
            extraUdp.add(more.channel());
        }
    }

    private List<EventLoop> loops() {
        List<EventLoop> loops = new ArrayList<>();
        for (EventExecutor executor : group) {
            loops.add((EventLoop) executor);
        }
        return loops;
    }

    private ChannelFuture bindTcp(InetAddress host, int port) {
        return new ServerBootstrap()
                .group(group)
                .channel(channelTypes.server())
                // a port left in TIME_WAIT by some earlier client connection is still free to listen on
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel channel) {
                        connections.add(channel);
                        channel.pipeline().addLast(
                                new IdleStateHandler(0, 0, config.tcpIdleTimeoutSeconds(), TimeUnit.SECONDS),
                                // queries are small: a frame longer than maxQueryBytes is refused before it is buffered
                                new LengthFieldBasedFrameDecoder(
                                        Math.min(config.maxTcpMessageSize(), config.maxQueryBytes()) + TCP_LENGTH_PREFIX,
                                        0, TCP_LENGTH_PREFIX, 0, TCP_LENGTH_PREFIX),
                                new LengthFieldPrepender(TCP_LENGTH_PREFIX),
                                new TcpQueryHandler(answerer(DnsTransport.TCP)));
                    }
                })
                .bind(new InetSocketAddress(host, port));
    }

    private Answerer answerer(DnsTransport transport) {
        return new Answerer() {
            @Override
            public ByteBuf answer(ByteBuf query, InetSocketAddress client, ByteBufAllocator alloc) {
                FaultPlan plan = faults == null ? null : faults.current();
                FaultPlan.Fate fate = plan == null ? FaultPlan.Fate.PASS : plan.fateNow(ThreadLocalRandom.current());
                if (fate == FaultPlan.Fate.FAIL) return serverFailure(query, client, transport, alloc);
                if (fate == FaultPlan.Fate.RESET) {
                    faults.countReset();
                    return null; // no answer: the client times out (UDP) or sees the connection close (TCP)
                }
                return DnsServer.this.answer(query, client, transport, alloc);
            }

            @Override
            public long delayMillis() {
                FaultPlan plan = faults == null ? null : faults.current();
                long delay = plan == null ? 0 : plan.delayNowMs(ThreadLocalRandom.current());
                if (delay > 0) faults.countDelayed();
                return delay;
            }
        };
    }

    /** An injected failure: SERVFAIL, metered like any answer. */
    private ByteBuf serverFailure(ByteBuf query, InetSocketAddress client, DnsTransport transport, ByteBufAllocator alloc) {
        long start = System.nanoTime();
        faults.countFailed();
        DnsResponder.Reply reply = responder.serverFailure(ByteBufUtil.getBytes(query), transport);
        metrics.record(transport, reply, System.nanoTime() - start);
        if (queryLog.isDebugEnabled()) queryLog.debug("{} (injected fault)", QueryLogLine.of(client, transport, reply));
        return reply.dropped() ? null : alloc.ioBuffer(reply.wire().length).writeBytes(reply.wire());
    }

    /**
     * Query to response (null: send nothing), metered and, over UDP, rate limited. Runs on an event loop thread.
     * A query with a ready-made answer is served from where it lies, allocating only the response buffer; the
     * rest is copied out and takes the full way.
     */
    private ByteBuf answer(ByteBuf query, InetSocketAddress client, DnsTransport transport, ByteBufAllocator alloc) {
        long start = System.nanoTime();
        AnswerCache.Entry hit = responder.cached(query, transport);
        if (hit == null) {
            byte[] wire = answer(ByteBufUtil.getBytes(query), client, transport, start);
            return wire == null ? null : alloc.ioBuffer(wire.length).writeBytes(wire);
        }
        metrics.record(transport, hit.qtype(), hit.rcode(), System.nanoTime() - start);
        if (queryLog.isDebugEnabled()) {
            queryLog.debug("{}", QueryLogLine.of(client, transport, hit.reply(ByteBufUtil.getBytes(query))));
        }
        ResponseRateLimiter.Verdict verdict = transport == DnsTransport.UDP
                ? rateLimiter.check(client.getAddress(), hit.questionHash(), hit.rcode())
                : ResponseRateLimiter.Verdict.SEND;
        if (!send(verdict)) {
            return null;
        }
        ByteBuf out = alloc.ioBuffer(hit.length());
        hit.writeTo(query, out, verdict == ResponseRateLimiter.Verdict.SLIP);
        return out;
    }

    /** The full way: dnsjava parses the query and the zone answers it. */
    private byte[] answer(byte[] query, InetSocketAddress client, DnsTransport transport, long start) {
        DnsResponder.Reply reply;
        try {
            reply = responder.respond(query, transport, client);
        } catch (RuntimeException e) {
            // A bug here must cost one answer, never the listener.
            log.warn("dns: failed to answer a {} query", transport.tag(), e);
            reply = DnsResponder.Reply.drop("internal-error");
        }
        metrics.record(transport, reply, System.nanoTime() - start);
        if (reply.dropped()) {
            return null;
        }
        for (Zone.Choice choice : reply.choices()) {
            metrics.decision(choice);
        }
        if (queryLog.isDebugEnabled()) {
            queryLog.debug("{}", QueryLogLine.of(client, transport, reply));
        }
        if (transport == DnsTransport.UDP) {
            ResponseRateLimiter.Verdict verdict = rateLimiter.check(client.getAddress(), reply);
            if (!send(verdict)) {
                return null;
            }
            if (verdict == ResponseRateLimiter.Verdict.SLIP) {
                return reply.truncatedWire();
            }
        }
        return reply.wire();
    }

    /** Counts a rate-limited response; false when nothing is to be sent. */
    private boolean send(ResponseRateLimiter.Verdict verdict) {
        switch (verdict) {
            case SEND -> {
                return true;
            }
            case SLIP -> {
                metrics.rateLimited("slip");
                return true;
            }
            default -> {
                metrics.rateLimited("drop");
                return false;
            }
        }
    }

    /** The GeoLite2 database, read once per process (4 MB) and only if some server wants it. */
    private static final class GeoIp {
        static final GeoIpDatabase DATABASE = GeoIpDatabase.bundled();
    }

    private Channel open(ChannelFuture bind, int port, String protocol) {
        if (!await(bind)) {
            throw DnsBindException.of(config.host(), port, protocol, bind.cause());
        }
        return bind.channel();
    }

    private static boolean await(ChannelFuture bind) {
        return bind.awaitUninterruptibly(BIND_TIMEOUT_SECONDS, TimeUnit.SECONDS) && bind.isSuccess();
    }

    private static void closeQuietly(Channel channel) {
        if (channel != null) {
            channel.close().awaitUninterruptibly(CLOSE_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        }
    }
}
