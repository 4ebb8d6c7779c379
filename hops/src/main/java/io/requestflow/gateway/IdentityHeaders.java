package io.requestflow.gateway;

import java.util.List;

/** The headers through which the gateway tells services who the caller is. Only the gateway sets them. */
public final class IdentityHeaders {
    public static final String USER_ID = "x-user-id";
    public static final String USER_NAME = "x-user-name";
    public static final String SCOPES = "x-user-scopes";
    public static final String TOKEN_ID = "x-token-id";
    public static final String TOKEN_EXPIRES = "x-token-exp";
    public static final String API_KEY_ID = "x-api-key-id";
    public static final String API_PLAN = "x-api-plan";
    public static final List<String> ALL = List.of(USER_ID, USER_NAME, SCOPES, TOKEN_ID, TOKEN_EXPIRES, API_KEY_ID, API_PLAN);

    private IdentityHeaders() {}
}
