package io.requestflow.dns;

import java.net.InetSocketAddress;
import org.xbill.DNS.Message;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/** One query log line: client, name, type, rcode, answer and the policies that chose it. Debug level only. */
final class QueryLogLine {

    private QueryLogLine() {}

    static String of(InetSocketAddress client, DnsTransport transport, DnsResponder.Reply reply) {
        StringBuilder line = new StringBuilder("client=").append(client.getAddress().getHostAddress())
                .append(" transport=").append(transport.tag());
        try {
            Message response = new Message(reply.wire());
            Record question = response.getQuestion();
            line.append(" name=").append(question == null ? "-" : question.getName())
                    .append(" type=").append(question == null ? "-" : Type.string(question.getType()))
                    .append(" rcode=").append(Rcode.string(reply.rcode()))
                    .append(" answer=[");
            String sep = "";
            for (Record r : response.getSection(Section.ANSWER)) {
                line.append(sep).append(Type.string(r.getType())).append(' ').append(r.rdataToString());
                sep = ", ";
            }
            line.append(']');
        } catch (java.io.IOException | RuntimeException e) {
            line.append(" rcode=").append(Rcode.string(reply.rcode()));
        }
        for (Zone.Choice c : reply.choices()) {
            line.append(" policy=").append(c.policy()).append('(').append(c.recordSet()).append("→")
                    .append(String.join(",", c.chosen())).append(c.failOpen() ? ", all unhealthy" : "").append(')');
        }
        return line.toString();
    }
}
