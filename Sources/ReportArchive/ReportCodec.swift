import ReportModel

/// How a report is stored in the archive. Vocabulary values are stored as the words the
/// reporter sent (`description`), so words no RFC defines survive a round trip.
///
/// The first byte is the format version; a change of layout adds a version, and reading keeps
/// understanding the old ones, so an archive never has to be re-ingested.
package enum ReportCodec {
    static let aggregateFormat: UInt8 = 1
    static let tlsFormat: UInt8 = 1

    package static func encode(_ report: AggregateReport) -> [UInt8] {
        var out = BinaryWriter(capacity: 128 + report.records.count * 96)
        out.unsigned(UInt64(aggregateFormat))
        out.string(report.schema.rawValue)
        out.optional(report.version)
        out.string(report.origin.rawValue)
        let meta = report.metadata
        out.string(meta.orgName)
        out.string(meta.email)
        out.optional(meta.extraContactInfo)
        out.string(meta.reportID)
        out.signed(meta.dateRange.begin)
        out.signed(meta.dateRange.end)
        out.strings(meta.errors)
        out.optional(meta.generator)
        let policy = report.policy
        out.string(policy.domain)
        out.optional(policy.adkim?.description)
        out.optional(policy.aspf?.description)
        out.optional(policy.p?.description)
        out.optional(policy.sp?.description)
        out.optional(policy.np?.description)
        out.optional(policy.pct)
        out.optional(policy.fo)
        out.optional(policy.testing)
        out.optional(policy.discoveryMethod)
        out.unsigned(UInt64(report.records.count))
        // Each record is lent to `encode(_:into:)`; a loop or a closure would copy it, retaining
        // and releasing every string and array it holds.
        for index in report.records.indices { encode(report.records[index], into: &out) }
        return out.bytes
    }

    /// The vocabularies of a record, matched on their stored bytes.
    private enum Words {
        static let disposition = StoredWords<Disposition>()
        static let policyResult = StoredWords<PolicyResult>()
        static let overrideType = StoredWords<OverrideType>()
        static let dkimResult = StoredWords<DKIMResult>()
        static let spfResult = StoredWords<SPFResult>()
    }

    private static func encode(_ record: ReportRecord, into out: inout BinaryWriter) {
        out.string(record.sourceIP)
        out.int(record.count)
        out.string(record.disposition.description)
        out.string(record.dkimAligned.description)
        out.string(record.spfAligned.description)
        out.list(record.overrideReasons) { out, reason in
            out.string(reason.type.description)
            out.optional(reason.comment)
        }
        out.string(record.headerFrom)
        out.optional(record.envelopeFrom)
        out.optional(record.envelopeTo)
        out.list(record.dkimResults) { out, dkim in
            out.string(dkim.domain)
            out.optional(dkim.selector)
            out.string(dkim.result.description)
            out.optional(dkim.humanResult)
        }
        out.list(record.spfResults) { out, spf in
            out.string(spf.domain)
            out.optional(spf.scope)
            out.string(spf.result.description)
            out.optional(spf.humanResult)
        }
    }

    /// A reader past the format byte, which must be the one this sitegen writes.
    private static func reader(
        _ bytes: [UInt8], format expected: UInt8, of kind: String, sharing interner: StoredValueInterner? = nil
    ) throws(BinaryDecodingError) -> BinaryReader {
        var input = BinaryReader(bytes, sharing: interner)
        let format = try input.unsigned()
        guard format == UInt64(expected) else { throw BinaryDecodingError(reason: "unknown stored \(kind) format \(format)") }
        return input
    }

    /// `interner`: shares repeated strings and result lists with the other reports decoded with
    /// it (the reports of one read); the reports are equal either way.
    package static func decodeAggregate(
        _ bytes: [UInt8], sharing interner: StoredValueInterner? = nil
    ) throws(BinaryDecodingError) -> AggregateReport {
        var input = try reader(bytes, format: aggregateFormat, of: "report", sharing: interner)
        let schemaWord = try input.string()
        guard let schema = ReportSchema(rawValue: schemaWord) else { throw BinaryDecodingError(reason: "unknown schema \(schemaWord)") }
        let version = try input.optionalString()
        let originWord = try input.string()
        guard let origin = ReportOrigin(rawValue: originWord) else { throw BinaryDecodingError(reason: "unknown report origin \(originWord)") }
        let metadata = ReportMetadata(
            orgName: try input.string(), email: try input.string(), extraContactInfo: try input.optionalString(),
            reportID: try input.string(), dateRange: DateRange(begin: try input.signed(), end: try input.signed()),
            errors: try input.strings(), generator: try input.optionalString())
        let policy = PublishedPolicy(
            domain: try input.string(),
            adkim: try input.optionalString().map(Alignment.init(reported:)),
            aspf: try input.optionalString().map(Alignment.init(reported:)),
            p: try input.optionalString().map(PolicyAction.init(reported:)),
            sp: try input.optionalString().map(PolicyAction.init(reported:)),
            np: try input.optionalString().map(PolicyAction.init(reported:)),
            pct: try input.optionalInt(), fo: try input.optionalString(), testing: try input.optionalString(),
            discoveryMethod: try input.optionalString())
        let records = try input.list { input throws(BinaryDecodingError) in
            ReportRecord(
                sourceIP: try input.string(), count: try input.int(),
                disposition: try input.word(Words.disposition),
                dkimAligned: try input.word(Words.policyResult),
                spfAligned: try input.word(Words.policyResult),
                overrideReasons: try input.overrideReasons { input throws(BinaryDecodingError) in
                    OverrideReason(type: try input.word(Words.overrideType), comment: try input.optionalString())
                },
                headerFrom: try input.string(), envelopeFrom: try input.optionalString(), envelopeTo: try input.optionalString(),
                dkimResults: try input.dkimResults { input throws(BinaryDecodingError) in
                    DKIMAuthResult(domain: try input.string(), selector: try input.optionalString(),
                                   result: try input.word(Words.dkimResult), humanResult: try input.optionalString())
                },
                spfResults: try input.spfResults { input throws(BinaryDecodingError) in
                    SPFAuthResult(domain: try input.string(), scope: try input.optionalString(),
                                  result: try input.word(Words.spfResult), humanResult: try input.optionalString())
                })
        }
        guard input.isAtEnd else { throw BinaryDecodingError(reason: "stored report has trailing bytes") }
        return AggregateReport(schema: schema, version: version, metadata: metadata, policy: policy, records: records, origin: origin)
    }

    package static func encode(_ report: TLSReport) -> [UInt8] {
        var out = BinaryWriter(capacity: 128 + report.policies.count * 128)
        out.unsigned(UInt64(tlsFormat))
        out.string(report.organizationName)
        out.signed(report.dateRange.begin)
        out.signed(report.dateRange.end)
        out.optional(report.contactInfo)
        out.string(report.reportID)
        out.list(report.policies) { out, policy in
            out.string(policy.policyType.description)
            out.strings(policy.policyStrings)
            out.string(policy.policyDomain)
            out.strings(policy.mxHosts)
            out.int(policy.totalSuccessfulSessions)
            out.int(policy.totalFailureSessions)
            out.list(policy.failures) { out, failure in
                out.string(failure.resultType.description)
                out.optional(failure.sendingMTAIP)
                out.optional(failure.receivingMXHostname)
                out.optional(failure.receivingMXHelo)
                out.optional(failure.receivingIP)
                out.int(failure.failedSessionCount)
                out.optional(failure.additionalInformation)
                out.optional(failure.failureReasonCode)
            }
        }
        return out.bytes
    }

    package static func decodeTLS(_ bytes: [UInt8]) throws(BinaryDecodingError) -> TLSReport {
        var input = try reader(bytes, format: tlsFormat, of: "TLS report")
        let report = TLSReport(
            organizationName: try input.string(), dateRange: DateRange(begin: try input.signed(), end: try input.signed()),
            contactInfo: try input.optionalString(), reportID: try input.string(),
            policies: try input.list { input throws(BinaryDecodingError) in
                TLSPolicyResult(
                    policyType: TLSPolicyType(reported: try input.string()), policyStrings: try input.strings(),
                    policyDomain: try input.string(), mxHosts: try input.strings(),
                    totalSuccessfulSessions: try input.int(), totalFailureSessions: try input.int(),
                    failures: try input.list { input throws(BinaryDecodingError) in
                        TLSFailureDetail(
                            resultType: TLSResultType(reported: try input.string()), sendingMTAIP: try input.optionalString(),
                            receivingMXHostname: try input.optionalString(), receivingMXHelo: try input.optionalString(),
                            receivingIP: try input.optionalString(), failedSessionCount: try input.int(),
                            additionalInformation: try input.optionalString(), failureReasonCode: try input.optionalString())
                    })
            })
        guard input.isAtEnd else { throw BinaryDecodingError(reason: "stored TLS report has trailing bytes") }
        return report
    }
}
