package io.requestflow.dns.policy;

import java.util.List;

/**
 * What a routing policy chose.
 *
 * @param chosen            the answers, in answer order; empty means no answer fits (NODATA)
 * @param locationDependent whether the client's location mattered (then ECS answers carry a scope)
 */
public record Decision(List<Candidate> chosen, boolean locationDependent) {}
