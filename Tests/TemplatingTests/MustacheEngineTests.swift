import Foundation
import Testing
@testable import Templating

/// sitegen's compiled Mustache engine against swift-mustache: the same bytes for the same
/// templates and values, the same syntax errors at the same place.
@Suite("Mustache engine")
struct MustacheEngineTests {
    static let context: TemplateValue = [
        "name": "Ada <&> \"quoted\" 'single'",
        "empty": "",
        "zero": 0,
        "count": 3,
        "yes": true,
        "no": false,
        "html": .html(SafeHTML(producedBySitegen: "<b>bold</b> & more")),
        "emptyHTML": .html(SafeHTML(producedBySitegen: "")),
        "words": ["b", "a\"", "c"],
        "none": [],
        "rows": [["label": "one", "href": "1.html"], ["label": "two <2>", "href": "2.html"], ["label": "three", "href": "3.html"]],
        "nested": ["name": "inner", "deeper": ["value": "deep"]],
        "t": ["site": ["home": "Home"]],
        "jp": "日本語 ✓ ｶﾀｶﾅ",
        "bidi": "a\u{202E}b",
        "which": "p",
    ]

    /// Renders `main` with both engines and expects the same outcome; returns sitegen's.
    @discardableResult
    func same(_ texts: [String: String], _ context: TemplateValue = context, sourceLocation: SourceLocation = #_sourceLocation) -> MustacheReference.Outcome {
        let pair = MustacheReference(texts: texts)
        let engine = pair.engineOutput("main", context)
        let reference = pair.referenceOutput("main", context)
        #expect(engine == reference, "\(texts)", sourceLocation: sourceLocation)
        return engine
    }

    func rendered(_ texts: [String: String], sourceLocation: SourceLocation = #_sourceLocation) -> String? {
        if case .rendered(let text) = same(texts, sourceLocation: sourceLocation) { return text }
        Issue.record("did not render: \(texts)", sourceLocation: sourceLocation)
        return nil
    }

    @Test(arguments: [
        "{{#yes}}\nline\n{{/yes}}\nafter\n",
        "  {{#yes}}  \n  x\n  {{/yes}}\n",
        "a {{#yes}}b{{/yes}} c\n",
        "{{! comment }}\nx\n  {{! indented }}  \ny\n",
        "a {{! inline }} b\n",
        "{{^no}}\nshown\n{{/no}}",
        "{{#yes}}\r\nx\r\n{{/yes}}\r\nend\r\n",
        "x\n  ",
        "{{#yes}}\n{{/yes}} trailing\n",
        "{{#yes}}  ",
        "  {{#rows}}\n  <li>{{label}}</li>\n  {{/rows}}\n",
        "{{#yes}}\nx{{/yes}}{{! same line }}\nz",
        "\t{{^none}}\t\n\tempty\n\t{{/none}}\n",
    ])
    func standaloneLines(template: String) {
        same(["main": template + (template.hasSuffix("  ") ? "{{/yes}}" : "")])
    }

