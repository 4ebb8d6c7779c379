package io.requestflow.cli;

import io.requestflow.engine.http.Json;
import io.requestflow.engine.net.HostPort;
import io.requestflow.topology.Topology;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code ./flow apikey create --plan NAME}: a new API key, printed once. */
@Command(name = "apikey", mixinStandardHelpOptions = true, usageHelpAutoWidth = true,
        description = "Manage API keys (stored hashed by the auth service; sent by clients as x-api-key).",
        subcommands = {ApiKeyCommand.Create.class, ApiKeyCommand.Revoke.class})
public final class ApiKeyCommand implements Runnable {
    @Override
    public void run() {
        new picocli.CommandLine(this).usage(System.out);
    }

    @Command(name = "create", mixinStandardHelpOptions = true, usageHelpAutoWidth = true,
            description = {"Create a key on a usage plan (gateway.plans in the topology) and print it once.",
                    "Needs the auth service running (./flow up)."})
    static final class Create implements Callable<Integer> {
        @Option(names = "--plan", required = true, paramLabel = "NAME", description = "Usage plan")
        String plan;

        @Option(names = "--owner", paramLabel = "TEXT", description = "Who the key is for (a note)")
        String owner;

        @Option(names = "--config", paramLabel = "FILE", description = "Topology file (default: config/topology.yaml)")
        Path config;

        @Option(names = "--admin", paramLabel = "ADDR:PORT", description = "Auth admin address (default: from the topology)")
        String admin;

        @Override
        public Integer call() throws Exception {
            Topology t = AdminPort.topology(config);
            if (!t.gateway.plans.containsKey(plan)) {
                System.err.println("apikey create: no plan '" + plan + "'; plans: " + t.gateway.plans.keySet());
                return 2;
            }
            HostPort address = AdminPort.auth(t, admin);
            String query = "?plan=" + enc(plan) + (owner != null ? "&owner=" + enc(owner) : "");
            try {
                var response = AdminPort.post(address, "/apikeys" + query, AdminPort.DEFAULT_TIMEOUT);
                if (response.statusCode() != 201) {
                    System.err.println("apikey create: auth at " + address + " answered " + response.statusCode() + ": " + response.body());
                    return 1;
                }
                var body = Json.MAPPER.readTree(response.body());
                var p = t.gateway.plans.get(plan);
                System.out.println("API key " + body.path("id").asText() + " on plan " + plan + " (" + p.rate() + "/s, burst "
                        + p.burst() + ", daily " + quota(p.dailyQuota()) + ", monthly " + quota(p.monthlyQuota()) + "):");
                System.out.println();
                System.out.println("  " + body.path("key").asText());
                System.out.println();
                System.out.println("It is shown only now (only its hash is stored). Send it as:  x-api-key: <key>");
                return 0;
            } catch (IOException e) {
                System.err.println("apikey create: the auth service's admin port " + address + " did not answer ("
                        + e.getClass().getSimpleName() + "); is `./flow up` running?");
                return 1;
            }
        }
    }

    @Command(name = "revoke", mixinStandardHelpOptions = true, usageHelpAutoWidth = true,
            description = "Revoke a key by id (gateways stop accepting it within gateway.apiKeyCacheSeconds).")
    static final class Revoke implements Callable<Integer> {
        @Option(names = "--id", required = true, paramLabel = "ID", description = "The key's id (key_…)")
        String id;

        @Option(names = "--config", paramLabel = "FILE", description = "Topology file (default: config/topology.yaml)")
        Path config;

        @Option(names = "--admin", paramLabel = "ADDR:PORT", description = "Auth admin address (default: from the topology)")
        String admin;

        @Override
        public Integer call() throws Exception {
            HostPort address = AdminPort.auth(AdminPort.topology(config), admin);
            try {
                var response = AdminPort.post(address, "/apikeys/revoke?id=" + enc(id), AdminPort.DEFAULT_TIMEOUT);
                if (response.statusCode() != 204) {
                    System.err.println("apikey revoke: " + response.statusCode() + ": " + response.body());
                    return 1;
                }
                System.out.println("revoked " + id);
                return 0;
            } catch (IOException e) {
                System.err.println("apikey revoke: the auth service's admin port " + address + " did not answer; is `./flow up` running?");
                return 1;
            }
        }
    }

    private static String quota(long n) {
        return n == 0 ? "unlimited" : Long.toString(n);
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
