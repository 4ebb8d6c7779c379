package io.requestflow.firewall;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import io.requestflow.engine.http.Json;
import io.requestflow.engine.http.Request;

import java.net.InetSocketAddress;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Realistic shop traffic, generated deterministically from a seed: product searches, product pages,
 * reviews with punctuation and quotes, JSON orders with names and addresses from many countries,
 * logins, profile updates, all with browser headers. No request here is an attack.
 */
public final class BenignCorpus {
    private static final String[] PRODUCTS = {"running shoes", "wireless headphones", "coffee grinder", "yoga mat",
            "4K monitor", "USB-C cable (2 m)", "kids' raincoat", "cast-iron pan 28cm", "LEGO set #42115",
            "men's jeans 32/34", "women's t-shirt - size M", "phone case for iPhone 15", "AA batteries x24",
            "standing desk", "espresso machine", "board game: Catan", "Harry Potter & the Philosopher's Stone",
            "tent 2-person", "sunscreen SPF 50+", "dog food 12kg", "C++ programming book", "rock 'n' roll vinyl",
            "Schuhe Größe 42", "chaussures de randonnée", "zapatos de cuero", "scarpe da corsa", "café moulu",
            "Kaffeemaschine", "téléphone portable", "cámara digital", "ノートパソコン", "电动牙刷", "무선 이어폰",
            "наушники", "ساعة ذكية", "מחשב נייד", "स्मार्टफोन", "กระเป๋าเป้", "điện thoại", "akıllı saat",
            "smartwatch 44 mm", "O'Neill jacket", "Levi's 501", "Ben & Jerry's", "AT&T prepaid card", "3/4\" drill bit",
            "50% off shoes", "size 10.5", "red/blue/green", "price < 20", "Tom & Jerry DVD", "M&M's 1kg",
            "\"organic\" honey", "pack of 3 (assorted)", "gift card $50", "Select Comfort mattress",
            "table and chairs", "union jack flag", "drop earrings", "update kit for router", "delete key caps",
            "sleep mask", "benchmark book", "script writing guide", "alert bracelet", "ping pong table",
            "cat tree", "ls 1 engine parts", "echo dot", "wget? no", "union made boots", "select-a-size frame"};
    private static final String[] FIRST = {"Anna", "Seán", "Zoë", "José", "François", "Jürgen", "Ólafur", "Mei",
            "Hiroshi", "Aisha", "Mohammed", "Priya", "Olga", "Dmitri", "Chloé", "Björn", "Siobhán", "Nguyễn",
            "Søren", "Łukasz", "Renée", "D'Andre", "Mary-Jane", "Jean-Luc", "Ngozi", "Kwame", "Li", "Ana María",
            "Иван", "张伟", "さくら", "민준", "محمد", "דוד", "Ελένη"};
    private static final String[] LAST = {"O'Brien", "Smith", "Müller", "García", "Dubois", "Rossi", "Kowalski",
            "Nakamura", "Kim", "Singh", "Al-Farsi", "van der Berg", "D'Angelo", "McDonald", "Núñez", "Øvergaard",
            "Ivanova", "Chen", "O'Connor-Smith", "de la Cruz", "St. John", "Иванов", "王", "佐藤", "이", "כהן",
            "Παπαδόπουλος"};
    private static final String[] STREETS = {"12 Rue de l'Église", "221B Baker St., Apt. #4", "Königstraße 5",
            "1600 Pennsylvania Ave NW", "Calle Mayor, 10, 2º izq.", "Via Roma 1/A", "ul. Marszałkowska 84/92 m. 15",
            "P.O. Box 123", "1-2-3 Shibuya, Shibuya-ku", "Flat 3, 45 O'Connell Street", "10 Downing St.",
            "Rua Augusta, 100 - 3º andar", "Strandvejen 7, st. th.", "Unit 5/12 George St", "34 Avenue des Champs-Élysées",
            "Hauptstr. 1 (Hinterhaus)", "Apt 5B; 300 E 57th St", "c/o Smith & Sons, 9 Mill Lane"};
    private static final String[] CITIES = {"Zürich", "São Paulo", "Kraków", "Montréal", "München", "Málaga",
            "Reykjavík", "Tōkyō", "New York, NY", "Dublin 1", "Paris", "Москва", "北京", "서울", "Αθήνα",
            "Tel Aviv-Yafo", "St. John's", "Winston-Salem"};
    private static final String[] REVIEWS = {
            "Great product!!! Would buy again :)",
            "Not bad, but the size runs small -- order one size up.",
            "It's \"okay\" I guess; the colour isn't what the picture shows.",
            "5/5 - exactly as described. Shipping took 3-4 days.",
            "Don't buy this; it broke after 2 weeks :(",
            "My kids love it <3 Highly recommended.",
            "Works with Windows & Mac. Setup was easy (about 5 min).",
            "The 'premium' version isn't worth the extra $20...",
            "Bought it for my wife's birthday - she said \"best gift ever\"!",
            "Quality is so-so. 3 stars; would be 4 if the strap were longer.",
            "Select the larger size if you're between sizes, trust me.",
            "Update: after a month it still works perfectly. Drop-tested it twice, no damage!",
            "I'd rather have paid 10% more for better packaging; box was crushed.",
            "Works as advertised. Note: requires 2x AA batteries (not included).",
            "Très bon produit, je le recommande ! Livraison rapide.",
            "Sehr gut verarbeitet, aber etwas teuer. Würde es trotzdem wieder kaufen.",
            "¡Excelente! Llegó antes de lo esperado y funciona de maravilla.",
            "Prodotto ottimo, spedizione veloce. Consigliato!",
            "Отличный товар, всем советую. Доставка — 3 дня.",
            "とても良い商品です。また購入したいと思います！",
            "质量很好，物流也很快，五星好评！",
            "정말 좋아요! 배송도 빨랐어요 ^^",
            "منتج رائع وسعر مناسب، أنصح به.",
            "מוצר מעולה, הגיע מהר. ממליץ!",
            "बहुत अच्छा उत्पाद है, धन्यवाद!",
            "Çok güzel, tavsiye ederim. Kargo hızlıydı.",
            "Produkt zgodny z opisem; polecam :-)",
            "Fits perfectly 👍👍 love the colour 😍",
            "Is it waterproof? The description says \"water-resistant\" but mine leaked.",
            "Arrived on 12/03/2024 @ 5pm; packaging: OK; item: scratched (see photo #2).",
            "Pros: light, cheap. Cons: battery life ~4h, not 8h as claimed.",
            "If you're looking for a budget option, this is it. If not, look elsewhere.",
            "Had to email support twice -- they were helpful & replaced it within a week.",
            "The manual says to \"press and hold\" for 5 s; it's actually 10 s.",
            "Or you could just buy the cheaper one and be equally happy, honestly.",
            "1 star for delivery, 5 stars for the product; average = 3.",
            "Compared to the old model (v2), this one is 20% lighter and 2x faster.",
            "A+++ seller, 100% recommended; will order again & again.",
            "Echo of the previous reviewers: great value for money.",
            "Select your size carefully and then update your order if needed; support was quick.",
    };
    private static final String[] UA = {
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Safari/537.36",
            "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_4) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15",
            "Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0",
            "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148",
            "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Mobile Safari/537.36"};
    private static final String[] LANGS = {"en-US,en;q=0.9", "de-DE,de;q=0.9,en;q=0.8", "fr-FR,fr;q=0.9",
            "ja-JP,ja;q=0.9", "zh-CN,zh;q=0.9", "es-ES,es;q=0.9", "ar-SA,ar;q=0.9,en;q=0.5"};
    private static final String[] SORTS = {"relevance", "price_asc", "price_desc", "rating", "newest"};

