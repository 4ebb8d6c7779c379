package io.requestflow.engine.client;

import io.requestflow.engine.http.HeaderBlock;

/** A response head read by {@link RawResponseDecoder}: status, the kept header lines, and whether the connection stays open. */
record RawResponseHead(int status, HeaderBlock block, boolean keepAlive) {}
