@testable import ReportArchive
import ReportModel
import Testing

/// The keys every ingested report gets (domain keys, the transcription key) are worked out by
/// byte for ASCII text; these tests hold them to the general forms they stand for.
@Suite("Archive: domain and transcription keys")
struct IngestKeyTests {
    /// Names in and out of normal form: case, white space, trailing and empty labels, Unicode.
    static let domains = [
        "news.contoso.example", "example", "", ".", "..", "a..b", "Example.COM", "example.com.", "example.com..",
        " example.com ", "\texample.com\r\n", "exa mple.com", "ex\u{7F}ample.com", "bücher.example", "BÜCHER.example.",
        "xn--bcher-kva.example", "a.b.c.d.e.f.g.h.example", "-.example", "under_score.example", "x",
    ]

    /// The general form: the normalised name's labels in reverse order, each followed by a dot.
    static func expectedKey(_ domain: String) -> String {
        DomainName.normalized(domain).split(separator: ".", omittingEmptySubsequences: false).reversed().joined(separator: ".") + "."
    }

    @Test func domainKeysAreTheReversedLabelsOfTheNormalisedName() {
        #expect(DomainKey.key("news.contoso.example") == "example.contoso.news.")
        #expect(DomainKey.key("Mail.Example.COM.") == "com.example.mail.")
        #expect(DomainKey.key("") == ".")
        for domain in Self.domains {
            #expect(DomainKey.key(domain) == Self.expectedKey(domain), "\(domain.debugDescription)")
            #expect(DomainKey.domain(fromKey: DomainKey.key(domain)) == DomainName.normalized(domain), "\(domain.debugDescription)")
        }
    }

    @Test func reportDomainKeysAreSortedAndDistinct() {
        #expect(PreparedFile.keys([String]()).isEmpty)
        #expect(PreparedFile.keys(["b.example", "b.example", "b.example"]) == ["example.b."])
        // Names that differ only in form share a key, which is kept once.
        #expect(PreparedFile.keys(["b.example", "a.example", "b.example", "B.example.", "a.example", "c.a.example"])
            == ["example.a.", "example.a.c.", "example.b."])
        for domain in Self.domains {
            let keys = PreparedFile.keys(Self.domains + [domain])
            #expect(keys == Set(Self.domains.map(Self.expectedKey)).sorted())
        }
    }

    static let orgNames = [
        "google.com", "Mail.Ru", "dmarc.yandex.ru", "Enterprise Outlook", "  Yahoo! Inc. ", "mail.example.co.uk",
        "MAIL.EXAMPLE.CO.UK.", "\r\nexample.com\r\n", "\texample.com", "com", "co.uk", "", " ", "x", "bücher.de",
        "Bücher GmbH", "Outlook.com", "a..b.example", "<org>", "org@example.com", "\u{FEFF}example.com",
    ]
    static let reportIDs = [
        "123", "<1234567@mx.mail.ru>", "AbC", " 42 ", "\r\nid-7\r\n", "a@b@c", "@lead", "<>", "", "  ", "<a>b<c>",
        "ID WITH SPACE@host", "Ünïcode@x", "tab\tinside", "<\u{FEFF}zero>",
    ]

    @Test func transcriptionKeysAreThoseOfParsedmarcsForm() {
        #expect(Transcription(ReportIdentity(orgName: "Mail.Ru", reportID: "<1234567@mx.mail.ru>"), transcribed: false).key
            == "7:mail.ru1234567")
        #expect(Transcription(ReportIdentity(orgName: "Enterprise Outlook", reportID: "AbC"), transcribed: true).key
            == "18:enterprise outlookabc")
        #expect(Transcription(ReportIdentity(orgName: "dmarc.yandex.ru", reportID: "1"), transcribed: false).key == "9:yandex.ru1")
        for orgName in Self.orgNames {
            for reportID in Self.reportIDs {
                let identity = ReportIdentity(orgName: orgName, reportID: reportID)
                #expect(Transcription(identity, transcribed: false).key == Transcription.key(identity.parsedmarcForm),
                        "\(orgName.debugDescription) \(reportID.debugDescription)")
            }
        }
    }

    /// FNV-1a's published values for 64 bits, and the text SQLite keeps of a string with a NUL.
    @Test func lookupKeysAreFNV1aOfTheTextSQLiteStores() {
        #expect(LookupKey.of("") == Int64(bitPattern: 0xcbf2_9ce4_8422_2325))
        #expect(LookupKey.of("a") == Int64(bitPattern: 0xaf63_dc4c_8601_ec8c))
        #expect(LookupKey.of("foobar") == Int64(bitPattern: 0x8594_4171_f739_67e8))
        #expect(LookupKey.of("ab\u{0}c") == LookupKey.of("ab"))
        #expect(LookupKey.of("ü") != LookupKey.of("u"))
    }
}
