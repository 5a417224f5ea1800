import Foundation
import ReportModel
import Testing
@testable import SiteBuild

@Suite("records.csv rows")
struct RecordsCSVTests {
    private func row(_ report: ReportIdentity, _ ip: String, count: Int) -> AggregatedRecord {
        AggregatedRecord(
            domain: "contoso.example", report: report, dateRange: DateRange(begin: 1_764_547_200, end: 1_764_633_599),
            record: ReportRecord(sourceIP: ip, count: count, disposition: .none, dkimAligned: .pass, spfAligned: .fail,
                                 headerFrom: "contoso.example"))
    }

    /// The cells a row shares with the row before (its report, its dates) are remembered from
    /// row to row: each row must still name its own report, and its own count.
    @Test func eachRowNamesItsOwnReportAndCountWhenReportsAlternate() {
        let google = ReportIdentity(orgName: "google.com", reportID: "g-1")
        let quoted = ReportIdentity(orgName: "Mail, Inc.", reportID: "=2")
        let records = [
            row(google, "192.0.2.1", count: 1_234_567),
            row(quoted, "192.0.2.2", count: 0),
            row(google, "192.0.2.3", count: 10),
            row(quoted, "192.0.2.4", count: -3),
        ]
        let lines = String(decoding: RecordsCSV.render(records), as: UTF8.self).components(separatedBy: "\r\n")
        let dates = "2025-12-01T00:00:00Z,2025-12-01T23:59:59Z"
        #expect(lines == [
            RecordsCSV.header.joined(separator: ","),
            "contoso.example,contoso.example,\"Mail, Inc.\",'=2,\(dates),192.0.2.2,0,none,pass,fail,pass,,,,,",
            "contoso.example,contoso.example,\"Mail, Inc.\",'=2,\(dates),192.0.2.4,'-3,none,pass,fail,pass,,,,,",
            "contoso.example,contoso.example,google.com,g-1,\(dates),192.0.2.1,1234567,none,pass,fail,pass,,,,,",
            "contoso.example,contoso.example,google.com,g-1,\(dates),192.0.2.3,10,none,pass,fail,pass,,,,,",
            "",
        ])
    }

    /// The cells of a record's result lists are put together once per list storage (records
    /// read from the archive share their lists): records sharing lists give the rows that
    /// records each holding a list of its own give, quoting and formula guard included.
    @Test func sharedResultListsGiveTheRowsOwnListsGive() {
        let report = ReportIdentity(orgName: "google.com", reportID: "g-1")
        let dkim = [DKIMAuthResult(domain: "contoso.example", selector: "s1", result: .pass),
                    DKIMAuthResult(domain: "mail, inc.example", result: .fail)]
        let spf = [SPFAuthResult(domain: "=spf.example", scope: "mfrom", result: .softfail)]
        let reasons = [OverrideReason(type: .localPolicy, comment: "arc \"ok\"")]
        let otherSPF = [SPFAuthResult(domain: "contoso.example", result: .pass)]
        func records(sharingLists sharing: Bool) -> [AggregatedRecord] {
            (0..<9).map { index in
                var item = row(report, "192.0.2.\(index)", count: index)
                // `map` copies a list into storage of its own.
                item.record.dkimResults = sharing ? dkim : dkim.map { $0 }
                item.record.spfResults = index % 3 == 0 ? (sharing ? otherSPF : otherSPF.map { $0 }) : (sharing ? spf : spf.map { $0 })
                item.record.overrideReasons = index % 2 == 0 ? [] : (sharing ? reasons : reasons.map { $0 })
                return item
            }
        }
        let shared = RecordsCSV.render(records(sharingLists: true))
        #expect(shared == RecordsCSV.render(records(sharingLists: false)))
        let lines = String(decoding: shared, as: UTF8.self).components(separatedBy: "\r\n")
        #expect(lines.count == 11)
        #expect(lines[2].hasSuffix(
            ",\"contoso.example s=s1: pass; mail, inc.example: fail\",'=spf.example (mfrom): softfail,\"local_policy: arc \"\"ok\"\"\""))
        #expect(lines[4].hasSuffix(",\"contoso.example s=s1: pass; mail, inc.example: fail\",contoso.example: pass,\"local_policy: arc \"\"ok\"\"\""))
        #expect(lines[1].hasSuffix(",contoso.example: pass,"))
    }

    /// Rows of one report are ordered by source IP as `String` orders them; most IPs are told
    /// apart by their first bytes, but not IPs that are not ASCII (Unicode normalisation
    /// orders them), nor IPs that share their first eight bytes or hold a NUL.
    @Test func sourceIPsAreOrderedAsStringsAre() {
        let report = ReportIdentity(orgName: "google.com", reportID: "g-1")
        let ips = ["192.0.2.10", "192.0.2.9", "192.0.2.1", "2001:db8::1", "2001:db8::", "abcde\u{301}", "abcdf", "abcdé",
                   "ab", "ab\u{0}c", "ab\u{0}", "Ω", "é", "e\u{301}x", "ex", ""]
        let records = ips.enumerated().map { row(report, $1, count: $0) }
        let lines = String(decoding: RecordsCSV.render(records), as: UTF8.self).components(separatedBy: "\r\n").dropFirst().dropLast()
        let expected = records.indices.sorted { a, b in
            ips[a] != ips[b] ? ips[a] < ips[b] : records[a].record.count < records[b].record.count
        }
        #expect(lines.map { $0.split(separator: ",", omittingEmptySubsequences: false)[6] }.map(String.init)
            == expected.map { RecordsCSV.field(ips[$0]) })
    }

    /// A file is written into room made for rows of the usual length: much longer rows make
    /// more room, and the file is the same as cells put together one by one.
    @Test func rowsLongerThanTheRoomMadeGiveTheSameBytes() {
        let report = ReportIdentity(orgName: "Mail, \"Inc.\"", reportID: "-1")
        let long = String(repeating: "a\"b,", count: 2_000)
        var records = [row(report, "192.0.2.1", count: 1), row(report, "192.0.2.2", count: 2)]
        records[0].record.envelopeFrom = long
        records[1].record.headerFrom = "=" + long
        let dates = "2025-12-01T00:00:00Z,2025-12-01T23:59:59Z"
        let expected = [
            RecordsCSV.header.joined(separator: ","),
            ["contoso.example", "contoso.example", report.orgName, report.reportID].map(RecordsCSV.field).joined(separator: ",")
                + ",\(dates),192.0.2.1,1,none,pass,fail,pass,\(RecordsCSV.field(long)),,,,",
            ["contoso.example", "=" + long, report.orgName, report.reportID].map(RecordsCSV.field).joined(separator: ",")
                + ",\(dates),192.0.2.2,2,none,pass,fail,pass,,,,,",
            "",
        ].joined(separator: "\r\n")
        #expect(RecordsCSV.render(records) == Data(expected.utf8))
    }

    /// Untrusted strings of every awkward kind (quotes, commas, line breaks, formula starts,
    /// multi-byte text, long runs) read back from the file, with an RFC 4180 reader, as the
    /// cells they were, guarded: the file is written without bounds checks into room made
    /// first, so every cell must fit the room made for it.
    @Test(arguments: 1...8 as ClosedRange<UInt64>) func randomCellsReadBackAsTheyWere(seed: UInt64) throws {
        var random = SeededNumbers(seed: seed)
        let reports = (0..<3).map { _ in ReportIdentity(orgName: random.text(), reportID: random.text()) }
        var records: [AggregatedRecord] = []
        for index in 0..<120 {
            var item = row(reports[random.below(reports.count)], random.text(), count: index)
            item.domain = random.text()
            item.record.headerFrom = random.text()
            item.record.envelopeFrom = random.below(4) == 0 ? nil : random.text()
            item.record.envelopeTo = random.below(4) == 0 ? nil : random.text()
            item.record.dkimResults = (0..<random.below(3)).map { _ in
                DKIMAuthResult(domain: random.text(), selector: random.below(2) == 0 ? nil : random.text(), result: .pass)
            }
            item.record.overrideReasons = (0..<random.below(2)).map { _ in OverrideReason(type: .forwarded, comment: random.text()) }
            records.append(item)
        }
        let rows = try CSVReader.rows(String(decoding: RecordsCSV.render(records), as: UTF8.self))
        #expect(rows.first == RecordsCSV.header)
        #expect(rows.count == records.count + 1)
        for cells in rows.dropFirst() {
            let index = try #require(Int(cells[7]))
            let item = records[index]
            let dkim = item.record.dkimResults.map { result in
                result.domain + (result.selector.map { " s=" + $0 } ?? "") + ": pass"
            }.joined(separator: "; ")
            let overrides = item.record.overrideReasons.map { "forwarded: " + ($0.comment ?? "") }.joined(separator: "; ")
            let expected = [item.domain, item.record.headerFrom, item.report.orgName, item.report.reportID, item.record.sourceIP,
                            item.record.envelopeFrom ?? "", item.record.envelopeTo ?? "", dkim, overrides]
            let read = [cells[0], cells[1], cells[2], cells[3], cells[6], cells[12], cells[13], cells[14], cells[16]]
            #expect(read == expected.map(guarded), "seed \(seed), record \(index)")
        }
    }

    /// What a spreadsheet shows of a cell: an apostrophe before a formula's first character.
    private func guarded(_ value: String) -> String {
        guard let first = value.utf8.first, [UInt8(ascii: "="), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "@"), 0x09, 0x0D].contains(first)
        else { return value }
        return "'" + value
    }
}

