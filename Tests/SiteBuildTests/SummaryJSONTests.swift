import Foundation
import Testing
@testable import SiteBuild

/// `summary.json` is written by hand; these hold it to what `JSONEncoder` wrote before, byte for
/// byte, on documents made to hit every rule: key order, escapes, empty containers, nil
/// members, whole and fractional numbers.
@Suite("summary.json written by hand")
struct SummaryJSONTests {
    static func reference(_ document: MonthSummaryDocument) throws -> Data {
        let encoder = JSONEncoder()
        MonthSummaryDocument.encoderSettings(encoder)
        var data = try encoder.encode(document)
        data.append(0x0A)
        return data
    }

    /// Text that needs each kind of escape, and text the encoder leaves alone.
    static let awkwardText = [
        "", "plain", "quote \" and backslash \\", "a/b/c", "tab\tnew\nline\rreturn", "\u{8}\u{c}\u{0}\u{1}\u{1f}\u{7f}",
        "日本語のテキスト", "line\u{2028}separator", "emoji 😀", "=HYPERLINK(\"x\")", "<script>alert(1)</script>",
    ]

    /// Keys whose UTF-8 order differs from a case-insensitive or numeric order.
    static let awkwardKeys = ["Zed", "_under", "a10", "a2", "fooBar", "é", "no-policy-found", "sts", "A", "a", "", "tlsa"]

    static func document(seed: UInt64) -> MonthSummaryDocument {
        var random = SeededNumbers(seed: seed)
        func text() -> String { awkwardText[random.below(awkwardText.count)] }
        func count() -> Int { random.below(4) == 0 ? 0 : random.below(2_000_000) }
        func keys() -> [String] { (0..<random.below(5)).map { _ in awkwardKeys[random.below(awkwardKeys.count)] } }
        func disposition() -> MonthSummaryDocument.Disposition {
            .init(none: count(), quarantine: count(), reject: count(), pass: count(), other: count())
        }
        let shares: [Double?] = [nil, 0, 1, 0.5, 0.9876, 0.0001, 1e-5, 0.3333]
        let domains = (0..<random.below(4)).map { _ in
            MonthSummaryDocument.Domain(
                domain: text(), messages: count(), dmarcPass: count(), spfAligned: count(), dkimAligned: count(),
                disposition: disposition(), reports: count(), sources: count(),
                senders: (0..<random.below(4)).map { _ in
                    MonthSummaryDocument.Sender(
                        identity: text(), name: text(), category: random.below(2) == 0 ? nil : text(), verdict: text(),
                        fixes: (0..<random.below(3)).map { _ in text() }, messages: count(), dmarcPass: count(),
                        spfAligned: count(), dkimAligned: count(), sourceIps: (0..<random.below(4)).map { _ in text() })
                },
                readiness: .init(level: text(), alignedShare: shares[random.below(shares.count)],
                                 currentPolicy: random.below(2) == 0 ? nil : text(), nextPolicy: random.below(2) == 0 ? nil : text()))
        }
        let tlsDomains = (0..<random.below(3)).map { _ in
            MonthSummaryDocument.TLS.Domain(
                domain: text(), successful: count(), failed: count(), reports: count(),
                policyTypes: Dictionary(keys().map { ($0, MonthSummaryDocument.TLS.Sessions(successful: count(), failed: count())) }) { a, _ in a },
                failureTypes: Dictionary(keys().map { ($0, count()) }) { a, _ in a })
        }
        return MonthSummaryDocument(
            reseller: text(), client: text(), clientName: text(), month: "2025-12",
            totals: .init(messages: count(), dmarcPass: count(), spfAligned: count(), dkimAligned: count(),
                          disposition: disposition(), reports: count()),
            domains: domains,
            reporters: (0..<random.below(4)).map { _ in .init(orgName: text(), reports: count(), messages: count(), dmarcPass: count()) },
            sources: (0..<random.below(5)).map { _ in
                .init(sourceIp: text(), messages: count(), dmarcPass: count(), spfAligned: count(), dkimAligned: -count())
            },
            tls: .init(successful: count(), failed: count(), reports: count(), domains: tlsDomains),
            findings: (0..<random.below(4)).map { _ in
                .init(severity: text(), kind: text(), domain: text(),
                      values: Dictionary(keys().map { ($0, text()) }) { a, _ in a }, message: text())
            })
    }

    @Test func handWrittenBytesMatchTheEncoder() throws {
        for seed in 0..<300 as Range<UInt64> {
            let document = Self.document(seed: seed)
            let written = try document.encoded()
            let expected = try Self.reference(document)
            #expect(written == expected, "seed \(seed):\n\(String(decoding: written, as: UTF8.self))\n---\n\(String(decoding: expected, as: UTF8.self))")
            if written != expected { return }
        }
    }

    @Test func anEmptyMonthMatchesTheEncoder() throws {
        let empty = MonthSummaryDocument(
            reseller: "r", client: "c", clientName: "C", month: "2025-12",
            totals: .init(messages: 0, dmarcPass: 0, spfAligned: 0, dkimAligned: 0,
                          disposition: .init(none: 0, quarantine: 0, reject: 0, pass: 0, other: 0), reports: 0),
            domains: [], reporters: [], sources: [], tls: .init(successful: 0, failed: 0, reports: 0, domains: []), findings: [])
        #expect(try empty.encoded() == Self.reference(empty))
    }

    @Test func aNumberJSONCannotHoldIsRefused() {
        var writer = PrettyJSONWriter()
        #expect(throws: EncodingError.self) { try writer.number(.nan) }
        #expect(throws: EncodingError.self) { try writer.number(.infinity) }
    }
}

/// SplitMix64, so each seed gives the same document (or rows) on every run.
struct SeededNumbers {
    var state: UInt64

    init(seed: UInt64) {
        state = seed
    }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    mutating func below(_ bound: Int) -> Int {
        Int(next() % UInt64(bound))
    }
}
