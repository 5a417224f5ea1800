import Foundation
import Testing
@testable import ReportModel

/// Tricky XML, one quirk at a time: what the byte-level parser accepts (and reads) or refuses,
/// and that the libxml2-based parser it replaced decided the same.
@Suite("Aggregate report parser: well-formedness")
struct XMLWellFormednessTests {
    enum Expected: CustomStringConvertible {
        /// Accepted, with this organisation name.
        case orgName(String)
        /// Refused as not well-formed, with this explanation.
        case malformed(String)
        /// Refused for another reason containing this phrase.
        case refused(String)

        var description: String {
            switch self {
            case .orgName(let name): "accepted with org_name \(name.debugDescription)"
            case .malformed(let why): "malformed: \(why)"
            case .refused(let why): "refused: \(why)"
            }
        }
    }

    static let base = Fixture.report()

    static func replacing(_ target: String, with replacement: String) -> String {
        base.replacingOccurrences(of: target, with: replacement)
    }

    static func orgName(_ value: String) -> String {
        replacing("<org_name>google.com</org_name>", with: "<org_name>\(value)</org_name>")
    }

    static func root(_ tag: String) -> String { replacing("<feedback>", with: tag) }

    static let invalidCharacter = "a character is not valid UTF-8 or not allowed in XML"

