package io.requestflow.firewall.waf.rules;

import io.requestflow.firewall.waf.Inspection;
import io.requestflow.firewall.waf.Match;
import io.requestflow.firewall.waf.Target;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.requestflow.firewall.waf.Severity.CRITICAL;
import static io.requestflow.firewall.waf.rules.PatternRule.ARGS;
import static io.requestflow.firewall.waf.rules.PatternRule.ARGS_AND_HEADERS;
import static io.requestflow.firewall.waf.rules.PatternRule.EVERYWHERE;
import static io.requestflow.firewall.waf.rules.PatternRule.anyChar;
import static io.requestflow.firewall.waf.rules.PatternRule.anyOf;
import static io.requestflow.firewall.waf.rules.PatternRule.of;

/**
 * Java attacks and template injection: JNDI lookups (Log4Shell, including nested-lookup obfuscation),
 * dangerous Java classes and gadget chains, serialized objects, OGNL/SpEL/EL and server-side templates.
 */
public final class JavaRules extends PatternFamily {
    private static final Pattern LOOKUP = Pattern.compile("\\$\\{(?:[a-z0-9]*:)*(?:[^${}:]*:-)?([^${}]*)\\}");
    private static final Pattern JSP_FILE = Pattern.compile("\\.(?:jspx?|jspf|jsw|jsv|jtml)(?:\\.|$)");

    /**
     * Resolves ${lower:j}${::-n}di style lookups to the text they produce, innermost first. A value without '$'
     * has no "${", so it reads the same through the view (answered from its character mask, see QuietView).
     */
    static final UnaryOperator<String> UNWRAP = new io.requestflow.firewall.waf.QuietView("$", false, new Triggered("${", s -> {
        String cur = s;
        for (int i = 0; i < 8; i++) {
            Matcher m = LOOKUP.matcher(cur);
            StringBuilder sb = new StringBuilder();
            boolean changed = false;
            while (m.find()) {
                String inner = m.group(1);
                boolean plain = m.group().indexOf(':') < 0;
                m.appendReplacement(sb, Matcher.quoteReplacement(plain ? "\u0001" + inner + "\u0002" : inner));
                changed = true;
            }
            m.appendTail(sb);
            if (!changed) break;
            cur = sb.toString();
        }
        return cur.replace('\u0001', '{').replace('\u0002', '}');
    }));

    static final String CLASSES = "(?:java\\.(?:lang\\.(?:runtime|process|processbuilder|reflect|class|classloader|"
            + "system|thread|object|string|stringbuilder|integer|number)|io\\.(?:\\w*(?:stream|reader|writer)|file)|"
            + "net\\.(?:url|socket|urlclassloader)|nio\\.file|beans\\.|rmi\\.|util\\.(?:scanner|zip))|"
            + "javax\\.(?:script|naming|management|el)|com\\.opensymphony\\.xwork2|com\\.sun\\.(?:org\\.apache|jndi|"
            + "rowset|jmx)|org\\.apache\\.(?:commons|xalan|struts2?|tomcat|catalina|bcel|naming)|org\\.omg\\.corba|"
            + "org\\.springframework\\.|org\\.codehaus\\.groovy|ognl\\.|bsh\\.interpreter|javassist|"
            + "(?:clone|invoker|instantiate|chained|constant|map|lazy)transformer|(?:for|while|if|switch)closure|"
            + "instantiatefactory|prototype(?:clone|serialization)factory|runtime\\.getruntime|\\bprocessbuilder\\b|"
            + "java\\b.{0,40}\\b(?:runtime|processbuilder)\\b|\\.getclass\\s*\\(|\\.forname\\s*\\(|"
            + "\\.getmethod\\s*\\(|\\.invoke\\s*\\(|\\.newinstance\\s*\\(|#_memberaccess|@java\\.|"
            + "class\\.module\\.classloader|class\\.classloader)";

    /**
     * Gadget and class names inside base64: the first two letters may be lost to the alignment, so the
     * names are matched from their third letter.
     */
    private static final Pattern ENCODED_KEYWORDS = Pattern.compile("(?:nd_func\\$\\$|ild_process|quire\\s*\\(|"
            + "ile\\s*\\(\\s*(?:true|1|!)|ntime\\.|ocessbuilder|onetransformer|"
            + "vokertransformer|stantiatetransformer|ainedtransformer|nstanttransformer|stantiatefactory|"
            + "ototypeclonefactory|ototypeserializationfactory|ileclosure|rclosure|assloader|truntime|va\\.lang\\.|"
            + "ntime(?![a-z]))");

