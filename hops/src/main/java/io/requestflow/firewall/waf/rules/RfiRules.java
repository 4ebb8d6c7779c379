package io.requestflow.firewall.waf.rules;

import io.requestflow.firewall.waf.Inspection;
import io.requestflow.firewall.waf.Match;
import io.requestflow.firewall.waf.Target;

import java.util.EnumSet;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.requestflow.firewall.waf.Severity.CRITICAL;
import static io.requestflow.firewall.waf.rules.PatternRule.of;

/** Remote file inclusion: URLs to numeric hosts, include() of URLs, trailing-"?" tricks, off-site URLs. */
public final class RfiRules extends PatternFamily {
    private static final EnumSet<Target.Kind> VALUES = EnumSet.of(Target.Kind.ARG, Target.Kind.COOKIE, Target.Kind.BODY);
    private static final Pattern URL_HOST = Pattern.compile("^\\s*(?:file|ftps?|https?|php|data|zip|phar|expect|"
            + "gopher|dict|ldap|smb|jar|tftp)://(?:[^/@?#]*@)?([^/:?#\\s]*)");

    /** Parameter names that applications use for files, paths and includes. */
    private static final Pattern INCLUDE_NAME = Pattern.compile("(?:^|[_\\[.-])(?:path|dir|root|include|inc|conf|"
            + "config|file|template|tpl|module|mod|base|require|class|page|plugin|theme|skin|abs(?:olute)?_path)"
            + "(?:$|[_\\].-])");
    private static final Pattern REMOTE = Pattern.compile("^\\s*(?:ftps?|https?|php|data|expect|zip|phar)://");

    public RfiRules() {
        super(List.of(
                of("RFI-100", 1, CRITICAL, "^\\s*(?:file|ftps?|https?)://(?:[^/@]*@)?\\[?(?:\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}"
                        + "\\.\\d{1,3}|[0-9a-f:]*:[0-9a-f:]+)\\]?", VALUES),
                of("RFI-110", 1, CRITICAL, "\\b(?:include|require)(?:_once)?\\s*[=(\\s]\\s*['\"]?\\s*(?:file|ftps?|https?|"
                        + "php|data|zip|phar|expect)://", EnumSet.of(Target.Kind.ARG, Target.Kind.ARG_NAME,
                        Target.Kind.BODY, Target.Kind.URI)),
                of("RFI-120", 1, CRITICAL, "^\\s*(?:ftps?|https?)://.*\\?+$", VALUES),
                // a scheme name and a trailing "?": what is left of include("<scheme>...?") once the rest is cut
                of("RFI-125", 1, CRITICAL, "^\\s*(?:file|ftps?|https?)\\b[^\\s]*\\?+$", VALUES)));
    }

    @Override
    public String prefix() {
        return "RFI";
    }

    @Override
    public void inspect(Inspection request, int paranoia, List<Match> out) {
        super.inspect(request, paranoia, out);
        for (Target t : request.fresh()) {
            // REMOTE and URL_HOST both need "://" in the value: without it neither can match
            if (t.kind() != Target.Kind.ARG || !t.value().contains("://")) continue;
            if (INCLUDE_NAME.matcher(t.name().toLowerCase(java.util.Locale.ROOT)).find()
                    && REMOTE.matcher(t.value()).find()) {
                out.add(new Match("RFI-115", CRITICAL, t.location(), "url in a path-like parameter"));
                break;
            }
        }
        if (paranoia < 2) return;
        String host = request.request().host();
        for (Target t : request.targets()) {
            if (!VALUES.contains(t.kind()) || !t.value().contains("://")) continue;
            Matcher m = URL_HOST.matcher(t.value());
            if (m.find() && !m.group(1).equals(host)) {
                out.add(new Match("RFI-130", CRITICAL, t.location(), "url to another host"));
                return;
            }
        }
    }
}
