package io.requestflow.services;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.requestflow.engine.hop.HopContext;
import io.requestflow.engine.http.Request;
import io.requestflow.engine.pipeline.Exchange;

/** An exchange for work a service does on its own (start-up, periodic refresh), traced like a request. */
public final class BackgroundWork {
    private BackgroundWork() {}

    public static Exchange exchange(HopContext ctx, String what) {
        var span = ctx.tracing().startServer(ctx.hop() + " " + what, new DefaultHttpHeaders());
        span.end();
        return new Exchange(Request.of("INTERNAL", "/" + what), ctx.hop(), what, span, ctx.tracing());
    }
}