    @Test func standaloneTagLinesDisappear() {
        #expect(rendered(["main": "<ul>\n  {{#rows}}\n  <li>{{label}}</li>\n  {{/rows}}\n</ul>\n"])
            == "<ul>\n  <li>one</li>\n  <li>two &lt;2&gt;</li>\n  <li>three</li>\n</ul>\n")
    }

    /// Each line of a partial alone on its line starts with the tag's indentation, except (as
    /// in swift-mustache) the lines of a list's second and later elements.
    @Test func partialsAreIndentedLikeTheirTag() {
        let texts = ["main": "<div>\n  {{>p}}\nend\n", "p": "line1\nline2\n{{#rows}}\n{{label}}\n{{/rows}}\n  {{>q}}\n", "q": "q1\nq2\n"]
        #expect(rendered(texts) == "<div>\n  line1\n  line2\n  one\ntwo &lt;2&gt;\nthree\n    q1\n    q2\nend\n")
        same(["main": "x {{>p}} y\n", "p": "a\nb\n"])
        same(["main": "\t{{>p}}\r\n", "p": "a\r\nb\r\n"])
        same(["main": "  {{>missing}}\nafter\n"])
        same(["main": "  {{>*which}}\n", "p": "dynamic\nline\n"])
    }

    @Test func inheritanceWithNestedBlocks() {
        let base = "<h>{{$title}}Default{{/title}}</h>\n{{$body}}\n  body default {{$inner}}inner default{{/inner}}\n{{/body}}\n{{>shared}}"
        let shared = "<footer>{{$footer}}base footer{{/footer}}</footer>\n"
        let middle = "{{<base}}\n{{$title}}Middle{{/title}}\n{{$footer}}middle footer{{/footer}}\n{{/base}}\n"
        let texts = ["base": base, "shared": shared, "middle": middle]
        let page = rendered(texts.merging(["main": "{{<middle}}\n{{$title}}Page {{name}}{{/title}}\n{{$inner}}page inner{{/inner}}\n{{/middle}}\n"]) { $1 })
        #expect(page == "<h>Page Ada &lt;&amp;&gt; &quot;quoted&quot; &#39;single&#39;</h>\n  body default page inner\n<footer>middle footer</footer>\n")
        same(texts.merging(["main": "{{<base}}{{$body}}\n    indented\n      more\n  {{/body}}{{/base}}"]) { $1 })
        same(texts.merging(["main": "  {{<base}}\n  {{$body}}\n    one\n    two\n  {{/body}}\n  {{/base}}\n"]) { $1 })
        same(["main": "{{<base}}{{$a}}first{{/a}}{{$a}}second{{/a}}{{/base}}", "base": "[{{$a}}{{/a}}]\n  {{$a}}\n  x\n  {{/a}}\n"])
        same(["main": "{{#rows}}{{<base}}{{$a}}{{label}}{{/a}}{{/base}}{{/rows}}", "base": "<{{$a}}{{/a}}>"])
    }

    @Test(arguments: [
        "{{^none}}empty {{.}} {{name}}{{/none}}",
        "{{^no}}n{{/no}}{{^yes}}y{{/yes}}",
        "{{^missing}}m{{/missing}}",
        "{{^emptyHTML}}e{{/emptyHTML}}{{^html}}h{{/html}}",
        "{{^empty}}x{{/empty}}{{^zero}}z{{/zero}}{{^nested}}o{{/nested}}",
        "{{^rows}}r{{/rows}}",
    ])
    func invertedSections(template: String) {
        same(["main": template])
    }

    @Test(arguments: [
        "{{nested.deeper.value}}",
        "{{#nested}}{{#deeper}}{{name}}/{{value}}/{{t.site.home}}/{{count}}{{/deeper}}{{/nested}}",
        "{{#rows}}{{label}} {{name}} {{t.site.home}};{{/rows}}",
        "{{#nested}}{{.name}}|{{.count}}|{{#deeper}}{{.}}{{/deeper}}{{/nested}}",
        "{{#nested}}{{deeper.missing}}|{{name.x}}|{{deeper.value}}{{/nested}}",
        "{{nested..name}} {{ name }} {{#words}}{{}}{{/words}}",
        "{{#words}}{{.}},{{/words}}",
        "{{#html}}{{html}}{{/html}}",
    ])
    func dottedNamesAndTheContextStack(template: String) {
        same(["main": template])
    }

    @Test func namesResolveUpTheStackOnlyByTheirFirstPart() {
        #expect(rendered(["main": "{{#rows}}{{label}}:{{nested.name}}:{{href.x}};{{/rows}}"])
            == "one:inner:;two &lt;2&gt;:inner:;three:inner:;")
    }

    @Test(arguments: [
        "{{name}} {{{html}}} {{html}} {{&html}}",
        "{{count}} {{zero}} {{yes}} {{no}} {{words}} {{none}}",
        "{{bidi}} {{jp}}",
        "{{#name}}[{{.}}]{{/name}}{{#zero}}[{{.}}]{{/zero}}{{#empty}}[{{.}}]{{/empty}}{{#emptyHTML}}no{{/emptyHTML}}",
        "{{nested.deeper}}",
    ])
    func escapingAndPrinting(template: String) {
        same(["main": template])
    }

    @Test func escapesTheFiveHTMLCharacters() {
        #expect(rendered(["main": "{{name}}|{{{html}}}|{{html}}"])
            == "Ada &lt;&amp;&gt; &quot;quoted&quot; &#39;single&#39;|<b>bold</b> & more|&lt;b&gt;bold&lt;/b&gt; &amp; more")
    }

    /// swift-mustache compared grapheme clusters, so a quote followed by a combining mark was
    /// not escaped (an attribute could be closed by report text); sitegen escapes every one.
    @Test func escapesEvenWhenACombiningMarkFollows() {
        let pair = MustacheReference(texts: ["main": "<a title=\"{{x}}\">{{y}}</a>"])
        let context: TemplateValue = ["x": "\"\u{301} onmouseover=alert(1)", "y": "<\u{338}script>"]
        #expect(pair.engineOutput("main", context)
            == .rendered("<a title=\"&quot;\u{301} onmouseover=alert(1)\">&lt;\u{338}script&gt;</a>"))
    }

    /// `{{{…}}}` prints only sitegen's own HTML unescaped (theme check refuses it elsewhere).
    @Test func tripleMustacheEscapesAnythingButSafeHTML() {
        let pair = MustacheReference(texts: ["main": "{{{name}}}{{&name}}{{{html}}}"])
        #expect(pair.engineOutput("main", Self.context) == .rendered(
            "Ada &lt;&amp;&gt; &quot;quoted&quot; &#39;single&#39;Ada &lt;&amp;&gt; &quot;quoted&quot; &#39;single&#39;<b>bold</b> & more"))
    }

    @Test(arguments: [
        "{{#empty(none)}}E{{/empty(none)}}{{^empty(words)}}W{{/empty(words)}}{{count(words)}}",
        "{{#sorted(words)}}{{.}}{{/sorted(words)}}{{#reversed(words)}}{{.}}{{/reversed(words)}}{{first(words)}}{{last(words)}}",
        "{{uppercased(name)}}{{lowercased(name)}}{{capitalized(jp)}}{{reversed(jp)}}{{empty(empty)}}",
        "{{plusone(count)}}{{minusone(zero)}}{{even(count)}}{{odd(count)}}{{equalzero(zero)}}",
        "{{#rows}}{{#first()}}F{{/first()}}{{^last()}},{{/last()}}{{index()}}{{even()}}{{odd()}}{{/rows}}",
        "{{#rows}}{{#yes}}{{index()}}{{/yes}}{{#nested}}[{{index()}}]{{/nested}}{{/rows}}",
        "{{count(nested)}}{{empty(nested)}}{{#sorted(nested)}}{{key}};{{/sorted(nested)}}",
        "{{first(none)}}{{#first(none)}}x{{/first(none)}}{{^first(none)}}y{{/first(none)}}{{uppercased(count)}}{{count(yes)}}",
        "{{plusone(count(words))}}{{#even(plusone(count))}}even{{/even(plusone(count))}}",
        "{{index()}}{{first(html)}}",
    ])
    func transforms(template: String) {
        same(["main": template])
    }

    @Test(arguments: [
        "{{=<% %>=}}\n<%name%>\n<%={{ }}=%>\n{{count}}",
        "{{%CONTENT_TYPE:HTML}}\n{{name}}",
        "{{=| |=}}|#yes|\n|count|\n|/yes|",
    ])
    func delimitersAndPragmas(template: String) {
        same(["main": template])
    }

    @Test(arguments: [
        "{{#a}}\nx", "{{#a}}{{/b}}", "line\n  {{a b}}", "text {", "{{!unclosed", "{{<p}}{{x}}{{/p}}",
        "{{$a(b)}}x{{/a(b)}}", "{{=<% %>\n", "{{{a}}", "{{a(b}}", "\r\nline\r\n{{#x}}", "{{% FOO:BAR}}",
        "{{%CONTENT_TYPE HTML}}", "{{#a(b)}}{{/a}}", "{{a)}}", "{{a(b))}}", "ab\ncd {{^x}}\n{{/y}}", "{{=<% %>=}}<%a",
        "{{<p}}{{=<% %>=}}<%$a%>x<%/a%><%/p%>", "日本 {{x", "{{/x}}",
    ])
    func syntaxErrorsMatch(template: String) {
        let outcome = same(["main": template])
        if case .rendered = outcome {
            Issue.record("\(template.debugDescription) parsed")
        }
    }

    /// swift-mustache ran out of stack on a partial or block that includes itself; sitegen
    /// stops that page with an error.
    @Test(arguments: [
        ["main": "{{>main}}"],
        ["main": "a\n  {{>p}}", "p": "{{#rows}}{{>main}}{{/rows}}"],
        ["main": "{{<base}}{{$a}}[{{$a}}{{/a}}]{{/a}}{{/base}}", "base": "{{$a}}{{/a}}"],
    ])
    func selfIncludingTemplatesAreAnErrorNotACrash(texts: [String: String]) {
        #expect(MustacheReference(texts: texts).engineOutput("main", Self.context) == .nestedTooDeep)
    }

    @Test func refusesTheTextContentType() {
        let pair = MustacheReference(texts: ["main": "{{%CONTENT_TYPE:TEXT}}{{name}}"])
        guard case .syntaxError(_, _, _, let reason) = pair.engineOutput("main", Self.context) else {
            Issue.record("CONTENT_TYPE: TEXT was accepted")
            return
        }
        #expect(reason.contains("unescaped"))
    }

    /// Templates put together at random from tags, text and white space, most of them well
    /// formed, some not: both engines give the same page or the same error.
    @Test func randomTemplatesRenderTheSame() {
        var generator = RandomTemplates(seed: 0x5EED)
        var rendered = 0
        for _ in 0..<3000 {
            let texts = [
                "main": generator.template(depth: 3, partials: ["p", "parent"]),
                "p": generator.template(depth: 2, partials: ["parent"]),
                "parent": generator.template(depth: 2, partials: []),
            ]
            if case .rendered = same(texts) { rendered += 1 }
        }
        #expect(rendered > 1000, "most random templates should parse: \(rendered)")
    }
}

