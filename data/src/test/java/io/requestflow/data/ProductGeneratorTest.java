package io.requestflow.data;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Set;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;

class ProductGeneratorTest {

    @Test
    void sameIdAlwaysGivesTheSameProduct() {
        assertThat(ProductGenerator.product(42)).isEqualTo(ProductGenerator.product(42));
        assertThat(ProductGenerator.product(42)).isNotEqualTo(ProductGenerator.product(43));
    }

    @Test
    void productsLookPlausible() {
        Set<String> categories = new HashSet<>();
        Set<String> names = new HashSet<>();
        IntStream.rangeClosed(1, 10_000).mapToObj(ProductGenerator::product).forEach(p -> {
            categories.add(p.category());
            names.add(p.name());
            assertThat(p.name().split(" ")).hasSizeGreaterThanOrEqualTo(3);
            assertThat(p.sku()).matches("RF-[A-Z]{3}-\\d{6,}");
            assertThat(p.priceCents()).isPositive().matches(c -> c % 100 == 99, "ends in .99");
            long sentences = p.description().chars().filter(ch -> ch == '.').count();
            assertThat(sentences).isBetween(1L, 3L);
            assertThat(p.description()).doesNotContain("\t", "\n", "\\");
        });
        assertThat(categories).hasSize(ProductGenerator.categoryCount()).hasSize(12);
        assertThat(names).as("varied names").hasSizeGreaterThan(3_000);
    }
}
