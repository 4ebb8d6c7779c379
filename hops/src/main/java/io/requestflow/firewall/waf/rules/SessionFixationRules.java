package io.requestflow.firewall.waf.rules;

import io.requestflow.firewall.waf.Inspection;
import io.requestflow.firewall.waf.Match;
import io.requestflow.firewall.waf.Target;

import java.util.List;
import java.util.regex.Pattern;

import static io.requestflow.firewall.waf.Severity.CRITICAL;
import static io.requestflow.firewall.waf.rules.PatternRule.ARGS;
import static io.requestflow.firewall.waf.rules.PatternRule.of;

/** Session fixation: setting cookies from parameters, or a session id arriving from another site. */
public final class SessionFixationRules extends PatternFamily {
    private static final Pattern SESSION_NAMES = Pattern.compile("^(?:jsessionid|phpsessid|aspsessionid\\w*|"
            + "asp\\.net_sessionid|sessionid|session_id|sessid|sid|cfid|cftoken|sess|connect\\.sid|_session_id|"
            + "laravel_session|ci_session|wordpress_logged_in\\w*|_?[a-z]*[_.-]session(?:[_.-]?(?:id|token))?|"
            + "[a-z.-]*session[_.-]token|\\w*login_token|\\w*_sessid|[a-z]+\\.sid|[a-z]+\\.sess|cakephp|"
            + "[a-z]+:sess|[a-z]+-token|\\w*session|session-id|[_a-z-]*next-auth\\.session-token|cfsid)$");

    public SessionFixationRules() {
        super(List.of(of("SES-100", 1, CRITICAL, "\\.cookie\\b.*?;\\W*?(?:expires|domain)\\W*?=|\\bhttp-equiv\\W+"
                + "set-cookie\\b|set-cookie\\s*:", ARGS)));
    }

    @Override
    public String prefix() {
        return "SES";
    }

    @Override
    public void inspect(Inspection request, int paranoia, List<Match> out) {
        super.inspect(request, paranoia, out);
        for (Target t : request.targets()) {
            if (t.kind() == Target.Kind.ARG_NAME && mayBeSession(t.value()) && SESSION_NAMES.matcher(t.value()).matches()
                    && (paranoia >= 2 || offSite(request))) {
                String referer = request.header("referer");
                out.add(new Match(referer == null ? "SES-120" : "SES-110", CRITICAL, t.location(),
                        "session id in a parameter"));
                return;
            }
        }
    }

    private static boolean offSite(Inspection request) {
        String referer = request.header("referer");
        return referer == null || !refererHost(referer).equals(request.request().host());
    }

    private static boolean mayBeSession(String name) {
        return name.contains("sess") || name.contains("sid") || name.contains("token") || name.startsWith("cf")
                || name.equals("cakephp");
    }

    private static String refererHost(String referer) {
        int start = referer.indexOf("://");
        String rest = start < 0 ? referer : referer.substring(start + 3);
        int end = rest.length();
        for (char c : new char[] {'/', ':', '?', '#'}) {
            int i = rest.indexOf(c);
            if (i >= 0 && i < end) end = i;
        }
        return rest.substring(0, end).toLowerCase(java.util.Locale.ROOT);
    }
}