/// A deterministic source of random templates over the test context's names.
struct RandomTemplates {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    private mutating func next(_ bound: Int) -> Int {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return Int((z ^ (z >> 31)) % UInt64(bound))
    }

    private mutating func pick(_ options: [String]) -> String { options[next(options.count)] }

    private mutating func space() -> String { pick(["", "", "", " ", "  ", "\t", "\n", "\n", "\r\n", "\n  "]) }

    /// `blocks`: whether `{{$name}}` may be used (not inside an override, which would then
    /// include itself).
    mutating func template(depth: Int, partials: [String], blocks: Bool = true) -> String {
        var text = ""
        for _ in 0..<next(7) {
            text += item(depth: depth, partials: partials, blocks: blocks)
        }
        return text
    }

    private mutating func item(depth: Int, partials: [String], blocks: Bool) -> String {
        let roll = next(100)
        switch roll {
        case 0..<30:
            return pick(["x", "text ", "\n", "\n", "  ", "\t", "\r\n", "<p>", "{", "}", "a}}b", "日本"])
        case 30..<50:
            return space() + pick([
                "{{name}}", "{{count}}", "{{yes}}", "{{words}}", "{{{html}}}", "{{&html}}", "{{html}}", "{{label}}",
                "{{nested.deeper.value}}", "{{t.site.home}}", "{{index()}}", "{{empty(none)}}", "{{ name }}", "{{jp}}",
            ]) + space()
        case 50..<68 where depth > 0:
            let name = pick(["rows", "yes", "no", "nested", "none", "words", "empty(none)", "first()", "missing", "html"])
            let sigil = pick(["#", "#", "^"])
            return space() + "{{\(sigil)\(name)}}" + space() + template(depth: depth - 1, partials: partials, blocks: blocks) + space()
                + "{{/\(name)}}" + space()
        case 68..<76 where !partials.isEmpty:
            return pick(["", "  ", "\t", "\n", "x "]) + "{{>\(pick(partials))}}" + space()
        case 76..<84 where partials.contains("parent") && depth > 0:
            var body = ""
            for _ in 0..<next(3) {
                let block = pick(["b", "c"])
                body += space() + "{{$\(block)}}" + template(depth: depth - 1, partials: [], blocks: false) + "{{/\(block)}}" + space()
            }
            return space() + "{{<parent}}" + body + "{{/parent}}" + space()
        case 84..<92 where depth > 0 && blocks:
            let block = pick(["b", "c"])
            return space() + "{{$\(block)}}" + space() + template(depth: depth - 1, partials: partials, blocks: false) + "{{/\(block)}}" + space()
        case 92..<97:
            return space() + pick(["{{! note }}", "{{!\nmulti\n}}", "{{=<% %>=}}<%name%><%={{ }}=%>"]) + space()
        case 97...:
            return pick(["{{#rows}}", "{{/rows}}", "{{x", "{{#a}}{{/b}}", "{{$b}}", "{{<\(partials.first ?? "p")}}x{{/", ""])
        default:
            return pick(["y", "\n", " "])
        }
    }
}
