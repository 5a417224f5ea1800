import ReportModel

/// Generates the SMTP TLS reports about one domain, day by day.
///
/// Every draw comes from generators seeded with labels of their own ("tls-…"), so the DMARC
/// reports of the same spec come out exactly as they would without TLS.
struct DomainTLSReportGenerator: Sendable {
    let domain: String
    let tls: SyntheticTLS
    let traffic: TrafficShape
    let spec: SyntheticWorkspaceSpec
    private let sendingPools: [SyntheticTLSReporter: [String]]
    private let tlsaRecords: [String]
    /// The expected share of the sessions that ends up in some report; dividing by it makes
    /// `dailySessions` the number of sessions reports show on a working day.
    private let coverage: Double

    /// nil when the domain asks for no TLS reports.
    init?(domain: SyntheticDomain, spec: SyntheticWorkspaceSpec) {
        guard var tls = domain.tls, tls.dailySessions > 0 else { return nil }
        for index in tls.mxHosts.indices {
            tls.mxHosts[index].host = DomainName.normalized(tls.mxHosts[index].host)
        }
        self.domain = domain.name
        self.tls = tls
        self.traffic = domain.traffic
        self.spec = spec
        sendingPools = Dictionary(uniqueKeysWithValues: SyntheticTLSReporter.allCases.map { reporter in
            var rng = SplitMix64(seed: spec.seed, labels: ["tls-sending-pool", reporter.rawValue])
            return (reporter, AddressPool.make(count: 30, using: &rng) { reporter.sendingAddress(&$0) })
        })
        tlsaRecords = DANERecords.records(for: domain.name)
        coverage = SyntheticTLSReporter.allCases.reduce(0) { $0 + $1.sessionShare * $1.dailyReportChance }
    }

    func files(in month: ReportMonth) throws -> [GeneratedTLSReportFile] {
        guard tls.isReported(in: month) else { return [] }
        return try month.days.flatMap { day in
            try reports(on: day, in: month).map { try TLSReportFile.make($0.report, about: domain, by: $0.reporter) }
        }
    }

    func reports(on day: CalendarDay, in month: ReportMonth) -> [(report: TLSReport, reporter: SyntheticTLSReporter)] {
        var dayRng = SplitMix64(seed: spec.seed, labels: ["tls-day", domain, day.description])
        let volume = sessionVolume(day, month, &dayRng)
        let policy = tls.policy(in: month)
        let episodes = tls.episodes.filter { $0.isActive(on: day) }

        var result: [(TLSReport, SyntheticTLSReporter)] = []
        for reporter in SyntheticTLSReporter.allCases {
            var rng = SplitMix64(seed: spec.seed, labels: ["tls-report", domain, day.description, reporter.rawValue])
            guard rng.chance(reporter.dailyReportChance) else { continue }
            let sessions = Split.stochasticRound(volume / coverage * reporter.sessionShare * rng.noise(spread: 0.3), &rng)
            guard sessions > 0 else { continue }
            let builder = TLSPolicyResultBuilder(
                reporter: reporter, domain: domain, mxHosts: tls.mxHosts, policy: policy,
                tlsaRecords: tlsaRecords, sendingPool: sendingPools[reporter] ?? [])
            let range = day.dateRange
            let sent = reporter.sendingTime(after: range, &rng)
            let report = TLSReport(
                organizationName: reporter.organizationName, dateRange: range,
                contactInfo: reporter.contactInfo,
                reportID: reporter.reportID(domain: domain, day: day, sent: sent, &rng),
                policies: [builder.result(sessions: sessions, episodes: episodes, &rng)])
            result.append((report, reporter))
        }
        return result
    }

    /// Sessions that day: base volume, growth since the first month, season, weekday, noise.
    private func sessionVolume(_ day: CalendarDay, _ month: ReportMonth, _ rng: inout SplitMix64) -> Double {
        var growth = 1.0
        for _ in 0..<spec.firstMonth.monthsUntil(month) { growth *= 1 + traffic.monthlyGrowth }
        let weekday = day.isWeekend ? traffic.weekendFactor : 1
        return Double(tls.dailySessions) * growth * traffic.seasonalFactor(month: month.month) * weekday
            * rng.noise(spread: traffic.dailyNoise)
    }
}

/// The one policy result of a reporter's daily report: the policy as the reporter saw it and
/// its sessions, spread over the MX hosts, with the failures of the episodes under way.
struct TLSPolicyResultBuilder {
    let reporter: SyntheticTLSReporter
    let domain: String
    let mxHosts: [SyntheticMX]
    let policy: SyntheticTLSPolicy
    let tlsaRecords: [String]
    let sendingPool: [String]

