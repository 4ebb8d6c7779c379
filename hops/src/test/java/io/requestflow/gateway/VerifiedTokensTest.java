package io.requestflow.gateway;

import com.nimbusds.jwt.JWTClaimsSet;
import org.junit.jupiter.api.Test;

import java.text.ParseException;
import java.util.Date;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The verified-token cache and what it keeps: only the plain {@code Bearer TOKEN} spelling is stored, a
 * cached token's expiry is still checked on every use, and claims of the wrong type are refused before
 * anything is cached.
 */
class VerifiedTokensTest {
    static JWTClaimsSet.Builder claims(long expMillis) {
        return new JWTClaimsSet.Builder().issuer("i").audience("a").subject("7").claim("scope", "profile  catalog:read")
                .claim("name", "ada").jwtID("j1").expirationTime(new Date(expMillis));
    }

    @Test
    void claimsAreReadOnce() throws Exception {
        long exp = System.currentTimeMillis() + 60_000;
        VerifiedToken t = VerifiedToken.of(claims(exp).build());
        assertThat(t.scopes()).isEqualTo(Set.of("profile", "catalog:read"));
        assertThat(t.scopesHeader().toString()).isEqualTo("profile catalog:read");
        assertThat(t.expiresHeader().toString()).isEqualTo(Long.toString(exp / 1000));
        assertThat(t.caller()).isEqualTo("user:7");
        assertThat(t.userId().toString()).isEqualTo("7");
        assertThat(t.userName().toString()).isEqualTo("ada");
        assertThat(t.tokenId().toString()).isEqualTo("j1");
        assertThat(t.notBeforeMillis()).isEqualTo(Long.MIN_VALUE);
    }

    @Test
    void onlyThePlainSpellingIsStored() throws Exception {
        VerifiedTokens cache = new VerifiedTokens(60);
        VerifiedToken t = VerifiedToken.of(claims(System.currentTimeMillis() + 60_000).build());
        cache.put("bearer abc", "abc", t);
        cache.put("Bearer  abc ", "abc", t);
        assertThat(cache.get("bearer abc")).isNull();
        assertThat(cache.get("Bearer  abc ")).isNull();
        cache.put("Bearer abc", "abc", t);
        assertThat(cache.get("Bearer abc")).isSameAs(t);
        assertThat(cache.get("Bearer abd")).isNull();
        VerifiedTokens off = new VerifiedTokens(0);
        off.put("Bearer abc", "abc", t);
        assertThat(off.get("Bearer abc")).isNull();
    }

    @Test
    void aCachedTokenThatExpiredIsRefused() throws Exception {
        TokenVerifier verifier = new TokenVerifier(GatewayConfig.Jwt.defaults("http://127.0.0.1:1/jwks")); // 30 s skew
        VerifiedToken live = VerifiedToken.of(claims(System.currentTimeMillis() - 10_000).build());
        verifier.checkTime(live); // within the skew
        VerifiedToken expired = VerifiedToken.of(claims(System.currentTimeMillis() - 31_000).build());
        assertThatThrownBy(() -> verifier.checkTime(expired)).isInstanceOf(TokenVerifier.Rejected.class)
                .hasMessageContaining("expired");
        VerifiedToken early = VerifiedToken.of(claims(System.currentTimeMillis() + 120_000)
                .notBeforeTime(new Date(System.currentTimeMillis() + 60_000)).build());
        assertThatThrownBy(() -> verifier.checkTime(early)).isInstanceOf(TokenVerifier.Rejected.class)
                .hasMessageContaining("not valid yet");
    }

    @Test
    void aScopeThatIsNotAStringIsMalformed() {
        assertThatThrownBy(() -> VerifiedToken.of(claims(System.currentTimeMillis() + 60_000)
                .claim("scope", List.of("admin")).build())).isInstanceOf(ParseException.class);
    }
}
