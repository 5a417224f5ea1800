import Foundation
import Testing
@testable import ReportModel

@Suite("Aggregate report parser")
struct AggregateReportParserTests {
    let parser = AggregateReportParser()

    @Test func readsLegacyReport() throws {
        let report = try parser.parse(Fixture.data(Fixture.report(policyExtra: "<pct>100</pct><fo>1</fo>")))
        #expect(report.schema == .rfc7489)
        #expect(report.metadata.orgName == "google.com")
        #expect(report.metadata.reportID == "r-1")
        #expect(report.metadata.dateRange == DateRange(begin: 1_764_547_200, end: 1_764_633_599))
        #expect(report.policy.domain == "example.com")
        #expect(report.policy.p == PolicyAction.none)
        #expect(report.policy.pct == 100)
        #expect(report.policy.fo == "1")
        #expect(report.records.count == 1)
        let record = try #require(report.records.first)
        #expect(record.sourceIP == "192.0.2.1")
        #expect(record.count == 3)
        #expect(record.dmarcPass)
        #expect(record.envelopeFrom == nil)
        #expect(record.dkimResults == [DKIMAuthResult(domain: "example.com", result: .pass)])
        #expect(record.spfResults == [SPFAuthResult(domain: "example.com", result: .pass)])
    }

    @Test func readsRFC9990Report() throws {
        let text = Fixture.report(
            policyExtra: "<np>reject</np><testing>n</testing><discovery_method>treewalk</discovery_method>",
            root: "<feedback xmlns=\"urn:ietf:params:xml:ns:dmarc-2.0\">",
            version: "<version>1.0</version>",
            metadataExtra: "<generator>Example MTA 2.1</generator>",
            records: [Fixture.record(disposition: "pass")])
        let report = try parser.parse(Fixture.data(text))
        #expect(report.schema == .rfc9990)
        #expect(report.policy.np == .reject)
        #expect(report.policy.testing == "n")
        #expect(report.policy.discoveryMethod == "treewalk")
        #expect(report.metadata.generator == "Example MTA 2.1")
        #expect(report.records.first?.disposition == .pass)
    }

    @Test func readsPrefixedNamespaceElements() throws {
        let text = Fixture.report(root: "<d:feedback xmlns:d=\"urn:ietf:params:xml:ns:dmarc-2.0\">")
            .replacingOccurrences(of: "<", with: "<d:").replacingOccurrences(of: "<d:/", with: "</d:")
            .replacingOccurrences(of: "<d:?xml", with: "<?xml").replacingOccurrences(of: "<d:d:", with: "<d:")
        let report = try parser.parse(Fixture.data(text))
        #expect(report.schema == .rfc9990)
        #expect(report.records.count == 1)
    }

    @Test func matchesWordsCaseInsensitivelyAndKeepsUnknownOnes() throws {
        let text = Fixture.report(records: [
            Fixture.record(disposition: "REJECT", dkim: "Pass", spf: " FAIL "),
            Fixture.record(ip: "192.0.2.2", disposition: "bounced", dkim: "maybe", spf: "fail",
                           authResults: "<spf><domain>example.com</domain><result>SoftFail</result></spf>"),
        ])
        let records = try parser.parse(Fixture.data(text)).records
        #expect(records[0].disposition == .reject)
        #expect(records[0].dkimAligned == .pass)
        #expect(records[0].spfAligned == .fail)
        #expect(records[0].dmarcPass)
        #expect(records[1].disposition == .unknown("bounced"))
        #expect(records[1].disposition.description == "bounced")
        #expect(records[1].dkimAligned == .unknown("maybe"))
        #expect(!records[1].dmarcPass)
        #expect(records[1].spfResults.first?.result == .softfail)
    }

