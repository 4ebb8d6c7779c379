package io.requestflow.firewall.waf;

/**
 * One inspected value of a request, after normalisation.
 *
 * @param kind     which part of the request it came from
 * @param name     the field name (argument, header or cookie name), or "" for whole parts
 * @param raw      the value as decoded once by its parser
 * @param value    the normalised value rules match against (decoded, entity-decoded, NFKC, lower case)
 */
public record Target(Kind kind, String name, String raw, String value) {

    public enum Kind {
        /** a query, form, JSON, XML or multipart value */ ARG,
        /** the name of such a field */ ARG_NAME,
        COOKIE, COOKIE_NAME,
        /** a request header value that is free text (User-Agent, Referer, custom headers) */ HEADER,
        /** the decoded, dot-segment-resolved path */ PATH,
        /** the request target exactly as received */ URI,
        /** a body no parser understood, inspected whole */ BODY
    }

    public String location() {
        return name.isEmpty() ? kind.name() : kind.name() + ":" + name;
    }

    public boolean isArg() {
        return kind == Kind.ARG || kind == Kind.COOKIE;
    }

    public boolean isName() {
        return kind == Kind.ARG_NAME || kind == Kind.COOKIE_NAME;
    }
}