    public JavaRules() {
        super(List.of(
                of("JAVA-100", 1, CRITICAL, "\\$\\{\\s*jndi\\s*:|\\bjndi\\s*:\\s*(?:ldaps?|rmi|dns|iiop|corba|nds|nis|"
                        + "https?)\\s*:|\\$\\{[^}]*\\$\\{[^}]*\\}[^}]*\\}|\\$\\{\\s*(?:ctx|env|sys|main|bundle|docker|k8s|"
                        + "log4j|spring|web|marker|map|sd|event|java|base64|date|lower|upper|jvmrunargs|::-)\\s*:",
                        EVERYWHERE, UNWRAP).when(anyOf("${", "jndi")),
                of("JAVA-110", 1, CRITICAL, CLASSES, ARGS_AND_HEADERS).when(anyOf("java", "com.", "org.", "ognl", "bsh.", "javassist", "transformer", "closure", "factory", "runtime", "processbuilder", ".get", ".forname", ".invoke", ".newinstance", "#_memberaccess", "classloader")),
                of("JAVA-120", 1, CRITICAL, "\\xac\\xed\\x00\\x05|\\bro0ab|\\baced0005|h4siaaaaaaaa|kztaau|cs7qaf",
                        ARGS_AND_HEADERS).when(anyOf("\u00ac\u00ed", "ro0ab", "aced0005", "h4siaaaaaaaa", "kztaau", "cs7qaf")),
                of("JAVA-130", 1, CRITICAL, "%\\{.*(?:#|@|\\().*\\}|#\\{.*\\}|\\$\\{.*(?:getclass|runtime|exec\\s*\\(|"
                        + "forname|getruntime|new\\s).*\\}|\\bt\\s*\\(\\s*java\\.|new\\s+java\\.|#(?:context|request|"
                        + "session|application|attr|parameters)\\[", ARGS_AND_HEADERS).when(anyOf("%{", "#{", "${", "t(", "t (", "new ", "#context", "#request", "#session", "#application", "#attr", "#parameters")),
                of("JAVA-140", 1, CRITICAL, "\\{\\{.*(?:__class__|__mro__|__subclasses__|__globals__|__builtins__|"
                        + "__init__|config\\.|self\\.|request\\.|lipsum|cycler|joiner|namespace|\\.popen|"
                        + "\\|attr|7\\s*\\*\\s*7).*\\}\\}|\\{%.*(?:import|include|set|for|if|exec|popen).*%\\}|"
                        + "<#assign|freemarker\\.template|\\?new\\s*\\(|#set\\s*\\(\\s*\\$|\\$\\{\\s*\\d+\\s*\\*\\s*\\d+\\s*\\}|"
                        + "<%=.*%>|\\{php\\}|\\{\\$smarty|@\\{.*\\}|\\*\\{.*\\}", ARGS_AND_HEADERS).when(anyOf("{{", "{%", "<#", "freemarker", "?new", "#set", "${", "<%", "{php}", "{$smarty", "@{", "*{"))));
    }

    @Override
    public String prefix() {
        return "JAVA";
    }

    @Override
    public void inspect(Inspection request, int paranoia, List<Match> out) {
        super.inspect(request, paranoia, out);
        for (String h : new String[] {"x-filename", "x_filename", "x-file-name"}) {
            String v = request.header(h);
            if (v != null && JSP_FILE.matcher(v.toLowerCase(java.util.Locale.ROOT).trim()).find()) {
                out.add(new Match("JAVA-160", CRITICAL, "HEADER:" + h, "jsp file name"));
                break;
            }
        }
        for (Target t : request.fresh()) {
            if (!ARGS.contains(t.kind()) && t.kind() != Target.Kind.HEADER) continue;
            for (String token : encodedTokens(t.raw())) {
                // the keyword may start at any byte of the encoded text: try the four alignments
                for (int shift = 0; shift < 4 && shift < token.length() - 6; shift++) {
                    String decoded = decode(token.substring(shift));
                    if (decoded != null && ENCODED_KEYWORDS.matcher(decoded.toLowerCase(java.util.Locale.ROOT)).find()) {
                        out.add(new Match("JAVA-150", CRITICAL, t.location(), "base64 " + token));
                        return;
                    }
                }
            }
        }
    }

    /**
     * The tokens worth decoding: what {@code [A-Za-z0-9+/_-]{8,}={0,2}} finds in {@code raw}, kept when
     * mixed case (two upper- and two lower-case letters; plain words are not worth decoding). One loop
     * over the value: a match is a whole run of the class (the quantifier is greedy, and a run shorter
     * than 8 holds no match), followed by at most two '='.
     */
    public static List<String> encodedTokens(String raw) {
        List<String> out = null;
        int n = raw.length();
        int capitals = 0; // a token needs two upper-case letters, so the value does
        // counted without a branch per character (a random session id mixes digits and letters, which a branch
        // on "below 'A'" would guess wrong half the time): (char) (c - 'A') < 26 is 'A' <= c <= 'Z'
        for (int i = 0; i < n && capitals < 2; i++) capitals += (char) (raw.charAt(i) - 'A') < 26 ? 1 : 0;
        if (capitals < 2) return List.of();
        int i = 0;
        while (i < n) {
            if (!base64Char(raw.charAt(i))) {
                i++;
                continue;
            }
            int start = i;
            int upper = 0;
            int lower = 0;
            for (; i < n && base64Char(raw.charAt(i)); i++) {
                char c = raw.charAt(i);
                if (c >= 'A' && c <= 'Z') upper++;
                else if (c >= 'a' && c <= 'z') lower++;
            }
            if (i - start < 8) continue;
            int end = i;
            while (end < n && end - i < 2 && raw.charAt(end) == '=') end++;
            if (upper >= 2 && lower >= 2) {
                if (out == null) out = new java.util.ArrayList<>();
                out.add(raw.substring(start, end));
            }
            i = end;
        }
        return out == null ? List.of() : out;
    }

    private static boolean base64Char(char c) {
        return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '/'
                || c == '_' || c == '-';
    }

    private static String decode(String token) {
        String t = token.replace('-', '+').replace('_', '/').replace("=", "");
        int pad = (4 - t.length() % 4) % 4;
        if (pad == 3) return null;
        try {
            return new String(Base64.getDecoder().decode(t + "==".substring(0, pad)),
                    StandardCharsets.ISO_8859_1);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
