package io.requestflow.services;

import io.requestflow.engine.http.HttpError;

/** Parsing of ids from paths, with the same 400 everywhere. */
public final class Ids {
    private Ids() {}

    public static long positive(String what, String text) {
        try {
            long id = Long.parseLong(text);
            if (id > 0) return id;
        } catch (NumberFormatException ignored) {
            // falls through to the 400 below
        }
        throw HttpError.badRequest(what + " must be a positive integer, not '" + text + "'");
    }
}