    func result(sessions: Int, episodes: [TLSFailureEpisode], _ rng: inout SplitMix64) -> TLSPolicyResult {
        let (type, strings, patterns) = appliedPolicy
        var failures = FailureDetailAggregator()
        var failed = 0
        let perHost = Split.proportional(sessions, weights: mxHosts.map(\.share), noise: 0.15, &rng)
        for (mx, count) in zip(mxHosts, perHost) where count > 0 {
            var remaining = count
            for episode in episodes where episode.affects(mx) && episode.result.isNoticed(under: type) {
                let failing = Split.binomial(remaining, min(1, max(0, episode.failureRate)), &rng)
                guard failing > 0 else { continue }
                remaining -= failing
                failed += failing
                addDetails(failing, episode, mx, to: &failures, &rng)
            }
        }
        return TLSPolicyResult(
            policyType: type, policyStrings: strings, policyDomain: domain, mxHosts: patterns,
            totalSuccessfulSessions: sessions - failed, totalFailureSessions: failed,
            failures: failures.details)
    }

    /// The policy type, `policy-string` and `mx-host` the reporter writes.
    private var appliedPolicy: (TLSPolicyType, [String], [String]) {
        switch policy {
        case .mtaSTS(let sts) where sts.mode != .none:
            return (.sts, sts.lines, reporter.writesMXHosts ? sts.mx.map(DomainName.normalized) : [])
        case .dane where reporter.validatesDANE:
            return (.tlsa, reporter.tlsaPolicyStrings(tlsaRecords), [])
        case .noPolicy, .mtaSTS, .dane:
            return (.noPolicyFound, [], [])
        }
    }

    /// Spreads failed sessions over a few of the reporter's busiest sending addresses.
    private func addDetails(
        _ failing: Int, _ episode: TLSFailureEpisode, _ mx: SyntheticMX,
        to failures: inout FailureDetailAggregator, _ rng: inout SplitMix64
    ) {
        let wanted = min(3, 1 + failing / 20)
        let chosen = AddressPool.busiest(sendingPool, choosing: min(wanted, sendingPool.count), &rng)
        let senders: [(ip: String?, weight: Double)] = chosen.isEmpty
            ? [(nil, 1)]
            : chosen.map { ($0.ip, 1 / Double($0.rank + 1)) }
        let counts = Split.proportional(failing, weights: senders.map(\.weight), noise: 0.5, &rng)
        let concernsHost = episode.result.concernsMXHost
        for (sender, count) in zip(senders, counts) where count > 0 {
            failures.add(TLSFailureDetail(
                resultType: episode.result,
                sendingMTAIP: sender.ip,
                receivingMXHostname: concernsHost ? mx.host : nil,
                receivingIP: concernsHost ? rng.element(of: mx.addresses) : nil,
                failedSessionCount: count,
                failureReasonCode: episode.reasonCode))
        }
    }
}

/// Failure details merged by everything but the count, in first-seen order, as reporters do.
struct FailureDetailAggregator {
    private(set) var details: [TLSFailureDetail] = []
    private var index: [TLSFailureDetail: Int] = [:]

    mutating func add(_ detail: TLSFailureDetail) {
        var key = detail
        key.failedSessionCount = 0
        if let position = index[key] {
            details[position].failedSessionCount += detail.failedSessionCount
        } else {
            index[key] = details.count
            details.append(detail)
        }
    }
}

/// The TLSA records of a DANE domain: `3 1 1` (the SHA-256 of the server's public key) for the
/// key in use and for the next one, published ahead of a rollover. Stable for the domain.
enum DANERecords {
    static func records(for domain: String) -> [String] {
        var rng = SplitMix64(seed: 0, labels: ["tlsa", domain])
        return (0..<2).map { _ in "3 1 1 " + rng.hex(64).uppercased() }
    }
}

/// Serialises and packs one TLS report the way its reporter sends it.
enum TLSReportFile {
    static func make(
        _ report: TLSReport, about domain: String, by reporter: SyntheticTLSReporter
    ) throws -> GeneratedTLSReportFile {
        let json = TLSReportJSONWriter(style: reporter.writerStyle).data(for: report)
        let kind = reporter.fileKind
        let bytes = switch kind {
        case .json: json
        case .gzip: try ReportPackager.gzip(json)
        }
        let name = reporter.fileName(domain: domain, range: report.dateRange, reportID: report.reportID, kind: kind)
        let month = ReportMonth(unixTime: report.dateRange.begin)
        return GeneratedTLSReportFile(
            relativePath: "\(reporter.folderName)/\(month)/tls/\(name)", bytes: bytes, kind: kind,
            reporter: reporter, report: report)
    }
}