/// The cells of an RFC 4180 file with CRLF row ends; quoted cells may hold anything.
private enum CSVReader {
    struct Malformed: Error { var offset: Int }

    static func rows(_ text: String) throws -> [[String]] {
        let bytes = Array(text.utf8)
        var rows: [[String]] = []
        var cells: [String] = []
        var cell: [UInt8] = []
        var index = 0
        while index < bytes.count {
            if bytes[index] == UInt8(ascii: "\"") {
                index += 1
                while true {
                    guard index < bytes.count else { throw Malformed(offset: index) }
                    if bytes[index] == UInt8(ascii: "\"") {
                        if index + 1 < bytes.count, bytes[index + 1] == UInt8(ascii: "\"") {
                            cell.append(bytes[index])
                            index += 2
                            continue
                        }
                        index += 1
                        break
                    }
                    cell.append(bytes[index])
                    index += 1
                }
            }
            guard index < bytes.count else { break }
            switch bytes[index] {
            case UInt8(ascii: ","):
                cells.append(String(decoding: cell, as: UTF8.self))
                cell = []
                index += 1
            case 0x0D:
                guard index + 1 < bytes.count, bytes[index + 1] == 0x0A else { throw Malformed(offset: index) }
                cells.append(String(decoding: cell, as: UTF8.self))
                rows.append(cells)
                cells = []
                cell = []
                index += 2
            default:
                cell.append(bytes[index])
                index += 1
            }
        }
        guard cells.isEmpty, cell.isEmpty else { throw Malformed(offset: bytes.count) }
        return rows
    }
}

private extension SeededNumbers {
    /// Text from pieces a CSV writer must take care of, from empty to thousands of bytes.
    mutating func text() -> String {
        let pieces = ["a", "contoso.example", ",", "\"", "\"\"", "\r\n", "\n", "\r", "=", "+", "-", "@", "\t", " ",
                      "é", "日本", "🙂", "'", ";", ":"]
        let length = below(8) == 0 ? 200 + below(2_000) : below(12)
        return (0..<length).map { _ in pieces[below(pieces.count)] }.joined()
    }
}