    static let cases: [(String, String, Expected)] = [
        ("'>' inside a quoted attribute", root("<feedback a=\"x>y\" b='/>'>"), .orgName("google.com")),
        ("'<' inside an attribute", root("<feedback a=\"x<y\">"), .malformed("a '&' or '<' is not escaped")),
        ("an attribute twice", root("<feedback a=\"1\" a=\"2\">"), .malformed("an attribute appears twice in one tag")),
        ("an unquoted attribute", root("<feedback a=1>"), .malformed("an attribute value is not quoted")),
        ("an attribute without value", root("<feedback a>"), .malformed("an attribute has no value")),
        ("attributes without space", root("<feedback a=\"1\"b=\"2\">"), .malformed("attributes are not separated by white space")),
        ("entities in attributes", root("<feedback a=\"&lt;&#65;&quot;\">"), .orgName("google.com")),
        ("an undeclared entity in an attribute", root("<feedback a=\"&nbsp;\">"), .malformed("an undeclared entity is used")),
        ("']]>' in text", orgName("a]]>b"), .malformed("']]>' appears outside a CDATA section")),
        ("']' and ']]' in text", orgName("a]b]]c"), .orgName("a]b]]c")),
        ("CDATA with markup inside", orgName("<![CDATA[a]]b<c>&amp;]]>x"), .orgName("a]]b<c>&amp;x")),
        ("an unterminated CDATA section", orgName("<![CDATA[abc"), .malformed("a CDATA section is not closed with ']]>'")),
        ("a comment inside a value", orgName("goo<!-- a <b> & c -->gle"), .orgName("google")),
        ("an unterminated comment", replacing("</feedback>", with: "<!-- x </feedback>"), .malformed("a comment is not closed with '-->'")),
        ("'--' inside a comment", root("<feedback><!-- a -- b -->"), .malformed("a comment contains '--' or is not closed with '-->'")),
        ("a processing instruction inside a value", orgName("goo<?pi x?>gle"), .orgName("google")),
        ("an XML declaration inside the root", root("<feedback><?xml version=\"1.0\"?>"), .malformed("an XML declaration appears after the start of the document")),
        ("a stylesheet instruction before the root", root("<?xml-stylesheet href=\"a.xsl\"?><feedback>"), .orgName("google.com")),
        ("a mismatched end tag", replacing("</org_name>", with: "</org>"), .malformed("a closing tag does not match its opening tag")),
        ("an end tag with an attribute", replacing("</org_name>", with: "</org_name a=\"1\">"), .malformed("a tag is not closed with '>'")),
        ("white space in tags", replacing("<org_name>google.com</org_name>", with: "<org_name\n>google.com</org_name  >"), .orgName("google.com")),
        ("text after the root", base + "junk", .malformed("the document ends early or has content after the root element")),
        ("two roots", base + "<feedback/>", .malformed("the document ends early or has content after the root element")),
        ("comments and instructions after the root", base + "\n<!-- c -->\n<?pi x?>\n", .orgName("google.com")),
        ("the document ends inside an element", String(base.dropLast(12)), .malformed("the document ends early or has content after the root element")),
        ("the document ends inside a tag", String(base.dropLast(3)), .malformed("a tag is not closed with '>'")),
        ("no root element", "<?xml version=\"1.0\"?>\n<!-- nothing -->", .malformed("the document ends early or has content after the root element")),
        ("&#0;", orgName("a&#0;b"), .malformed(invalidCharacter)),
        ("&#x1;", orgName("a&#x1;b"), .malformed(invalidCharacter)),
        ("a surrogate reference", orgName("a&#xD800;b"), .malformed(invalidCharacter)),
        ("&#xFFFE;", orgName("a&#xFFFE;b"), .malformed(invalidCharacter)),
        ("a reference beyond Unicode", orgName("a&#x110000;b"), .malformed(invalidCharacter)),
        ("a huge reference", orgName("a&#99999999999999999999;b"), .malformed(invalidCharacter)),
        ("'&#X' (upper-case x)", orgName("a&#X41;b"), .malformed("a character reference has no digits")),
        ("predefined entities and references", orgName("&lt;&gt;&amp;&apos;&quot;&#65;&#x42;&#x1F600;"), .orgName("<>&'\"AB😀")),
        ("a reference to a carriage return is kept", orgName("a&#13;b"), .orgName("a\rb")),
        ("line ends in text are normalised", orgName("a\r\nb\rc"), .orgName("a\nb\nc")),
        ("line ends in CDATA are kept", orgName("<![CDATA[a\r\nb]]>"), .orgName("a\r\nb")),
        ("an undeclared entity", orgName("a&nbsp;b"), .malformed("an undeclared entity is used")),
        ("an entity without ';'", orgName("a&amp b"), .malformed("an entity reference lacks its ';'")),
        ("a bare '&'", orgName("a & b"), .malformed("a '&' or '<' is not escaped")),
        ("a bare '<'", orgName("a < b"), .malformed("a '&' or '<' is not escaped")),
        ("a bare '>'", orgName("a > b"), .orgName("a > b")),
        ("a control character", orgName("a\u{01}b"), .malformed(invalidCharacter)),
        ("U+FFFE", orgName("a\u{FFFE}b"), .malformed(invalidCharacter)),
        ("a NUL byte", orgName("a\u{0}b"), .malformed(invalidCharacter)),
        ("DEL is allowed", orgName("a\u{7F}b"), .orgName("a\u{7F}b")),
        ("white space is trimmed by grapheme, a combining mark is kept", orgName(" \u{301}x "), .orgName(" \u{301}x")),
        ("a no-break space is not trimmed", orgName("\u{A0}x\u{A0}"), .orgName("\u{A0}x\u{A0}")),
        ("a BOM inside a value is trimmed", orgName("\u{FEFF}x\u{FEFF}"), .orgName("x")),
        ("an element prefix that is not declared", orgName("<x:b/>g"), .malformed("the namespace prefix 'x' is not declared")),
        ("an attribute prefix that is not declared", root("<feedback x:a=\"1\">"), .malformed("the namespace prefix 'x' is not declared")),
        ("the xml prefix needs no declaration", root("<feedback xml:lang=\"en\">"), .orgName("google.com")),
        ("a relative default namespace", root("<feedback xmlns=\"dmarc\">"), .malformed("the default namespace name is not an absolute URI")),
        ("an empty default namespace", root("<feedback xmlns=\"\">"), .orgName("google.com")),
        ("a prefix bound to nothing", root("<feedback xmlns:d=\"\">"), .malformed("a namespace prefix is bound to an empty URI")),
        ("two colons in a name", root("<feedback><a:b:c/>"), .malformed("a name has more than one ':' or one at its start or end")),
        ("a name starting with a digit", root("<feedback><1a/>"), .malformed("a '&' or '<' is not escaped")),
        ("names with '.', '-' and non-ASCII letters", root("<feedback><a.b-c/><äb/>"), .orgName("google.com")),
        ("'<!' that is neither comment nor CDATA", root("<feedback><!FOO>"), .malformed("markup starting with '<!' is not a comment or CDATA section")),
        ("a DOCTYPE even inside a comment", root("<feedback><!-- <!DOCTYPE x> -->"), .refused("DOCTYPE")),
        ("version 1.1", replacing("version=\"1.0\"", with: "version=\"1.1\""), .malformed("the XML declaration gives version 1.1, not 1.0")),
        ("a declaration without version", replacing("version=\"1.0\" ", with: ""), .malformed("the XML declaration is malformed")),
        ("a declaration in single quotes with spaces", replacing("<?xml version=\"1.0\" encoding=\"UTF-8\"?>", with: "<?xml  version = '1.0'  encoding = 'utf-8'  standalone='yes' ?>"), .orgName("google.com")),
        ("UTF-16 declared on UTF-8 bytes", replacing("UTF-8", with: "UTF-16"), .malformed("the XML declaration says UTF-16 but the bytes are not UTF-16")),
        ("US-ASCII declared with a non-ASCII byte", replacing("UTF-8", with: "us-ascii").replacingOccurrences(of: ">google.com<", with: ">gö<"), .malformed(invalidCharacter)),
        ("junk before the root is skipped", "x" + base, .orgName("google.com")),
    ]