    @Test func readsSeveralAuthResultsHumanResultsAndIdentifiers() throws {
        let auth = """
            <dkim><domain>example.com</domain><selector>s1</selector><result>pass</result><human_result>good sig</human_result></dkim>
            <dkim><domain>esp.example</domain><selector>k2</selector><result>fail</result></dkim>
            <spf><domain>bounce.example.com</domain><scope>mfrom</scope><result>pass</result></spf>
            <spf><domain>example.com</domain><scope>helo</scope><result>none</result></spf>
            """
        let record = Fixture.record(
            ip: "2001:db8::25", headerFrom: "Mail.Example.COM.",
            extraIdentifiers: "<envelope_from>bounce.example.com</envelope_from><envelope_to>example.net</envelope_to>",
            authResults: auth,
            reasons: "<reason><type>forwarded</type><comment>list</comment></reason><reason><type>Local_Policy</type><comment></comment></reason>")
        let parsed = try #require(try parser.parse(Fixture.data(Fixture.report(records: [record]))).records.first)
        #expect(parsed.sourceIP == "2001:db8::25")
        #expect(parsed.headerFrom == "mail.example.com")
        #expect(parsed.envelopeFrom == "bounce.example.com")
        #expect(parsed.envelopeTo == "example.net")
        #expect(parsed.dkimResults.count == 2)
        #expect(parsed.dkimResults[0].selector == "s1")
        #expect(parsed.dkimResults[0].humanResult == "good sig")
        #expect(parsed.dkimResults[1].result == .fail)
        #expect(parsed.spfResults.map(\.scope) == ["mfrom", "helo"])
        #expect(parsed.overrideReasons == [
            OverrideReason(type: .forwarded, comment: "list"), OverrideReason(type: .localPolicy, comment: nil),
        ])
    }

    @Test func fallsBackToPolicyDomainWhenHeaderFromIsMissing() throws {
        let record = Fixture.record().replacingOccurrences(of: "<header_from>example.com</header_from>", with: "")
        let parsed = try parser.parse(Fixture.data(Fixture.report(domain: "Example.org", records: [record])))
        #expect(parsed.records.first?.headerFrom == "example.org")
    }

    @Test func toleratesBOMWhitespaceAndCDATA() throws {
        let text = "\u{FEFF}\n  " + Fixture.report(org: "  <![CDATA[Yahoo! Inc.]]>  ", reportID: "\n  r-9 \n")
        let report = try parser.parse(Fixture.data(text))
        #expect(report.metadata.orgName == "Yahoo! Inc.")
        #expect(report.metadata.reportID == "r-9")
    }

    @Test func readsUTF16LittleAndBigEndian() throws {
        let text = Fixture.report(org: "Ünïcode Mail", declaration: "<?xml version=\"1.0\" encoding=\"UTF-16\"?>")
        for encoding in [String.Encoding.utf16LittleEndian, .utf16BigEndian, .utf16] {
            let data = try #require(text.data(using: encoding))
            #expect(try parser.parse(data).metadata.orgName == "Ünïcode Mail")
        }
    }

    @Test func readsDeclaredLatin1AndWindows1252() throws {
        for name in ["ISO-8859-1", "windows-1252"] {
            let text = Fixture.report(org: "Müller & Söhne", declaration: "<?xml version=\"1.0\" encoding=\"\(name)\"?>")
                .replacingOccurrences(of: "Müller & Söhne", with: "Müller &amp; Söhne")
            let data = try #require(text.data(using: .isoLatin1))
            #expect(try parser.parse(data).metadata.orgName == "Müller & Söhne", "encoding \(name)")
        }
    }

    @Test func refusesDoctypeAndExternalEntities() {
        let xxe = """
            <?xml version="1.0"?>
            <!DOCTYPE feedback [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
            <feedback><report_metadata><org_name>&xxe;</org_name></report_metadata></feedback>
            """
        #expect(throws: ReportParseError.self) { try parser.parse(Fixture.data(xxe)) }
        let laughs = """
            <?xml version="1.0"?>
            <!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>
            <feedback>&lol2;</feedback>
            """
        do {
            _ = try parser.parse(Fixture.data(laughs))
            Issue.record("billion laughs was accepted")
        } catch {
            #expect(error.reason.contains("DOCTYPE"))
        }
    }

    @Test func rejectsBadCountsWithTheRecordNumber() {
        for count in ["-1", "abc", "9223372036854775808", "1.5", "", "1000000000001"] {
            let text = Fixture.report(records: [Fixture.record(), Fixture.record(count: count)])
            do {
                _ = try parser.parse(Fixture.data(text))
                Issue.record("count \(count) was accepted")
            } catch {
                #expect(error.reason.contains("record 2"), "\(error.reason)")
            }
        }
    }

    @Test func rejectsMissingMetadataAndEmptyReports() {
        let noID = Fixture.report().replacingOccurrences(of: "<report_id>r-1</report_id>", with: "")
        let noRecords = Fixture.report(records: [])
        let badBegin = Fixture.report(begin: "yesterday")
        let notDMARC = "<?xml version=\"1.0\"?><html><body/></html>"
        for (text, expected) in [(noID, "report_id"), (noRecords, "no <record>"), (badBegin, "begin"), (notDMARC, "not <feedback>")] {
            do {
                _ = try parser.parse(Fixture.data(text))
                Issue.record("accepted: \(expected)")
            } catch {
                #expect(error.reason.contains(expected), "\(error.reason)")
            }
        }
    }

    @Test func reportsMalformedXMLWithLineAndColumn() {
        let text = Fixture.report().replacingOccurrences(of: "</org_name>", with: "</org>")
        do {
            _ = try parser.parse(Fixture.data(text))
            Issue.record("malformed XML accepted")
        } catch {
            #expect(error.reason.contains("line 5"), "\(error.reason)")
        }
    }

    @Test func recoversFromJunkElementBeforeFeedback() throws {
        let text = Fixture.report().replacingOccurrences(
            of: "<feedback>", with: "<xs:schema xmlns:xs=\"http://www.w3.org/2001/XMLSchema\">\n<feedback>")
        #expect(try parser.parse(Fixture.data(text)).records.count == 1)
    }

    @Test func limitsNesting() {
        let deep = String(repeating: "<x>", count: 10_000) + String(repeating: "</x>", count: 10_000)
        let text = Fixture.report(metadataExtra: deep)
        do {
            _ = try parser.parse(Fixture.data(text))
            Issue.record("deep nesting accepted")
        } catch {
            #expect(error.reason.contains("deeper"), "\(error.reason)")
        }
    }

    @Test func dropsFractionalSecondsInDateRange() throws {
        let report = try parser.parse(Fixture.data(Fixture.report(begin: "1764547200.0", end: " 1764633599 ")))
        #expect(report.metadata.dateRange.begin == 1_764_547_200)
        #expect(report.metadata.dateRange.end == 1_764_633_599)
    }
}
