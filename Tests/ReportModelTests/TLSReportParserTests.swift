import Foundation
import Testing
@testable import ReportModel

/// SMTP TLS reports written for the tests, one quirk at a time. Every parameter is a raw JSON
/// fragment; `nil` leaves the member out.
enum TLSFixture {
    /// The example of RFC 8460 appendix B (its `mx-host` is a single string there).
    static let rfc8460Example = """
        {
          "organization-name": "Company-X",
          "date-range": {
            "start-datetime": "2016-04-01T00:00:00Z",
            "end-datetime": "2016-04-01T23:59:59Z"
          },
          "contact-info": "sts-reporting@company-x.example",
          "report-id": "5065427c-23d3-47ca-b6e0-946ea0e8c4be",
          "policies": [{
            "policy": {
              "policy-type": "sts",
              "policy-string": ["version: STSv1","mode: testing",
                    "mx: *.mail.company-y.example","max_age: 86400"],
              "policy-domain": "company-y.example",
              "mx-host": "*.mail.company-y.example"
            },
            "summary": {
              "total-successful-session-count": 5326,
              "total-failure-session-count": 303
            },
            "failure-details": [{
              "result-type": "certificate-expired",
              "sending-mta-ip": "2001:db8:abcd:0012::1",
              "receiving-mx-hostname": "mx1.mail.company-y.example",
              "failed-session-count": 100
            }, {
              "result-type": "starttls-not-supported",
              "sending-mta-ip": "2001:db8:abcd:0013::1",
              "receiving-mx-hostname": "mx2.mail.company-y.example",
              "receiving-ip": "203.0.113.56",
              "failed-session-count": 200,
              "additional-information": "https://reports.company-x.example/report_info?id=5065427c-23d3#StarttlsNotSupported"
            }, {
              "result-type": "validation-failure",
              "sending-mta-ip": "198.51.100.62",
              "receiving-ip": "203.0.113.58",
              "receiving-mx-hostname": "mx-backup.mail.company-y.example",
              "failed-session-count": 3,
              "failure-reason-code": "X509_V_ERR_PROXY_PATH_LENGTH_EXCEEDED"
            }]
          }]
        }
        """

    static func object(_ members: [(String, String?)]) -> String {
        "{" + members.compactMap { key, value in value.map { "\"\(key)\": \($0)" } }.joined(separator: ", ") + "}"
    }

    static func failure(
        resultType: String? = #""certificate-expired""#, sendingIP: String? = #""192.0.2.1""#,
        count: String? = "2", extra: [(String, String?)] = []
    ) -> String {
        object([("result-type", resultType), ("sending-mta-ip", sendingIP), ("failed-session-count", count)] + extra)
    }

    static func policy(
        type: String? = #""sts""#, domain: String? = #""example.com""#, mxHost: String? = #"["mx.example.com"]"#,
        successful: String? = "10", failed: String? = "2", failures: String? = "[\(failure())]",
        summary: String? = nil
    ) -> String {
        object([
            ("policy", object([
                ("policy-type", type), ("policy-string", #"["version: STSv1", "mode: enforce"]"#),
                ("policy-domain", domain), ("mx-host", mxHost),
            ])),
            ("summary", summary ?? object([
                ("total-successful-session-count", successful), ("total-failure-session-count", failed),
            ])),
            ("failure-details", failures),
        ])
    }

    static func report(
        organization: String? = #""Example Inc.""#,
        dateRange: String? = #"{"start-datetime": "2024-01-09T00:00:00Z", "end-datetime": "2024-01-09T23:59:59Z"}"#,
        contact: String? = #""tls@example.net""#, reportID: String? = #""r-1""#,
        policies: String? = "[\(policy())]", extra: [(String, String?)] = []
    ) -> Data {
        Data(object([
            ("organization-name", organization), ("date-range", dateRange), ("contact-info", contact),
            ("report-id", reportID), ("policies", policies),
        ] + extra).utf8)
    }
}

@Suite("SMTP TLS report parser")
struct TLSReportParserTests {
    let parser = TLSReportParser()

