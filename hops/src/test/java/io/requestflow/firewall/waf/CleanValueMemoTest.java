package io.requestflow.firewall.waf;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class CleanValueMemoTest {
    @Test
    void remembersExactlyTheKindNameAndValue() {
        CleanValueMemo memo = new CleanValueMemo(64);
        memo.rememberClean(Target.Kind.ARG, "sort", "price_asc");
        assertThat(memo.isClean(Target.Kind.ARG, "sort", "price_asc")).isTrue();
        assertThat(memo.isClean(Target.Kind.COOKIE, "sort", "price_asc")).as("another kind").isFalse();
        assertThat(memo.isClean(Target.Kind.ARG, "sor", "tprice_asc")).as("the same characters split elsewhere").isFalse();
        assertThat(memo.isClean(Target.Kind.ARG, "sort", "price_asd")).as("another value").isFalse();
        assertThat(memo.isClean(Target.Kind.ARG, "sort", "price_as")).as("a prefix").isFalse();
        memo.rememberClean(Target.Kind.ARG, "", "");
        assertThat(memo.isClean(Target.Kind.ARG, "", "")).isTrue();
    }

    @Test
    void aValueSharingTheSampledCharactersIsNoHit() {
        CleanValueMemo memo = new CleanValueMemo(64);
        String clean = "https://shop.test/a/" + "x".repeat(40) + "/search?q=mug";
        String other = "https://shop.test/a/" + "x".repeat(19) + "'" + "x".repeat(20) + "/search?q=mug";
        memo.rememberClean(Target.Kind.HEADER, "referer", clean);
        assertThat(memo.isClean(Target.Kind.HEADER, "referer", clean)).isTrue();
        assertThat(memo.isClean(Target.Kind.HEADER, "referer", other)).as("same length, ends and name").isFalse();
    }

    @Test
    void longValuesAreNeverKeptAndZeroSlotsIsOff() {
        CleanValueMemo memo = new CleanValueMemo(64);
        String longOne = "a".repeat(CleanValueMemo.MAX_VALUE_CHARS + 1);
        memo.rememberClean(Target.Kind.ARG, "q", longOne);
        assertThat(memo.isClean(Target.Kind.ARG, "q", longOne)).isFalse();
        CleanValueMemo off = new CleanValueMemo(0);
        off.rememberClean(Target.Kind.ARG, "q", "1");
        assertThat(off.enabled()).isFalse();
        assertThat(off.isClean(Target.Kind.ARG, "q", "1")).isFalse();
    }

    @Test
    void regionsAreLookedUpAsTheirText() {
        CleanValueMemo memo = new CleanValueMemo(64);
        memo.rememberClean(Target.Kind.ARG, "sort", "price_asc");
        memo.rememberClean(Target.Kind.ARG_NAME, "sort", "sort");
        String query = "q=1&sort=price_asc&x=price_as";
        assertThat(memo.cleanValue(Target.Kind.ARG, "sort", query, 9, 18)).isEqualTo("price_asc");
        assertThat(memo.cleanValue(Target.Kind.ARG, "sort", query, 21, 29)).as("a prefix").isNull();
        assertThat(memo.cleanValue(Target.Kind.COOKIE, "sort", query, 9, 18)).as("another kind").isNull();
        assertThat(memo.cleanValue(Target.Kind.ARG, "sor", query, 9, 18)).as("another name").isNull();
        assertThat(memo.cleanName(Target.Kind.ARG_NAME, query, 4, 8)).isEqualTo("sort");
        assertThat(memo.cleanName(Target.Kind.ARG, query, 4, 8)).as("a name is remembered by its kind").isNull();
        assertThat(new CleanValueMemo(0).cleanValue(Target.Kind.ARG, "sort", query, 9, 18)).as("off").isNull();
    }
}