    @Test(arguments: cases.indices)
    func tricky(index: Int) {
        let (label, text, expected) = Self.cases[index]
        let data = Fixture.data(text)
        let new = Self.outcome { () throws(ReportParseError) in try AggregateReportParser().parse(data) }
        let reference = Self.outcome { () throws(ReportParseError) in try ReferenceAggregateReportParser().parse(data) }
        switch (expected, new) {
        case (.orgName(let name), .success(let report)):
            #expect(report.metadata.orgName == name, "\(label)")
        case (.malformed(let why), .failure(let error)):
            #expect(error.reason.hasPrefix("XML is not well-formed at line "), "\(label): \(error.reason)")
            #expect(error.reason.hasSuffix(": " + why), "\(label): \(error.reason)")
        case (.refused(let why), .failure(let error)):
            #expect(error.reason.contains(why), "\(label): \(error.reason)")
        default:
            Issue.record("\(label): expected \(expected), got \(new)")
        }
        switch (new, reference) {
        case (.success(let a), .success(let b)): #expect(a == b, "\(label)")
        case (.failure(let a), .failure(let b)):
            #expect(ParserDifferentialTests.Outcome.kind(of: a.reason) == ParserDifferentialTests.Outcome.kind(of: b.reason), "\(label)")
        default: Issue.record("\(label): the libxml2 parser decided otherwise: \(reference)")
        }
    }

    @Test func namesTheLineAndColumnOfTheFault() throws {
        let text = "<?xml version=\"1.0\"?>\n<feedback>\n  <report_metadata>\n    <org_name>a & b</org_name>"
        do {
            _ = try AggregateReportParser().parse(Fixture.data(text))
            Issue.record("accepted")
        } catch {
            #expect(error.reason == "XML is not well-formed at line 4, column 18: a '&' or '<' is not escaped")
        }
    }

    static func outcome(_ parse: () throws(ReportParseError) -> AggregateReport) -> Result<AggregateReport, ReportParseError> {
        do {
            return .success(try parse())
        } catch {
            return .failure(error)
        }
    }
}
