package io.requestflow.data;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Makes up a plausible product for any id, always the same one.
 *
 * <p>Each product draws from its own generator seeded by its id, so product 42 is identical whether the
 * catalog holds 500 or a million products, and every machine seeds the same catalog.
 */
public final class ProductGenerator {

    private static final long CATALOG_SEED = 0x5EED_CA7A_1061L;
    private static final Instant EPOCH = Instant.parse("2024-01-01T00:00:00Z");
    private static final long CREATION_SPAN_SECONDS = Duration.ofDays(730).toSeconds();

    /** A department: the words that make its names plausible and its price band. */
    private record Category(String slug, List<String> nouns, List<String> materials, int minDollars, int maxDollars) {
    }

    private static final List<Category> CATEGORIES = List.of(
            new Category("home", List.of("Lamp", "Chair", "Table", "Shelf", "Rug", "Mirror", "Clock", "Vase", "Bench", "Cabinet"),
                    List.of("Oak", "Walnut", "Steel", "Linen", "Marble", "Rattan", "Brass"), 15, 900),
            new Category("kitchen", List.of("Kettle", "Knife", "Skillet", "Cutting Board", "Teapot", "Mixing Bowl", "Spatula", "Colander", "Pepper Mill", "Mug"),
                    List.of("Cast Iron", "Stainless Steel", "Ceramic", "Bamboo", "Copper", "Glass", "Maple"), 6, 250),
            new Category("garden", List.of("Planter", "Trowel", "Hose Reel", "Watering Can", "Birdhouse", "Lantern", "Pruner", "Wheelbarrow"),
                    List.of("Terracotta", "Galvanized Steel", "Cedar", "Concrete", "Zinc", "Teak"), 8, 400),
            new Category("outdoors", List.of("Tent", "Backpack", "Hammock", "Canteen", "Cooler", "Camp Stove", "Sleeping Bag", "Trekking Pole"),
                    List.of("Nylon", "Canvas", "Aluminum", "Titanium", "Ripstop Nylon", "Waxed Cotton"), 12, 600),
            new Category("sports", List.of("Dumbbell", "Yoga Mat", "Tennis Racket", "Jump Rope", "Kettlebell", "Helmet", "Soccer Ball", "Water Bottle"),
                    List.of("Rubber", "Carbon Fiber", "Neoprene", "Cork", "Steel", "Foam"), 9, 350),
            new Category("electronics", List.of("Speaker", "Headphones", "Keyboard", "Mouse", "Charger", "Monitor Stand", "Webcam", "Power Bank"),
                    List.of("Aluminum", "Anodized Aluminum", "Graphite", "Walnut", "Polycarbonate", "Silicone"), 15, 800),
            new Category("clothing", List.of("Jacket", "Scarf", "Sweater", "Beanie", "Gloves", "Shirt", "Vest", "Socks"),
                    List.of("Wool", "Cotton", "Linen", "Cashmere", "Denim", "Fleece", "Leather"), 10, 450),
            new Category("shoes", List.of("Boots", "Sneakers", "Sandals", "Loafers", "Slippers", "Running Shoes"),
                    List.of("Leather", "Suede", "Canvas", "Mesh", "Wool", "Rubber"), 25, 350),
            new Category("toys", List.of("Puzzle", "Robot", "Kite", "Building Set", "Yo-Yo", "Train Set", "Teddy Bear", "Spinning Top"),
                    List.of("Beechwood", "Maple", "Plush", "Tin", "Felt", "Recycled Plastic"), 5, 150),
            new Category("office", List.of("Notebook", "Fountain Pen", "Desk Organizer", "Stapler", "Desk", "Bookend", "Letter Tray", "Desk Lamp"),
                    List.of("Leather", "Brass", "Recycled Paper", "Oak", "Steel", "Acrylic"), 4, 700),
            new Category("tools", List.of("Hammer", "Wrench", "Screwdriver Set", "Toolbox", "Tape Measure", "Level", "Hand Saw", "Clamp"),
                    List.of("Forged Steel", "Chrome Vanadium", "Fiberglass", "Hickory", "Aluminum"), 8, 300),
            new Category("pets", List.of("Dog Bowl", "Cat Bed", "Leash", "Collar", "Scratching Post", "Pet Carrier", "Chew Toy", "Feeder"),
                    List.of("Stainless Steel", "Hemp", "Sherpa", "Nylon", "Bamboo", "Leather"), 5, 200));

    private static final List<String> ADJECTIVES = List.of(
            "Rustic", "Sleek", "Ergonomic", "Vintage", "Modern", "Handcrafted", "Compact", "Durable", "Elegant",
            "Lightweight", "Premium", "Classic", "Minimalist", "Rugged", "Portable", "Cozy", "Refined", "Practical",
            "Heavy-Duty", "Artisan", "Nordic", "Industrial", "Sturdy", "Deluxe", "Everyday", "Weatherproof");

    private static final List<String> OPENINGS = List.of(
            "This %s %s is crafted from %s.",
            "Made for daily use: the %s %s in %s.",
            "Our %s %s pairs %s with clean, simple lines.",
            "Meet the %s %s: honest %s, built to last.");

    private static final List<String> DETAILS = List.of(
            "Designed for everyday use and easy to clean.",
            "Ships in recyclable packaging.",
            "Backed by a two-year warranty.",
            "Assembled by hand in small batches.",
            "Light enough to carry anywhere.",
            "Tested for durability in our own workshop.",
            "A thoughtful gift for friends and family.",
            "Finished by hand, so no two are quite alike.",
            "Customers praise its comfortable, balanced feel.",
            "Pairs well with the rest of the collection.");

    private ProductGenerator() {
    }

    public static int categoryCount() {
        return CATEGORIES.size();
    }

    public static Product product(long id) {
        if (id < 1) {
            throw new IllegalArgumentException("product ids start at 1, got " + id);
        }
        SplittableRandom random = new SplittableRandom(CATALOG_SEED ^ (id * 0x9E3779B97F4A7C15L));
        Category category = pick(random, CATEGORIES);
        String adjective = pick(random, ADJECTIVES);
        String material = pick(random, category.materials());
        String noun = pick(random, category.nouns());
        String name = adjective + " " + material + " " + noun;
        String sku = "RF-" + category.slug().substring(0, 3).toUpperCase() + "-" + String.format("%06d", id);
        return new Product(id, sku, name, category.slug(), price(random, category), description(random, adjective, material, noun),
                EPOCH.plusSeconds(random.nextLong(CREATION_SPAN_SECONDS)));
    }

    /** Log-uniform within the band, so cheap items are common and expensive ones rare; prices end in .99. */
    private static int price(SplittableRandom random, Category category) {
        double low = Math.log(category.minDollars());
        double high = Math.log(category.maxDollars());
        int dollars = (int) Math.exp(low + random.nextDouble() * (high - low));
        return dollars * 100 + 99;
    }

    /** One to three sentences: an opening naming the product, then distinct details. */
    private static String description(SplittableRandom random, String adjective, String material, String noun) {
        StringBuilder text = new StringBuilder(String.format(pick(random, OPENINGS),
                adjective.toLowerCase(), noun.toLowerCase(), material.toLowerCase()));
        int details = random.nextInt(3);
        int first = random.nextInt(DETAILS.size());
        for (int i = 0; i < details; i++) {
            // Stepping by a coprime stride never repeats a detail within one description.
            text.append(' ').append(DETAILS.get((first + i * 3) % DETAILS.size()));
        }
        return text.toString();
    }

    private static <T> T pick(SplittableRandom random, List<T> values) {
        return values.get(random.nextInt(values.size()));
    }
}
