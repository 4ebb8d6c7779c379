package io.requestflow.dns.policy;

import java.util.List;
import org.xbill.DNS.Record;

/**
 * One answer a routing policy can choose, with its records already built.
 *
 * @param id          label for logs and metrics
 * @param records     what goes in the answer section when chosen (owner = the record set's name)
 * @param weight      weighted routing share, 0..255
 * @param region      region it serves from (latency routing), or null
 * @param location    geolocation selector ({@code region:X}, {@code country:X}, {@code continent:X}, {@code *}), or null
 * @param primary     failover role: true for primary, false for secondary
 * @param healthCheck the check URL that decides whether it may be answered, or null (always healthy)
 */
public record Candidate(String id, List<Record> records, int weight, String region, String location,
                        boolean primary, String healthCheck) {}
