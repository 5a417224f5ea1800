import ReportModel

/// Turns the message batches one reporter saw for one domain on one day into its report:
/// DMARC evaluation, the reporter's habits, and aggregation by source IP and results.
struct ReportBuilder {
    let reporter: SyntheticReporter
    let domain: String
    let policy: SyntheticPolicy

    func report(
        batches: [MessageBatch], range: DateRange, reportID: String, _ rng: inout SplitMix64
    ) -> AggregateReport? {
        var records = RecordAggregator()
        let evaluator = DMARCEvaluator(policy: policy, domain: domain)
        for batch in batches where batch.count > 0 {
            let envelopeTo = pickEnvelopeTo(&rng)
            let dkimAligned = evaluator.alignedDKIM(batch.outcome)
            let spfAligned = evaluator.alignedSPF(batch.outcome)
            let passes = dkimAligned == .pass || spfAligned == .pass
            let dkimResults = renderedDKIM(batch.outcome, &rng)
            for (count, disposition, reasons) in decide(batch, passes: passes, evaluator, &rng) where count > 0 {
                records.add(ReportRecord(
                    sourceIP: batch.sourceIP, count: count, disposition: disposition,
                    dkimAligned: dkimAligned, spfAligned: spfAligned,
                    overrideReasons: reasons,
                    headerFrom: batch.outcome.headerFrom,
                    envelopeFrom: reporter.writesEnvelopeFrom ? batch.outcome.envelopeFrom : nil,
                    envelopeTo: envelopeTo,
                    dkimResults: dkimResults,
                    spfResults: [renderedSPF(batch.outcome.spf)]))
            }
        }
        guard !records.isEmpty else { return nil }
        return AggregateReport(
            schema: reporter.schema, version: reporter.version,
            metadata: ReportMetadata(
                orgName: reporter.orgName, email: reporter.email, extraContactInfo: reporter.extraContactInfo,
                reportID: reportID, dateRange: range, generator: reporter.generator),
            policy: publishedPolicy,
            records: records.records)
    }

    /// The policy as this reporter echoes it: `sp` filled in from `p`, `pct` only in the
    /// legacy form, `testing` and `discovery_method` only in the RFC 9990 form.
    var publishedPolicy: PublishedPolicy {
        let isRFC9990 = reporter.schema == .rfc9990
        return PublishedPolicy(
            domain: domain, adkim: policy.adkim, aspf: policy.aspf, p: policy.p, sp: policy.sp ?? policy.p,
            np: isRFC9990 ? policy.np : nil, pct: isRFC9990 ? nil : policy.pct, fo: reporter.fo,
            testing: isRFC9990 ? (policy.pct < 100 ? "y" : "n") : nil,
            discoveryMethod: isRFC9990 ? "treewalk" : nil)
    }

    /// Splits a batch by what the receiver did with it: delivered, quarantined, rejected,
    /// overridden for a forwarder, or left out of the `pct` sample.
    private func decide(
        _ batch: MessageBatch, passes: Bool, _ evaluator: DMARCEvaluator, _ rng: inout SplitMix64
    ) -> [(Int, Disposition, [OverrideReason])] {
        let outcome = batch.outcome
        if passes {
            let note = outcome.forwarded && rng.chance(0.15) ? [OverrideReason(type: .forwarded)] : []
            return [(batch.count, reporter.passDisposition, note)]
        }
        let requested = evaluator.requestedAction(for: outcome.headerFrom)
        guard requested != .none else { return [(batch.count, .none, [])] }
        if outcome.forwarded && rng.chance(0.8) {
            let reason = rng.chance(0.6)
                ? OverrideReason(type: .forwarded)
                : OverrideReason(type: .localPolicy, comment: rng.chance(0.5) ? "arc=pass" : nil)
            return [(batch.count, .none, [reason])]
        }
        let sampledOut = policy.pct >= 100 ? 0 : Split.binomial(batch.count, Double(100 - policy.pct) / 100, &rng)
        var applied = requested.disposition
        var reasons: [OverrideReason] = []
        // Some receivers quarantine what the domain asks them to reject.
        if requested == .reject && rng.chance(0.1) {
            applied = .quarantine
            reasons = [OverrideReason(type: .localPolicy)]
        }
        return [
            (batch.count - sampledOut, applied, reasons),
            (sampledOut, requested.sampledOutFallback, [OverrideReason(type: .sampledOut)]),
        ]
    }

    private func pickEnvelopeTo(_ rng: inout SplitMix64) -> String? {
        guard let domains = reporter.envelopeToDomains else { return nil }
        return rng.weightedIndex(domains.map(\.weight)).map { domains[$0].domain }
    }

    private func renderedDKIM(_ outcome: AuthOutcome, _ rng: inout SplitMix64) -> [DKIMAuthResult] {
        if outcome.dkim.isEmpty {
            return reporter.writesUnsignedAsNone ? [DKIMAuthResult(domain: outcome.headerFrom, result: .none)] : []
        }
        return outcome.dkim.map { result in
            var result = result
            if !reporter.writesSelector { result.selector = nil }
            if reporter.writesHumanResults, result.result == .fail {
                result.humanResult = rng.chance(0.5) ? "fail (body hash did not verify)" : "fail (signature verification failed)"
            }
            return result
        }
    }

    private func renderedSPF(_ spf: SPFAuthResult) -> SPFAuthResult {
        var result = spf
        if spf.scope != "helo" { result.scope = reporter.spfScope }
        if reporter.writesHumanResults, spf.result == .fail || spf.result == .softfail {
            result.humanResult = "sender IP not permitted by SPF record"
        }
        return result
    }
}

/// Records merged by everything but the count, in first-seen order, as reporters aggregate.
struct RecordAggregator {
    private(set) var records: [ReportRecord] = []
    private var index: [ReportRecord: Int] = [:]

    var isEmpty: Bool { records.isEmpty }

    mutating func add(_ record: ReportRecord) {
        var key = record
        key.count = 0
        if let position = index[key] {
            records[position].count += record.count
        } else {
            index[key] = records.count
            records.append(record)
        }
    }
}
