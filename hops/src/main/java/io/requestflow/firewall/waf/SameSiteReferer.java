package io.requestflow.firewall.waf;

import java.util.Locale;

/**
 * A Referer that points at this site, taken apart the way the request's own target is: its origin,
 * its path, and each name and value of its query, each inspected as a piece of the Referer header.
 * Why: a browser moving through a site sends the previous page's address as the Referer, so the whole
 * header is new on every request while its pieces (the path, the page number, the sort order, the search
 * words) were mostly seen moments ago; as pieces they are remembered clean ({@link CleanValueMemo}) and
 * not inspected again. An attack in a Referer sits inside one piece, as it sits inside one argument of a
 * query, so the pieces are inspected with every rule that reads headers. Anything unusual (another
 * host, credentials, a fragment, no scheme) keeps the Referer whole.
 */
final class SameSiteReferer {
    private SameSiteReferer() {}

    /** Where a piece lies: {@code referer[from, to)}, read in place (most pieces are remembered clean). */
    interface Pieces {
        void piece(String referer, int from, int to);

        /**
         * A query pair with a name and a value, {@code referer[from, eq)} and {@code referer[eq + 1, to)}, offered
         * whole before its two pieces: true when the reader takes it so (the pieces are then not given).
         */
        default boolean pair(String referer, int from, int eq, int to) {
            return false;
        }
    }

    /**
     * Gives {@code piece} the Referer's pieces and returns true when {@code referer} is an
     * {@code http(s)://host[:port]/path?query} address on {@code host} (the request's Host, lower case,
     * without port); otherwise gives nothing and returns false.
     */
    static boolean split(String referer, String host, Pieces piece) {
        if (host.isEmpty() || referer.indexOf('#') >= 0 || referer.indexOf('@') >= 0) return false;
        int start = referer.regionMatches(true, 0, "https://", 0, 8) ? 8
                : referer.regionMatches(true, 0, "http://", 0, 7) ? 7 : -1;
        if (start < 0) return false;
        int slash = referer.indexOf('/', start);
        int end = slash < 0 ? referer.length() : slash;
        int question = referer.indexOf('?', start);
        if (question >= 0 && question < end) return false; // a query straight after the host: keep it whole
        String authority = referer.substring(start, end).toLowerCase(Locale.ROOT);
        int colon = authority.lastIndexOf(':');
        String refererHost = colon >= 0 && !authority.endsWith("]") ? authority.substring(0, colon) : authority;
        if (!refererHost.equals(host)) return false;
        piece.piece(referer, 0, end);
        if (slash < 0) return true;
        int q = question < 0 ? referer.length() : question;
        piece.piece(referer, slash, q);
        if (question < 0) return true;
        int from = question + 1;
        while (from <= referer.length()) {
            int amp = referer.indexOf('&', from);
            int to = amp < 0 ? referer.length() : amp;
            int eq = referer.indexOf('=', from);
            if (eq >= 0 && eq < to) {
                if (eq > from && to > eq + 1 && piece.pair(referer, from, eq, to)) {
                    from = to + 1;
                    continue;
                }
                if (eq > from) piece.piece(referer, from, eq);
                if (to > eq + 1) piece.piece(referer, eq + 1, to);
            } else if (to > from) {
                piece.piece(referer, from, to);
            }
            from = to + 1;
        }
        return true;
    }
}