    @Test func readsTheRFC8460Example() throws {
        let report = try parser.parse(Data(TLSFixture.rfc8460Example.utf8))
        #expect(report.organizationName == "Company-X")
        #expect(report.reportID == "5065427c-23d3-47ca-b6e0-946ea0e8c4be")
        #expect(report.identity == ReportIdentity(orgName: "Company-X", reportID: "5065427c-23d3-47ca-b6e0-946ea0e8c4be"))
        #expect(report.contactInfo == "sts-reporting@company-x.example")
        #expect(report.dateRange == DateRange(begin: 1_459_468_800, end: 1_459_555_199))
        #expect(report.totalSuccessfulSessions == 5326)
        #expect(report.totalFailureSessions == 303)
        let policy = try #require(report.policies.first)
        #expect(report.policies.count == 1)
        #expect(policy.policyType == .sts)
        #expect(policy.policyStrings == ["version: STSv1", "mode: testing", "mx: *.mail.company-y.example", "max_age: 86400"])
        #expect(policy.policyDomain == "company-y.example")
        #expect(policy.mxHosts == ["*.mail.company-y.example"])
        #expect(policy.failures == [
            TLSFailureDetail(
                resultType: .certificateExpired, sendingMTAIP: "2001:db8:abcd:0012::1",
                receivingMXHostname: "mx1.mail.company-y.example", failedSessionCount: 100),
            TLSFailureDetail(
                resultType: .starttlsNotSupported, sendingMTAIP: "2001:db8:abcd:0013::1",
                receivingMXHostname: "mx2.mail.company-y.example", receivingIP: "203.0.113.56",
                failedSessionCount: 200,
                additionalInformation: "https://reports.company-x.example/report_info?id=5065427c-23d3#StarttlsNotSupported"),
            TLSFailureDetail(
                resultType: .validationFailure, sendingMTAIP: "198.51.100.62",
                receivingMXHostname: "mx-backup.mail.company-y.example", receivingIP: "203.0.113.58",
                failedSessionCount: 3, failureReasonCode: "X509_V_ERR_PROXY_PATH_LENGTH_EXCEEDED"),
        ])
    }

    @Test(arguments: [
        (#""MX.Example.com.""#, ["mx.example.com"]),
        (#"["a.example.com", "*.b.example.com"]"#, ["a.example.com", "*.b.example.com"]),
        (#"[]"#, []),
        ("null", []),
    ] as [(String, [String])])
    func readsMXHostAsStringOrList(mxHost: String, expected: [String]) throws {
        let report = try parser.parse(TLSFixture.report(policies: "[\(TLSFixture.policy(mxHost: mxHost))]"))
        #expect(report.policies.first?.mxHosts == expected)
    }

    @Test(arguments: ["null", #""""#, nil] as [String?])
    func contactInfoMayBeNullEmptyOrMissing(contact: String?) throws {
        #expect(try parser.parse(TLSFixture.report(contact: contact)).contactInfo == nil)
    }

    @Test func failureDetailsNeedOnlyTheirCount() throws {
        let bare = TLSFixture.failure(resultType: nil, sendingIP: nil, count: "3")
        let report = try parser.parse(TLSFixture.report(policies: "[\(TLSFixture.policy(failures: "[\(bare)]"))]"))
        #expect(report.policies.first?.failures == [TLSFailureDetail(resultType: .unknown(""), failedSessionCount: 3)])
    }

    @Test func readsEveryFailureDetailField() throws {
        let detail = TLSFixture.failure(extra: [
            ("receiving-mx-hostname", #""MX1.Example.com.""#), ("receiving-mx-helo", #""mx1.example.com""#),
            ("receiving-ip", #""203.0.113.5""#), ("additional-information", #""https://example.net/why""#),
            ("failure-reason-code", #""X509_V_ERR_CERT_HAS_EXPIRED""#),
        ])
        let report = try parser.parse(TLSFixture.report(policies: "[\(TLSFixture.policy(failures: "[\(detail)]"))]"))
        #expect(report.policies.first?.failures.first == TLSFailureDetail(
            resultType: .certificateExpired, sendingMTAIP: "192.0.2.1", receivingMXHostname: "mx1.example.com",
            receivingMXHelo: "mx1.example.com", receivingIP: "203.0.113.5", failedSessionCount: 2,
            additionalInformation: "https://example.net/why", failureReasonCode: "X509_V_ERR_CERT_HAS_EXPIRED"))
    }

    @Test func readsTheDraftNameOfTheReasonCode() throws {
        let detail = TLSFixture.failure(extra: [("failure-error-code", #""X509_V_ERR_PROXY_PATH_LENGTH_EXCEEDED""#)])
        let report = try parser.parse(TLSFixture.report(policies: "[\(TLSFixture.policy(failures: "[\(detail)]"))]"))
        #expect(report.policies.first?.failures.first?.failureReasonCode == "X509_V_ERR_PROXY_PATH_LENGTH_EXCEEDED")
    }

    @Test(arguments: ["[]", "null", nil] as [String?])
    func acceptsAReportWithoutPolicies(policies: String?) throws {
        let report = try parser.parse(TLSFixture.report(policies: policies))
        #expect(report.policies.isEmpty)
        #expect(report.totalSuccessfulSessions == 0)
        #expect(report.totalFailureSessions == 0)
    }

    @Test func readsCountsWrittenAsStrings() throws {
        let policy = TLSFixture.policy(
            successful: #""12""#, failed: #"" 3 ""#, failures: "[\(TLSFixture.failure(count: #""3""#))]")
        let result = try #require(try parser.parse(TLSFixture.report(policies: "[\(policy)]")).policies.first)
        #expect(result.totalSuccessfulSessions == 12)
        #expect(result.totalFailureSessions == 3)
        #expect(result.failures.first?.failedSessionCount == 3)
    }

    @Test func readsWholeNumbersWrittenWithAFraction() throws {
        let policy = TLSFixture.policy(successful: "12.0")
        #expect(try parser.parse(TLSFixture.report(policies: "[\(policy)]")).policies.first?.totalSuccessfulSessions == 12)
    }

    @Test func missingSummaryCountsAreZero() throws {
        let policies = "[\(TLSFixture.policy(failed: nil, failures: nil)), \(TLSFixture.policy(failures: nil, summary: "null"))]"
        let report = try parser.parse(TLSFixture.report(policies: policies))
        #expect(report.policies.map(\.totalSuccessfulSessions) == [10, 0])
        #expect(report.policies.map(\.totalFailureSessions) == [0, 0])
    }

    @Test func acceptsTheLargestPlausibleCount() throws {
        let policy = TLSFixture.policy(successful: "1000000000000")
        let report = try parser.parse(TLSFixture.report(policies: "[\(policy)]"))
        #expect(report.totalSuccessfulSessions == TLSReportParser.maxSessionCount)
    }

    @Test func ignoresUnknownKeys() throws {
        let policy = TLSFixture.policy(failures: "[\(TLSFixture.failure(extra: [("x-vendor", #"{"a": [1, 2]}"#)]))]")
        let report = try parser.parse(TLSFixture.report(
            policies: "[\(policy)]", extra: [("x-generator", #""Example MTA""#), ("version", "2")]))
        #expect(report.policies.first?.failures.count == 1)
    }

    @Test func matchesKeysCaseInsensitively() throws {
        let text = String(decoding: TLSFixture.report(), as: UTF8.self)
            .replacingOccurrences(of: "organization-name", with: "Organization-Name")
            .replacingOccurrences(of: "failed-session-count", with: "Failed-Session-Count")
        let report = try parser.parse(Data(text.utf8))
        #expect(report.organizationName == "Example Inc.")
        #expect(report.policies.first?.failures.first?.failedSessionCount == 2)
    }

    @Test(arguments: [
        (#""STS""#, TLSPolicyType.sts), (#"" Tlsa ""#, .tlsa), (#""No-Policy-Found""#, .noPolicyFound),
        (#""invalid-policy-type""#, .unknown("invalid-policy-type")), ("null", .unknown("")),
    ])
    func readsPolicyTypesInAnyCase(raw: String, expected: TLSPolicyType) throws {
        let report = try parser.parse(TLSFixture.report(policies: "[\(TLSFixture.policy(type: raw))]"))
        #expect(report.policies.first?.policyType == expected)
    }

    @Test func readsEveryRFC8460ResultType() throws {
        let words = [
            "starttls-not-supported", "certificate-host-mismatch", "certificate-expired", "certificate-not-trusted",
            "validation-failure", "tlsa-invalid", "dnssec-invalid", "dane-required", "sts-policy-fetch-error",
            "sts-policy-invalid", "sts-webpki-invalid",
        ]
        let failures = (words.map { $0.uppercased() } + ["mta-on-fire"]).map { TLSFixture.failure(resultType: "\"\($0)\"") }
        let policy = TLSFixture.policy(failures: "[\(failures.joined(separator: ", "))]")
        let types = try #require(try parser.parse(TLSFixture.report(policies: "[\(policy)]")).policies.first)
            .failures.map(\.resultType)
        #expect(!types.dropLast().contains { if case .unknown = $0 { true } else { false } })
        #expect(types.map(\.description) == words + ["mta-on-fire"])
        #expect(types.last == .unknown("mta-on-fire"))
    }

    @Test func normalisesThePolicyDomain() throws {
        let report = try parser.parse(TLSFixture.report(policies: "[\(TLSFixture.policy(domain: #"" Example.COM. ""#))]"))
        #expect(report.policies.first?.policyDomain == "example.com")
    }

    @Test func readsANumericReportID() throws {
        #expect(try parser.parse(TLSFixture.report(reportID: "133925885310113267")).reportID == "133925885310113267")
    }

    @Test func skipsAByteOrderMark() throws {
        let report = try parser.parse(Data([0xEF, 0xBB, 0xBF]) + TLSFixture.report())
        #expect(report.organizationName == "Example Inc.")
    }

    @Test(arguments: [
        (Data("[1, 2]".utf8), "the JSON is a list, not an object"),
        (Data(#""Company-X""#.utf8), "the JSON is text, not an object"),
        (Data("<feedback/>".utf8), "not valid JSON"),
        (Data(#"{"organization-name": "x", "#.utf8), "not valid JSON"),
        (Data(" \n".utf8), "the document is empty"),
        (Data(), "the document is empty"),
        (TLSFixture.report(organization: nil), #"the report has no "organization-name""#),
        (TLSFixture.report(organization: #"" ""#), #""organization-name" is empty"#),
        (TLSFixture.report(organization: #"["x"]"#), #""organization-name" is a list, not text"#),
        (TLSFixture.report(reportID: nil), #"the report has no "report-id""#),
        (TLSFixture.report(reportID: "null"), #"the report has no "report-id""#),
        (TLSFixture.report(dateRange: nil), #"the report has no "date-range""#),
        (TLSFixture.report(dateRange: #""2024-01-09""#), #""date-range" is text, not an object"#),
        (TLSFixture.report(dateRange: #"{"end-datetime": "2024-01-09T23:59:59Z"}"#),
         #"the report has no "date-range.start-datetime""#),
        (TLSFixture.report(dateRange: #"{"start-datetime": "2024-01-09T00:00:00Z", "end-datetime": "tomorrow"}"#),
         #""date-range.end-datetime" is "tomorrow", not an RFC 3339 date-time"#),
        (TLSFixture.report(policies: #"{"policy": {}}"#), #""policies" is an object, not a list"#),
        (TLSFixture.report(policies: #"[\#(TLSFixture.policy()), "sts"]"#), "policy 2 is text, not an object"),
        (TLSFixture.report(policies: "[\(TLSFixture.policy(successful: "-1"))]"),
         #"policy 1: "summary.total-successful-session-count" is -1, not a whole number"#),
        (TLSFixture.report(policies: "[\(TLSFixture.policy(failed: "2.5"))]"),
         #"policy 1: "summary.total-failure-session-count" is 2.5, not a whole number"#),
        (TLSFixture.report(policies: "[\(TLSFixture.policy(failed: #""12abc""#))]"),
         #""summary.total-failure-session-count" is "12abc", not a whole number"#),
        (TLSFixture.report(policies: "[\(TLSFixture.policy(failed: "true"))]"),
         #""summary.total-failure-session-count" is true, not a whole number"#),
        (TLSFixture.report(policies: "[\(TLSFixture.policy(successful: "1000000000001"))]"),
         "is 1000000000001, not a whole number from 0 to 1000000000000"),
        (TLSFixture.report(policies: "[\(TLSFixture.policy(successful: "1e30"))]"), "not a whole number"),
        (TLSFixture.report(policies: "[\(TLSFixture.policy(summary: "[]"))]"), #"policy 1: "summary" is a list, not an object"#),
        (TLSFixture.report(policies: "[\(TLSFixture.policy(failures: "[\(TLSFixture.failure(count: "-4"))]"))]"),
         #"policy 1, failure detail 1: "failed-session-count" is -4"#),
        (TLSFixture.report(policies: "[\(TLSFixture.policy(failures: "[\(TLSFixture.failure(count: nil))]"))]"),
         #"policy 1, failure detail 1 has no "failed-session-count""#),
        (Data((String(repeating: "[", count: 40) + String(repeating: "]", count: 40)).utf8), "nest deeper than 32 levels"),
    ])
    func refusesWithAReasonNamingTheField(data: Data, phrase: String) {
        do {
            let report = try parser.parse(data)
            Issue.record("expected a refusal containing \(phrase), got \(report)")
        } catch {
            #expect(error.reason.contains(phrase), "\(error.reason)")
        }
    }

    @Test func honoursTheNestingLimit() throws {
        let shallow = TLSReportParser(limits: InputLimits(maxElementDepth: 4))
        #expect(throws: ReportParseError("JSON arrays and objects nest deeper than 4 levels")) {
            try shallow.parse(TLSFixture.report())
        }
        #expect(try TLSReportParser(limits: InputLimits(maxElementDepth: 5)).parse(TLSFixture.report()).policies.count == 1)
    }

    @Test func countsNestingOutsideStringsOnly() {
        #expect(!JSONNesting.exceeds(2, in: Data(#"{"a": "[[[{{{", "b": [1]}"#.utf8)))
        #expect(!JSONNesting.exceeds(2, in: Data(#"{"a": "\"[[[", "b": [1]}"#.utf8)))
        #expect(JSONNesting.exceeds(2, in: Data(#"{"a": "\\", "b": [[1]]}"#.utf8)))
        #expect(!JSONNesting.exceeds(2, in: Data("[][][][]".utf8)))
    }
}

/// Nested so that `swift test --filter TLSReportParserTests` runs them too.
extension TLSReportParserTests {
    @Suite("RFC 3339 timestamps")
    struct RFC3339 {
        @Test(arguments: [
            ("1970-01-01T00:00:00Z", 0),
            ("2016-04-01T00:00:00Z", 1_459_468_800),
            ("2016-04-01T23:59:59Z", 1_459_555_199),
            ("2016-04-01t23:59:59z", 1_459_555_199),
            ("2016-04-01 23:59:59Z", 1_459_555_199),
            ("2016-04-01T23:59:59.987654Z", 1_459_555_199),
            ("2016-04-02T01:59:59+02:00", 1_459_555_199),
            ("2016-04-01T18:29:59-05:30", 1_459_555_199),
            ("2016-04-02T01:59:59+0200", 1_459_555_199),
            ("2016-04-01T23:59:59+00:00", 1_459_555_199),
            ("2016-04-01T23:59:59", 1_459_555_199),
            ("2016-02-29T12:00:00Z", 1_456_747_200),
            ("2000-02-29T00:00:00Z", 951_782_400),
            ("2016-12-31T23:59:60Z", 1_483_228_800),
            ("2999-12-31T23:59:59Z", 32_503_679_999),
        ] as [(String, Int64)])
        func reads(text: String, seconds: Int64) {
            #expect(RFC3339Timestamp.unixSeconds(text) == seconds)
        }

        @Test(arguments: [
            "", "yesterday", "2016-04-01", "2016-04-01T00:00Z", "16-04-01T00:00:00Z", "2016-4-1T00:00:00Z",
            "2016-04-01T00:00:00.Z", "2016-04-01T00:00:00ZZ", "2016-04-01T00:00:00+2", "2016-04-01T00:00:00+24:00",
            "2016-13-01T00:00:00Z", "2016-00-10T00:00:00Z", "2015-02-29T00:00:00Z", "1900-02-29T00:00:00Z",
            "2016-04-31T00:00:00Z", "2016-04-01T24:00:00Z", "2016-04-01T23:60:00Z", "2016-04-01T23:59:61Z",
            "1969-12-31T23:59:59Z", "1970-01-01T00:00:00+01:00", "3000-01-01T00:00:00Z", "２016-04-01T00:00:00Z",
            "2016-04-01T00:00:00Z ",
        ])
        func refuses(text: String) {
            #expect(RFC3339Timestamp.unixSeconds(text) == nil)
        }

        /// The hand-written calendar arithmetic agrees with Foundation's Gregorian calendar.
        @Test func agreesWithFoundationsCalendar() throws {
            var calendar = Calendar(identifier: .gregorian)
            calendar.timeZone = try #require(TimeZone(identifier: "UTC"))
            var day = DateComponents(year: 1970, month: 1, day: 1)
            var checked = 0
            while let date = calendar.date(from: day), let year = day.year, year < 3000 {
                let parts = calendar.dateComponents([.year, .month, .day], from: date)
                let text = String(format: "%04ld-%02ld-%02ldT13:14:15Z", parts.year ?? 0, parts.month ?? 0, parts.day ?? 0)
                #expect(RFC3339Timestamp.unixSeconds(text) == Int64(date.timeIntervalSince1970) + 47_655, "\(text)")
                checked += 1
                guard let next = calendar.date(byAdding: .day, value: 263, to: date) else { break }
                day = calendar.dateComponents([.year, .month, .day], from: next)
            }
            #expect(checked > 1000)
        }
    }

    /// Every SMTP TLS report of the shared corpus (`../shared/corpus`) parses, with the policies
    /// and failure types its `notes` in PROVENANCE.tsv describe.
    @Suite("SMTP TLS report corpus", .enabled(if: SharedCorpus.root != nil, "../shared/corpus is not present"))
    struct Corpus {
        /// What a `notes` cell says, e.g. `policies=2; policy-types: sts,tlsa; 3 failure-details (a,b)`.
        struct Expectation {
            var organization: String
            var policyCount: Int
            var policyTypes: Set<String>
            var failureCount: Int
            var failureTypes: Set<String>

            init?(organization: String, notes: String) {
                guard let policies = notes.firstMatch(of: /policies=(\d+)/).flatMap({ Int($0.1) }),
                      let types = notes.firstMatch(of: /policy-types: ([a-z,-]+)/)
                else { return nil }
                self.organization = organization
                policyCount = policies
                policyTypes = Set(types.1.split(separator: ",").map(String.init))
                if let failures = notes.firstMatch(of: /(\d+) failure-details \(([^)]*)\)/) {
                    failureCount = Int(failures.1) ?? -1
                    failureTypes = Set(failures.2.split(separator: ",").map(String.init))
                } else {
                    failureCount = 0
                    failureTypes = []
                }
            }
        }

        /// File (relative to the corpus) → its PROVENANCE.tsv row's columns.
        static func provenance(_ corpus: URL) throws -> [String: [String]] {
            try table(corpus.appendingPathComponent("PROVENANCE.tsv"))
        }

        static func table(_ url: URL) throws -> [String: [String]] {
            let text = try String(contentsOf: url, encoding: .utf8)
            var rows: [String: [String]] = [:]
            for line in text.split(whereSeparator: \.isNewline).dropFirst() {
                let columns = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
                if let file = columns.first { rows[file] = columns }
            }
            return rows
        }

        /// The TLS reports of the corpus and what their notes expect: the `smtp-tls-json` files,
        /// and the `.json`/`.json.gz` attachments extracted from mails, described by their mail's row.
        static func expectations(_ corpus: URL) throws -> [(file: String, expected: Expectation?)] {
            let rows = try provenance(corpus)
            var result: [(file: String, expected: Expectation?)] = []
            for (file, columns) in rows where columns.count >= 8 && columns[5] == "smtp-tls-json" {
                result.append((file, Expectation(organization: columns[6], notes: columns[7])))
            }
            let extracted = try table(corpus.appendingPathComponent("extracted/EXTRACTED.tsv"))
            let names = try FileManager.default.contentsOfDirectory(atPath: corpus.appendingPathComponent("extracted").path)
            for name in names where name.hasSuffix(".json") || name.hasSuffix(".json.gz") {
                let file = "extracted/\(name)"
                let mail = extracted[file].flatMap { $0.count > 1 ? rows[$0[1]] : nil }
                result.append((file, mail.flatMap { Expectation(organization: $0[6], notes: $0[7]) }))
            }
            return result.sorted { $0.file < $1.file }
        }

        @Test func everyTLSReportParsesAsItsNotesDescribe() throws {
            let corpus = try #require(SharedCorpus.root)
            let files = try Self.expectations(corpus)
            #expect(files.count >= 20)
            let parser = TLSReportParser()
            for (file, expected) in files {
                var data = try Data(contentsOf: corpus.appendingPathComponent(file))
                if data.starts(with: [0x1F, 0x8B]) {
                    data = try Inflater.inflate(data, limit: InputLimits.standard.maxExpandedBytes)
                }
                let report: TLSReport
                do {
                    report = try parser.parse(data)
                } catch {
                    Issue.record("\(file): \(error.reason)")
                    continue
                }
                guard let expectation = expected else {
                    Issue.record("\(file) has no notes describing it")
                    continue
                }
                #expect(report.organizationName == expectation.organization, "\(file)")
                #expect(report.policies.count == expectation.policyCount, "\(file)")
                #expect(Set(report.policies.map(\.policyType.description)) == expectation.policyTypes, "\(file)")
                let failures = report.policies.flatMap(\.failures)
                #expect(failures.count == expectation.failureCount, "\(file)")
                #expect(Set(failures.map(\.resultType.description)) == expectation.failureTypes, "\(file)")
                #expect(report.dateRange.begin <= report.dateRange.end, "\(file)")
            }
        }
    }
}
