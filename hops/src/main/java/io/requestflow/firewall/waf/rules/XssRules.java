package io.requestflow.firewall.waf.rules;

import io.requestflow.firewall.waf.QuietView;

import java.util.List;
import java.util.function.UnaryOperator;

import static io.requestflow.firewall.waf.Severity.CRITICAL;
import static io.requestflow.firewall.waf.rules.PatternRule.ARGS_AND_HEADERS;
import static io.requestflow.firewall.waf.rules.PatternRule.anyChar;
import static io.requestflow.firewall.waf.rules.PatternRule.anyOf;
import static io.requestflow.firewall.waf.rules.PatternRule.of;

/** Cross-site scripting: script tags, event handlers, script URLs, dangerous elements and JS sinks. */
public final class XssRules extends PatternFamily {
    /** Browsers ignore whitespace and control characters inside "javascript:". */
    private static final UnaryOperator<String> SQUEEZE = new QuietView(":", false,
            s -> s.indexOf(':') < 0 ? s : Views.withoutBlanks(s));

    private static final String SPACED_TAGS = java.util.stream.Stream.of("script", "form", "dialog", "iframe", "svg",
                    "img", "body", "object", "embed", "style", "input", "frame", "meta", "link", "video", "audio", "math",
                    "details", "marquee", "template", "button", "textarea", "select", "base", "image")
            .map(t -> String.join("\\s+", t.split(""))).collect(java.util.stream.Collectors.joining("|"));
    /**
     * JavaScript's view of a value: block comments and blanks between tokens removed. Its blanks are ASCII ones
     * (\s without UNICODE_CHARACTER_CLASS) and a comment needs '*': a value with neither is its own view.
     */
    private static final UnaryOperator<String> JS_CODE = new QuietView(" \t\n\013\f\r*", false, Views::jsCode);

    private static final String HANDLERS = "on(?:error|load|unload|click|dblclick|mouse\\w*|key\\w*|focus\\w*|blur|"
            + "change|submit|reset|select|input|invalid|drag\\w*|drop|scroll|wheel|resize|toggle|begin|end|"
            + "animation\\w*|transition\\w*|pointer\\w*|touch\\w*|hashchange|message|pageshow|pagehide|popstate|"
            + "storage|beforeunload|afterprint|beforeprint|start|finish|bounce|play|pause|ended|canplay\\w*|"
            + "loadstart|loadeddata|progress|search|copy|cut|paste|contextmenu|auxclick|show|readystatechange|"
            + "abort|volumechange|seek\\w*|timeupdate|waiting|cuechange|formdata|fullscreen\\w*|online|offline|"
            + "repeat|activate|beforeactivate|filterchange|propertychange|help|mousewheel|zoom|datasetchanged|"
            + "rowenter|rowexit|move\\w*|layoutcomplete|losecapture|\\w*capture)";

