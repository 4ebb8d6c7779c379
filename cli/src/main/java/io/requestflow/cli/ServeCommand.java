package io.requestflow.cli;

import io.requestflow.balancer.BalancerConfig;
import io.requestflow.data.DataTier;
import io.requestflow.data.JdbcEndpoint;
import io.requestflow.engine.hop.Engine;
import io.requestflow.engine.hop.HttpHop;
import io.requestflow.engine.net.HostPort;
import io.requestflow.topology.DataEndpoints;
import io.requestflow.topology.Roles;
import io.requestflow.topology.Topology;
import io.requestflow.topology.TopologyLoader;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code ./flow serve --role R}: one hop in its own process, with the same code {@code up} uses. */
@Command(name = "serve", mixinStandardHelpOptions = true,
        usageHelpAutoWidth = true,
        description = {"Run one hop alone, in front of the upstream(s) you name.",
                "This is how a hop is deployed one per process (or pod), and how it is benchmarked",
                "against nginx or HAProxy.",
                "",
                "Roles and their upstreams:",
                "  dns                 answers shop.requestflow.test with the records in the config",
                "  edge                --upstream URL (the firewall, or any HTTP origin)",
                "  firewall            --upstream URL (the balancer, or any HTTP origin)",
                "  balancer            --upstream URL ... (each a target; health: admin port = port+1000, /readyz)",
                "  gateway             --upstream SERVICE=URL ... (auth=..., catalog=...) --redis URL",
                "  auth, catalog       --postgres JDBC_URL --redis redis://HOST:PORT",
                "  inventory, reviews, recommendations, orders: like catalog",
                "  page                --upstream SERVICE=URL ... (catalog=, inventory=, reviews=,",
                "                      recommendations=; defaults from the topology)",
                "  queue               --postgres JDBC_URL --kafka HOST:PORT (the outbox relay and the worker;",
                "                      admin port: queue.adminPort)",
                "  data                embedded PostgreSQL, Redis and Kafka for the roles in other processes",
                "  console             the web console for the roles at the topology's ports (default port",
                "                      console.port; break/heal, a request's waterfall, traces)",
                "",
                "JVM options go in REQUESTFLOW_JAVA_OPTS, e.g. -Drequestflow.transport=epoll",
                "(the sockets' transport: auto, the default, is io_uring where the kernel",
                "allows it, else epoll; or ask for io_uring, epoll or nio).",
                "",
                "Example: ./flow serve --role edge --listen 127.0.0.1:18080 --upstream http://127.0.0.1:8000"})
public final class ServeCommand implements Callable<Integer> {

    @Option(names = "--role", required = true, paramLabel = "ROLE", description = "One of: ${COMPLETION-CANDIDATES}",
            completionCandidates = RoleNames.class)
    String role;

    @Option(names = "--config", paramLabel = "FILE", description = "Topology file for defaults (default: config/topology.yaml)")
    Path config;

    @Option(names = "--listen", paramLabel = "ADDR:PORT", description = "Traffic address (default: from the topology)")
    String listen;

    @Option(names = "--tls-listen", paramLabel = "ADDR:PORT",
            description = "edge: HTTPS address (default: edge.tlsPort, or none when --listen is given)")
    String tlsListen;

    @Option(names = "--tls-cert", paramLabel = "FILE",
            description = "edge: PEM certificate chain to serve over HTTPS, leaf first (default: edge.tlsCertificate,"
                    + " else one issued by the local CA); re-read when the file is replaced")
    Path tlsCertificate;

    @Option(names = "--tls-key", paramLabel = "FILE",
            description = "edge: the certificate's unencrypted PEM private key (PKCS#8, PKCS#1 or SEC1)")
    Path tlsKey;

    @Option(names = "--admin", paramLabel = "ADDR:PORT", description = "Admin address (default: listen port + 1000)")
    String admin;

    @Option(names = "--upstream", paramLabel = "URL", description = "Upstream(s); see the roles above")
    List<String> upstreams = new ArrayList<>();

    @Option(names = "--instance", paramLabel = "NAME", description = "Instance name for metrics and traces (default ROLE-1)")
    String instance;

    @Option(names = "--postgres", paramLabel = "JDBC_URL", description = "PostgreSQL for auth/catalog")
    String postgres;

    @Option(names = "--postgres-user", paramLabel = "USER", defaultValue = "requestflow")
    String postgresUser;

    @Option(names = "--postgres-password", paramLabel = "PASSWORD", defaultValue = "requestflow")
    String postgresPassword;

