import Foundation
import Testing
@testable import Templating

@Suite("Locale strings fill in their placeholders")
struct LocaleStringsTests {
    /// Placeholders are filled in by name, each in the text the ones before left, as
    /// Foundation's `replacingOccurrences` did for every call.
    static func foundationText(_ template: String, _ arguments: [String: String]) -> String {
        var value = template
        for (name, replacement) in arguments.sorted(by: { $0.key < $1.key }) {
            value = value.replacingOccurrences(of: "{\(name)}", with: replacement)
        }
        return value
    }

    @Test(arguments: [
        ("{count} of {total}", ["count": "3", "total": "10"]),
        ("{a}{a}{a}", ["a": "x"]),
        ("{{a}}", ["a": "{a}"]),
        ("no placeholder", ["a": "x"]),
        ("{a} then {b}", ["a": "says {b}", "b": "B"]),
        ("{b} then {a}", ["a": "A", "b": "says {a}"]),
        ("{a", ["a": "x"]),
        ("", ["a": "x"]),
        ("{domain}: {sender} sent {messages}", ["domain": "contoso.example", "sender": "=cmd|' /C calc'!A0", "messages": "1,234"]),
        ("日本語 {count} 件", ["count": "5"]),
        ("{name}", ["name": "Ünïcode"]),
        ("e\u{301}{a}\u{301}", ["a": "x"]),
    ])
    func fillsInAsFoundationDid(template: String, arguments: [String: String]) {
        let strings = LocaleStrings(locale: "en", values: ["key": template])
        #expect(strings.text("key", arguments) == Self.foundationText(template, arguments))
    }

    @Test func aMissingKeyIsShownAsTheKey() {
        #expect(LocaleStrings(locale: "en", values: [:]).text("kpi.missing", ["a": "b"]) == "kpi.missing")
    }
}
