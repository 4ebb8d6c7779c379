package io.requestflow.firewall.waf;

/** How much a match adds to the anomaly score, CRS-style: one critical match reaches the default threshold. */
public enum Severity {
    CRITICAL(5), ERROR(4), WARNING(3), NOTICE(2);

    public final int score;

    Severity(int score) {
        this.score = score;
    }
}