    @Option(names = "--redis", paramLabel = "URL", description = "Redis for auth, catalog, gateway, e.g. redis://127.0.0.1:6380")
    String redis;

    @Option(names = "--kafka", paramLabel = "HOST:PORT", description = "Kafka bootstrap servers for the queue role")
    String kafka;

    static final class RoleNames extends ArrayList<String> {
        RoleNames() {
            super(Roles.NAMES);
        }
    }

    @Override
    public Integer call() throws Exception {
        if (!Roles.NAMES.contains(role)) {
            throw new IllegalArgumentException("unknown role '" + role + "'; choose one of " + Roles.NAMES);
        }
        Path file = config != null ? config : Flow.home().resolve("config/topology.yaml");
        Topology t = TopologyLoader.load(file, config != null);
        if (java.nio.file.Files.exists(file)) t.source = file;
        if (tlsCertificate != null || tlsKey != null) {
            // from the command line: relative to where it runs
            t.edge.tlsCertificate = tlsCertificate == null ? null : tlsCertificate.toAbsolutePath().toString();
            t.edge.tlsKey = tlsKey == null ? null : tlsKey.toAbsolutePath().toString();
        }
        t.edge.resolveCertificatePaths(Flow.home());
        if (tlsCertificate != null && role.equals("edge") && edgeTls(t) == null) {
            throw new IllegalArgumentException("--tls-cert needs an HTTPS listener: with --listen, add --tls-listen ADDR:PORT");
        }
        Path dataDir = Flow.home().resolve(t.dataDir);
        String name = instance != null ? instance : role + "-1";
        Engine engine = new Engine(0, 10_000, t.tracing.sampleRatio);
        List<AutoCloseable> started = new ArrayList<>();
        try {
            Roles roles = new Roles(engine, t, dataDir);
            String description = switch (role) {
                case "dns" -> {
                    var dnsConfig = t.dns;
                    if (listen != null) {
                        HostPort hp = HostPort.parse(listen);
                        dnsConfig = dnsConfig.withHost(hp.host()).withPort(hp.port());
                    }
                    var dns = roles.dns(name, dnsConfig, adminFor(HostPort.of(new java.net.InetSocketAddress(
                            dnsConfig.host(), dnsConfig.port())), t.dnsAdminPort));
                    started.add(dns);
                    yield "dns on udp+tcp " + HostPort.of(dns.server().address()) + ", admin " + HostPort.of(dns.admin().address());
                }
                case "edge" -> describe(track(started, roles.edge(name, listenOf(t, t.edge),
                        edgeTls(t), adminOf(t, t.edge),
                        single(new HostPort(t.bind, t.firewall.port)))));
                case "firewall" -> describe(track(started, roles.firewall(name, listenOf(t, t.firewall),
                        adminOf(t, t.firewall),
                        single(new HostPort(t.bind, t.balancer.port)), redis != null ? redis : t.data.redis.url())));
                case "balancer" -> describe(track(started, roles.balancer(name, listenOf(t, t.balancer),
                        adminOf(t, t.balancer), targets(t))));
                case "gateway" -> describe(track(started, roles.gateway(name, listenOf(t, t.gateway),
                        adminOf(t, t.gateway), services(t),
                        gatewayRedis(t))));
                case "auth" -> describe(track(started, roles.auth(name, listenOf(t, t.services.auth),
                        adminOf(t, t.services.auth),
                        dataEndpoints(t))));
                case "catalog" -> describe(track(started, roles.catalog(name, listenOf(t, t.services.catalog),
                        adminOf(t, t.services.catalog),
                        dataEndpoints(t))));
                case "inventory" -> describe(track(started, roles.inventory(name, listenOf(t, t.services.inventory),
                        adminOf(t, t.services.inventory),
                        dataEndpoints(t))));
                case "reviews" -> describe(track(started, roles.reviews(name, listenOf(t, t.services.reviews),
                        adminOf(t, t.services.reviews),
                        dataEndpoints(t))));
                case "recommendations" -> describe(track(started, roles.recommendations(name,
                        listenOf(t, t.services.recommendations), adminOf(t, t.services.recommendations),
                        dataEndpoints(t))));
                case "orders" -> describe(track(started, roles.orders(name, listenOf(t, t.services.orders),
                        adminOf(t, t.services.orders),
                        dataEndpoints(t))));
                case "page" -> describe(track(started, roles.page(name, listenOf(t, t.services.page),
                        adminOf(t, t.services.page),
                        services(t))));
                case "queue" -> {
                    String bootstrap = kafka != null ? kafka : t.data.kafka.url();
                    if (bootstrap == null) {
                        throw new IllegalArgumentException("queue needs Kafka: pass --kafka HOST:PORT (or set data.kafka.url);"
                                + " `./flow serve --role data` runs one on " + t.bind + ":" + t.data.kafka.port());
                    }
                    var queue = roles.queue(name, admin != null ? HostPort.parse(admin) : new HostPort(t.bind, t.queue.adminPort),
                            new DataEndpoints(jdbc(t), null, List.of(), false), bootstrap);
                    started.add(queue);
                    yield "queue: outbox -> kafka " + bootstrap + " topic " + t.queue.topic + ", worker group "
                            + t.queue.group + ", admin " + HostPort.of(queue.admin().address());
                }
                case "data" -> {
                    DataTier data = DataTier.start(dataDir, t.data.postgres, t.data.replicas, t.data.redis,
                            t.catalogProducts);
                    started.add(data);
                    String broker = "";
                    if (t.queue.enabled && t.data.kafka.usesEmbedded()) {
                        var embedded = io.requestflow.data.EmbeddedKafkaServer.start(dataDir, t.data.kafka);
                        started.add(embedded);
                        broker = ", kafka " + embedded.bootstrap();
                    }
                    yield "data: postgres " + data.jdbc().url() + " (user " + data.jdbcUser() + "), replicas "
                            + data.replicas().stream().map(JdbcEndpoint::url).toList() + ", redis " + data.redisUrl() + broker;
                }
                case "console" -> {
                    var settings = t.console.settings();
                    HostPort at = listen != null ? HostPort.parse(listen) : new HostPort(t.bind, settings.port());
                    io.requestflow.console.PathDirectory directory = new TopologyDirectory(t);
                    if (t.console.podDomain != null) {
                        var pods = new io.requestflow.cli.kube.PodDirectory(t, t.console.podDomain, settings.adminTimeoutMs());
                        started.add(pods);
                        directory = pods;
                    }
                    var console = io.requestflow.console.ConsoleServer.start(engine, at.host(),
                            directory, new io.requestflow.console.ConsoleSettings(at.port(),
                                    settings.adminTimeoutMs(), settings.requestTimeoutMs()));
                    started.add(console);
                    yield "console on http://" + HostPort.of(console.address()) + "/ for "
                            + (t.console.podDomain == null ? "the topology's ports" : "the pods of *-admin." + t.console.podDomain);
                }
                default -> throw new IllegalStateException(role);
            };
            System.out.println("requestflow serve: " + description + " (transport "
                    + io.requestflow.engine.net.Transport.describe() + "). Stop: Ctrl-C");
        } catch (RuntimeException e) {
            closeAll(started, engine);
            throw e;
        }
        StopSignal.awaitThenStop(() -> closeAll(started, engine));
        return 0;
    }

