package io.requestflow.gateway;

import java.util.List;

/** The headers through which the gateway tells services who the caller is. Only the gateway sets them. */
public final class IdentityHeaders {
    public static final String USER_ID = "x-user-id";
    public static final String USER_NAME = "x-user-name";
    public static final String SCOPES = "x-user-scopes";
    public static final List<String> ALL = List.of(USER_ID, USER_NAME, SCOPES);

    private IdentityHeaders() {}
}
