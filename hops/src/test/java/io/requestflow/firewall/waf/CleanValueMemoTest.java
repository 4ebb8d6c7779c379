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
}