    public XssRules() {
        super(List.of(
                of("XSS-100", 1, CRITICAL, "<\\s*/?\\s*(?:[a-z]+\\s*:\\s*)?script\\b|<\\s*script[\\s>/]|\\b(?:formaction|srcdoc)\\s*=", ARGS_AND_HEADERS).when(anyChar("<=")),
                of("XSS-110", 1, CRITICAL, "[\\s\"'`;/0-9=<>(]" + HANDLERS + "\\s*=|^" + HANDLERS + "\\s*=",
                        ARGS_AND_HEADERS).when(anyChar("=")).when(v -> mayAssignHandler(v, "\"'`;/=<>(0123456789", 1)),
                of("XSS-115", 1, CRITICAL, "(?:^|[\\s\"'`;/=<>])on[a-z]{4,}\\s*=", ARGS_AND_HEADERS).when(anyChar("="))
                        .when(v -> mayAssignHandler(v, "\"'`;/=<>", 4)),
                of("XSS-135", 1, CRITICAL, "<[^>]*(?:\\bxmlns(?::[a-z]+)?\\s*=|\\bxlink:href|xsi:schemalocation)",
                        ARGS_AND_HEADERS).when(anyChar("<")),
                of("XSS-120", 1, CRITICAL, "(?:java|vb|live|ecma)script:|data:(?:text/html|image/svg|"
                        + "application/(?:x-)?(?:javascript|ecmascript|xhtml))|data:[^,]{0,40};base64,", ARGS_AND_HEADERS,
                        SQUEEZE).when(anyChar(":")),
                of("XSS-130", 1, CRITICAL, "<\\s*/?\\s*(?:iframe|frame|frameset|object|embed|applet|meta|base|link|"
                        + "svg|math|isindex|style|marquee|xml|import|template|xss|bgsound|layer|ilayer|blink|"
                        + "x:script|vmlframe|param|form|body|animate|set|handler|listener|image|html)\\b",
                        ARGS_AND_HEADERS).when(anyChar("<")),
                of("XSS-140", 1, CRITICAL, "<\\s*[a-z][a-z0-9:_-]*\\b[^>]*?(?:\\bsrc|\\bhref|\\baction|\\bformaction|"
                        + "\\bbackground|\\bdata|\\bdynsrc|\\blowsrc|\\bposter|\\bxlink:href|\\bstyle|\\bcode|\\bvalues|"
                        + "\\bfrom|\\bto|\\battributename|\\bby)\\s*=", ARGS_AND_HEADERS).when(anyChar("<")),
                of("XSS-150", 1, CRITICAL, "\\b(?:alert|prompt|confirm|eval|settimeout|setinterval|execscript|"
                        + "fromcharcode|atob|btoa)\\s*(?:\\(|`|&lpar;)|\\b(?:document\\s*\\.\\s*(?:cookie|write|domain|location"
                        + "|body|createelement)|window\\s*\\.\\s*(?:location|open|name)|\\.innerhtml\\b|\\.outerhtml\\b|"
                        + "\\bself\\s*\\[|top\\s*\\[|\\bparent\\s*\\[|\\bconstructor\\s*\\.\\s*constructor)",
                        ARGS_AND_HEADERS).when(anyOf("(", "`", "document", "window", "innerhtml", "outerhtml", "self", "top", "parent", "constructor")),
                of("XSS-160", 1, CRITICAL, "\\bexpression\\s*\\(|-moz-binding|\\bbehavior\\s*:|url\\s*\\(\\s*['\"]?\\s*"
                        + "(?:java|vb)script|@import\\b|\\{\\{.*(?:constructor|\\$eval|\\$on|alert|\\$parse|"
                        + "tostring|fromcharcode).*\\}\\}|\\+adw-|\\+ad4-", ARGS_AND_HEADERS).when(anyOf("expression", "-moz-binding", "behavior", "url", "@import", "{{", "+adw-", "+ad4-")),
                of("XSS-170", 1, CRITICAL, "<[a-z][a-z0-9]*[\\s/][^>]*" + HANDLERS + "\\s*=|<!\\[cdata\\[|<\\?import|"
                        + "<!entity|!entity\\s+%?\\s*[\\w-]+\\s+(?:system|public)\\b|<!doctype\\s+\\w+\\s*\\[", ARGS_AND_HEADERS).when(anyChar("<")),
                // tag names spelled out with blanks between the letters: <f o r m, <s c r i p t
                of("XSS-175", 1, CRITICAL, "<\\s*(?:" + SPACED_TAGS + ")\\b", ARGS_AND_HEADERS).when(anyChar("<")),
                // DOM access once JavaScript comments and blanks are gone: document /*x*/ . cookie,
                // (document)["cookie"], window["alert"](...), self [ "alert" ]
                of("XSS-180", 1, CRITICAL, "\\b(?:document|window|self|top|parent|globalthis|frames)\\)?(?:\\.|\\[[\"'`])"
                        + "(?:cookie|location|domain|write|alert|eval|prompt|confirm|document|fetch|atob|open)\\b",
                        ARGS_AND_HEADERS, JS_CODE).when(anyOf("document", "window", "self", "top", "parent", "globalthis",
                                "frames")),
                // JSFuck-style coercions (+!![], (![]+[])) and a bare comment closer sent on its own
                of("XSS-185", 1, CRITICAL, "(?:!!?|\\+)\\[\\]|\\[\\]\\s*\\+\\s*\\[\\]|^\\s*--!?>\\s*$", ARGS_AND_HEADERS)
                        .when(anyChar("[>")),
                of("XSS-200", 2, CRITICAL, "<\\s*/?\\s*[a-z][a-z0-9:_-]*[\\s/>]|<!--|-->|&#x?[0-9a-f]+;?|"
                        + "\\bon[a-z]{3,}\\s*=", ARGS_AND_HEADERS).when(anyChar("<>&=")),
                of("XSS-210", 3, CRITICAL, "[<>\"'`]\\s*[a-z(]|\\$\\{|\\\\[ux][0-9a-f]", ARGS_AND_HEADERS)));
    }

    /**
     * XSS-110's and XSS-115's necessary condition: "on" at the start or after a blank ({@code \s}) or one
     * of {@code before}, then at least {@code letters} ASCII word characters (every handler name of
     * XSS-110 is one or more, XSS-115's {@code [a-z]{4,}} four or more) running up to blanks and '='
     * (neither is a word character, so the name ends where the run does). In a query string
     * ("q=sony headphones&sort=on") the run after "on" ends at '&' or the end, so it is turned away.
     */
    static boolean mayAssignHandler(String v, String before, int letters) {
        int n = v.length();
        for (int i = v.indexOf("on"); i >= 0; i = v.indexOf("on", i + 1)) {
            if (i > 0 && !CommandGates.blank(v.charAt(i - 1)) && before.indexOf(v.charAt(i - 1)) < 0) continue;
            int e = i + 2;
            while (e < n && wordChar(v.charAt(e))) e++;
            if (e - (i + 2) < letters) continue;
            while (e < n && CommandGates.blank(v.charAt(e))) e++;
            if (e < n && v.charAt(e) == '=') return true;
        }
        return false;
    }

    /** {@code \w} without flags. */
    private static boolean wordChar(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
    }

    @Override
    public String prefix() {
        return "XSS";
    }
}