    private static void closeAll(List<AutoCloseable> started, Engine engine) {
        for (int i = started.size() - 1; i >= 0; i--) {
            try {
                started.get(i).close();
            } catch (Exception ignored) {
                // best effort on the way out
            }
        }
        engine.close();
    }

    private static HttpHop track(List<AutoCloseable> started, HttpHop hop) {
        started.add(hop);
        return hop;
    }

    private static String describe(HttpHop hop) {
        return hop.context().instance() + " on " + HostPort.of(hop.address())
                + (hop.tlsAddress() == null ? "" : ", https " + HostPort.of(hop.tlsAddress()))
                + ", admin " + HostPort.of(hop.adminAddress());
    }

    /** --tls-listen, else the topology's edge.tlsPort unless --listen moved the edge elsewhere. */
    private HostPort edgeTls(Topology t) {
        if (tlsListen != null) return HostPort.parse(tlsListen);
        if (listen != null || t.edge.tlsPort == null) return null;
        return new HostPort(t.bind, t.edge.tlsPort);
    }

    /** Where a role listens: --listen, else its port in the topology. */
    private HostPort listenOf(Topology t, Topology.Listener role) {
        return listen != null ? HostPort.parse(listen) : new HostPort(t.bind, role.port);
    }

    /** The role's admin address, as {@link #adminFor} decides it. */
    private HostPort adminOf(Topology t, Topology.Listener role) {
        return adminFor(listenOf(t, role), role.adminPortOrDefault());
    }

    /** --admin, else the listen port + 1000 when --listen was given, else the topology's admin port. */
    private HostPort adminFor(HostPort traffic, int configuredAdmin) {
        if (admin != null) return HostPort.parse(admin);
        if (listen != null) return traffic.withPort(traffic.port() == 0 ? 0 : traffic.port() + 1000);
        return traffic.withPort(configuredAdmin);
    }