    private BenignCorpus() {}

    static List<Request> generate(int count, long seed) {
        Random r = new Random(seed);
        List<Request> out = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            out.add(switch (r.nextInt(10)) {
                case 0, 1, 2 -> search(r);
                case 3, 4 -> product(r);
                case 5 -> review(r, r.nextBoolean());
                case 6, 7 -> order(r);
                case 8 -> login(r);
                default -> profile(r);
            });
        }
        return out;
    }

    /**
     * Only the product searches, as {@link #generate} makes them (search words in many languages, page,
     * sort order, sometimes a price range; browser headers): the benchmarks' request mix.
     */
    public static List<Request> searches(int count, long seed) {
        Random r = new Random(seed);
        List<Request> out = new ArrayList<>(count);
        for (int i = 0; i < count; i++) out.add(search(r));
        return out;
    }

    private static String pick(Random r, String[] a) {
        return a[r.nextInt(a.length)];
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private static HttpHeaders browser(Random r) {
        HttpHeaders h = new DefaultHttpHeaders();
        h.set("host", "shop.requestflow.test");
        h.set("user-agent", pick(r, UA));
        h.set("accept", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8");
        h.set("accept-language", pick(r, LANGS));
        h.set("accept-encoding", "gzip, deflate, br");
        if (r.nextBoolean()) h.set("cookie", "session=" + Long.toHexString(r.nextLong()) + "; theme=dark; consent=yes");
        if (r.nextInt(3) == 0) {
            h.set("referer", "https://shop.requestflow.test/products?page=" + (1 + r.nextInt(20)));
        }
        return h;
    }

    private static Request request(Random r, String method, String uri, HttpHeaders h, byte[] body) {
        if (body.length > 0) h.set("content-length", body.length);
        return new Request(method, uri, h, body, new InetSocketAddress("198.51.100." + (1 + r.nextInt(250)), 40000));
    }

    private static Request search(Random r) {
        String q = pick(r, PRODUCTS);
        if (r.nextInt(4) == 0) q = q + " " + pick(r, PRODUCTS);
        String uri = "/api/products/search?q=" + enc(q) + "&page=" + (1 + r.nextInt(30)) + "&sort=" + pick(r, SORTS)
                + (r.nextBoolean() ? "&minPrice=" + r.nextInt(100) + "&maxPrice=" + (100 + r.nextInt(900)) : "");
        return request(r, "GET", uri, browser(r), new byte[0]);
    }

    private static Request product(Random r) {
        String uri = "/api/products/" + (1 + r.nextInt(10_000)) + (r.nextBoolean() ? "?ref=search&pos=" + r.nextInt(48) : "");
        return request(r, "GET", uri, browser(r), new byte[0]);
    }

    private static Request review(Random r, boolean json) {
        String title = pick(r, REVIEWS).split("[.!]")[0];
        String text = pick(r, REVIEWS) + " " + pick(r, REVIEWS);
        String author = pick(r, FIRST) + " " + pick(r, LAST).charAt(0) + ".";
        HttpHeaders h = browser(r);
        byte[] body;
        if (json) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("productId", 1 + r.nextInt(10_000));
            m.put("rating", 1 + r.nextInt(5));
            m.put("title", title);
            m.put("body", text);
            m.put("author", author);
            h.set("content-type", "application/json");
            body = Json.bytes(m);
        } else {
            h.set("content-type", "application/x-www-form-urlencoded");
            body = ("rating=" + (1 + r.nextInt(5)) + "&title=" + enc(title) + "&body=" + enc(text) + "&author="
                    + enc(author)).getBytes(StandardCharsets.UTF_8);
        }
        return request(r, "POST", "/api/products/" + (1 + r.nextInt(10_000)) + "/reviews", h, body);
    }

    private static Request order(Random r) {
        Map<String, Object> m = new LinkedHashMap<>();
        List<Map<String, Object>> items = new ArrayList<>();
        for (int i = 0, n = 1 + r.nextInt(4); i < n; i++) {
            items.add(Map.of("sku", "SKU-" + (10000 + r.nextInt(90000)), "qty", 1 + r.nextInt(3),
                    "price", Math.round(r.nextDouble() * 20000) / 100.0));
        }
        m.put("items", items);
        m.put("shipping", Map.of("name", pick(r, FIRST) + " " + pick(r, LAST), "street", pick(r, STREETS),
                "city", pick(r, CITIES), "zip", String.valueOf(10000 + r.nextInt(89999)),
                "country", pick(r, new String[] {"DE", "FR", "US", "GB", "JP", "CN", "BR", "PL", "IE", "CH"}),
                "phone", "+" + (1 + r.nextInt(98)) + " (" + r.nextInt(999) + ") " + r.nextInt(9999999)));
        m.put("email", "user" + r.nextInt(100000) + "@example.com");
        m.put("note", r.nextBoolean() ? pick(r, new String[] {"Leave at the door - thanks!", "Call before delivery; "
                + "the bell doesn't work.", "Gift wrap please :)", "Deliver after 5pm (weekdays)",
                "Bitte beim Nachbarn abgeben.", "Ne pas plier !", "N/A"}) : "");
        m.put("coupon", r.nextInt(5) == 0 ? "SPRING-" + r.nextInt(100) : null);
        HttpHeaders h = browser(r);
        h.set("content-type", "application/json; charset=utf-8");
        return request(r, "POST", "/api/orders", h, Json.bytes(m));
    }

    private static Request login(Random r) {
        String alphabet = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789!@#$%&*?_-.";
        StringBuilder pw = new StringBuilder();
        for (int i = 0, n = 10 + r.nextInt(8); i < n; i++) pw.append(alphabet.charAt(r.nextInt(alphabet.length())));
        HttpHeaders h = browser(r);
        h.set("content-type", "application/json");
        byte[] body = Json.bytes(Map.of("username", "user" + r.nextInt(100000) + "@example.com",
                "password", pw.toString()));
        return request(r, "POST", "/api/login", h, body);
    }

    private static Request profile(Random r) {
        HttpHeaders h = browser(r);
        h.set("content-type", "application/x-www-form-urlencoded");
        String body = "name=" + enc(pick(r, FIRST) + " " + pick(r, LAST)) + "&street=" + enc(pick(r, STREETS))
                + "&city=" + enc(pick(r, CITIES)) + "&website=" + enc(r.nextBoolean() ? "https://example.org/~"
                + pick(r, LAST).toLowerCase().replaceAll("[^a-z]", "") : "") + "&bio=" + enc(pick(r, REVIEWS));
        return request(r, "PUT", "/api/me", h, body.getBytes(StandardCharsets.UTF_8));
    }
}
