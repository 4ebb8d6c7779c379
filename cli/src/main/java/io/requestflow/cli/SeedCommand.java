package io.requestflow.cli;

import io.requestflow.data.CatalogSeeder;
import io.requestflow.data.DataTier;
import io.requestflow.data.ShopSeeder;
import io.requestflow.topology.Topology;
import io.requestflow.topology.TopologyLoader;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/**
 * {@code ./flow seed --products N}: (re)generates the catalog, inventory, reviews and order history at
 * any size, with progress, into the data directory {@code up} uses. Replicas run meanwhile and stream it.
 */
@Command(name = "seed", mixinStandardHelpOptions = true, usageHelpAutoWidth = true,
        description = {"Generate the catalog, stock, reviews and order history (deterministic).",
                "Scales from the 10,000-product default to millions; start the topology with the same",
                "--products afterwards (up reseeds to its own size otherwise)."})
public final class SeedCommand implements Callable<Integer> {
    @Option(names = "--products", paramLabel = "N", required = true, description = "Products to generate (1..50,000,000)")
    int products;

    @Option(names = "--config", paramLabel = "FILE",
            description = "Topology file (default: config/topology.yaml if present, else built-in defaults)")
    Path config;

    @Option(names = "--data-dir", paramLabel = "DIR", description = "Where data lives (default: var/ or the config's dataDir)")
    Path dataDir;

    @Override
    public Integer call() {
        if (products < 1 || products > 50_000_000) {
            throw new IllegalArgumentException("--products must be between 1 and 50,000,000, got " + products);
        }
        Path file = config != null ? config : Flow.home().resolve("config/topology.yaml");
        Topology t = TopologyLoader.load(file, config != null);
        Path data = dataDir != null ? dataDir : Flow.home().resolve(t.dataDir);
        long start = System.nanoTime();
        System.out.println("requestflow seed: starting PostgreSQL (data in " + data + ")…");
        try (DataTier tier = DataTier.start(data, t.data.postgres, t.data.replicas, t.data.redis, 0)) {
            System.out.println("  catalog: " + products + " products");
            boolean catalog = new CatalogSeeder(tier.dataSource()).seed(products, line -> System.out.println("  " + line));
            System.out.println(catalog ? "  catalog loaded" : "  catalog already holds exactly these products");
            boolean shop = new ShopSeeder(tier.dataSource()).seed(products, line -> System.out.println("  " + line));
            System.out.println(shop ? "  inventory, reviews and " + ShopSeeder.orderCount(products) + " orders loaded"
                    : "  inventory, reviews and orders already match");
        }
        if (t.data.postgres.usesEmbedded()) {
            System.out.printf("requestflow seed: done in %.1f s. Start it with: ./flow up --products %d%n",
                    (System.nanoTime() - start) / 1e9, products);
        } else {
            System.out.printf("requestflow seed: done in %.1f s, in %s%n", (System.nanoTime() - start) / 1e9,
                    t.data.postgres.url());
        }
        return 0;
    }
}