    private HostPort single(HostPort fallback) {
        if (upstreams.size() > 1) throw new IllegalArgumentException(role + " takes one --upstream, got " + upstreams.size());
        return upstreams.isEmpty() ? fallback : toHostPort(upstreams.getFirst());
    }

    private List<BalancerConfig.Target> targets(Topology t) {
        List<BalancerConfig.Target> targets = new ArrayList<>();
        if (upstreams.isEmpty()) {
            for (int i = 0; i < t.gateway.instances; i++) {
                HostPort hp = new HostPort(t.bind, t.gateway.port + i);
                targets.add(new BalancerConfig.Target("gateway-" + (i + 1), hp.toString(),
                        "http://" + hp.withPort(t.gateway.adminPortOrDefault() + i) + "/readyz"));
            }
        } else {
            for (String u : upstreams) {
                HostPort hp = toHostPort(u);
                targets.add(new BalancerConfig.Target(hp.toString(), hp.toString(), null));
            }
        }
        return targets;
    }

    private Map<String, HostPort> services(Topology t) {
        Map<String, HostPort> services = new LinkedHashMap<>();
        services.put("auth", new HostPort(t.bind, t.services.auth.port));
        services.put("catalog", new HostPort(t.bind, t.services.catalog.port));
        services.put("inventory", new HostPort(t.bind, t.services.inventory.port));
        services.put("reviews", new HostPort(t.bind, t.services.reviews.port));
        services.put("recommendations", new HostPort(t.bind, t.services.recommendations.port));
        services.put("page", new HostPort(t.bind, t.services.page.port));
        services.put("orders", new HostPort(t.bind, t.services.orders.port));
        for (String u : upstreams) {
            int eq = u.indexOf('=');
            if (eq <= 0) throw new IllegalArgumentException("gateway upstreams are SERVICE=URL, e.g. catalog=http://127.0.0.1:8500");
            services.put(u.substring(0, eq), toHostPort(u.substring(eq + 1)));
        }
        return services;
    }

    /** Redis for the gateway's shared buckets and deny list: --redis, the config's url, else the data role's. */
    private String gatewayRedis(Topology t) {
        if (redis != null) return redis;
        if (t.data.redis.url() != null) return t.data.redis.url();
        return "redis://" + t.bind + ":" + t.data.redis.port();
    }

    /** The primary, for the queue role (which needs no Redis). */
    private JdbcEndpoint jdbc(Topology t) {
        String jdbcUrl = postgres != null ? postgres : t.data.postgres.url();
        if (jdbcUrl == null) {
            throw new IllegalArgumentException(role + " needs PostgreSQL: pass --postgres JDBC_URL (or set data.postgres.url);"
                    + " `./flow serve --role data` runs one");
        }
        return postgres != null ? new JdbcEndpoint(jdbcUrl, postgresUser, postgresPassword)
                : new JdbcEndpoint(jdbcUrl, t.data.postgres.user(), t.data.postgres.password());
    }

    private DataEndpoints dataEndpoints(Topology t) {
        String jdbcUrl = postgres != null ? postgres : t.data.postgres.url();
        String redisUrl = redis != null ? redis : t.data.redis.url();
        if (jdbcUrl == null || redisUrl == null) {
            throw new IllegalArgumentException(role + " needs PostgreSQL and Redis: pass --postgres JDBC_URL and --redis URL"
                    + " (or set data.postgres.url and data.redis.url in the config); `./flow serve --role data` runs both");
        }
        String user = postgres != null ? postgresUser : t.data.postgres.user();
        String password = postgres != null ? postgresPassword : t.data.postgres.password();
        List<JdbcEndpoint> replicas = t.data.replicas.urls().stream()
                .map(url -> new JdbcEndpoint(url, user, password)).toList();
        return new DataEndpoints(new JdbcEndpoint(jdbcUrl, user, password), redisUrl, replicas, false);
    }

    static HostPort toHostPort(String url) {
        String s = url.trim();
        if (s.contains("://")) {
            URI uri = URI.create(s);
            if (!"http".equals(uri.getScheme())) {
                throw new IllegalArgumentException("upstream '" + url + "' must be http:// (TLS to upstreams is not supported yet)");
            }
            int port = uri.getPort() > 0 ? uri.getPort() : 80;
            return new HostPort(uri.getHost().replace("[", "").replace("]", ""), port);
        }
        return HostPort.parse(s);
    }
}
