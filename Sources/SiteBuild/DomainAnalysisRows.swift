import ReportModel
import Templating

/// The domain analysis in the words and number formats of a page's locale.
struct DomainAnalysisPresenter {
    let analysis: DomainAnalysis
    let words: LocaleStrings
    let format: LocaleFormatter

    var senders: [SenderRow] {
        analysis.senders.map { sender in
            let t = sender.tally
            return SenderRow(
                name: name(sender), category: sender.category.map { words.text("sender.category.\($0.rawValue)") } ?? "",
                verdict: verdictLabel(sender.verdict), tone: tone(sender.verdict),
                messages: format.integer(t.messages), passRate: format.percent(t.dmarcPass, of: t.messages),
                dkimRate: format.percent(t.dkimAligned, of: t.messages), spfRate: format.percent(t.spfAligned, of: t.messages),
                sources: format.integer(sender.sources.count), recognisedBy: sender.recognisedBy?.description ?? "",
                fixes: fixes(sender))
        }
    }

    private func name(_ sender: SenderSummary) -> String {
        switch sender.identity {
        case .known(let known): known.name
        case .unlisted(let domain): domain
        case .ownInfrastructure: words.text("sender.own")
        case .forwarded: words.text("sender.forwarded")
        case .unknown: words.text("sender.unknown")
        }
    }

    private func verdictLabel(_ verdict: SenderVerdict) -> String {
        switch verdict {
        case .authorisedAligned: words.text("sender.verdict.aligned")
        case .authorisedMisaligned: words.text("sender.verdict.misaligned")
        case .forwarder: words.text("sender.verdict.forwarder")
        case .unknownSuspicious: words.text("sender.verdict.suspicious")
        }
    }

    private func tone(_ verdict: SenderVerdict) -> String {
        switch verdict {
        case .authorisedAligned: "good"
        case .authorisedMisaligned: "warn"
        case .forwarder: "neutral"
        case .unknownSuspicious: "bad"
        }
    }

    private func fixes(_ sender: SenderSummary) -> [String] {
        guard case .authorisedMisaligned(let fixes) = sender.verdict else { return [] }
        return fixes.map { fix in
            switch fix {
            case .dkimNotAligned(let domains):
                words.text("sender.fix.dkim_not_aligned", ["domains": domains.joined(separator: ", "), "domain": analysis.domain])
            case .spfNotAligned(let domains):
                words.text("sender.fix.spf_not_aligned", ["domains": domains.joined(separator: ", "), "domain": analysis.domain])
            case .dkimMissing:
                words.text("sender.fix.dkim_missing", ["domain": analysis.domain])
            }
        }
    }

    var readiness: ReadinessModel {
        let readiness = analysis.readiness
        let values = [
            "share": readiness.alignedShare.map { format.oneDecimal($0 * 100) + "%" } ?? "–",
            "policy": readiness.current.map(FindingsAnalyzer.policyLabel) ?? "–",
            "next": readiness.next ?? "",
            "domain": analysis.domain,
        ]
        let tone: String
        switch readiness.level {
        case .ready, .atStrongest: tone = "good"
        case .almost: tone = "warn"
        case .notReady: tone = "bad"
        case .noData: tone = "neutral"
        }
        return ReadinessModel(
            level: readiness.level.rawValue, title: words.text("readiness.\(readiness.level.rawValue).title", values), tone: tone,
            explanation: words.text("readiness.\(readiness.level.rawValue).text", values),
            record: readiness.next.flatMap { next in readiness.current.map { analysis.recordText(next: next, current: $0) } },
            blockersHeading: words.text(readiness.level == .ready || readiness.level == .atStrongest ? "readiness.improvements" : "readiness.blockers"),
            blockers: readiness.blockers.map { blocker in
                words.text("readiness.blocker", ["sender": name(blocker), "messages": format.integer(blocker.messages),
                                                 "fix": fixes(blocker).joined(separator: " ")])
            })
    }

    var checklist: [CheckRow] {
        analysis.checklist(format: format).map { item in
            let detailKey = item.values["not_bulk"] != nil ? "check.not_bulk" : "check.\(item.key).\(item.status.rawValue)"
            return CheckRow(
                label: words.text("check.\(item.key).label"), status: item.status.rawValue,
                statusLabel: words.text("check.status.\(item.status.rawValue)"),
                detail: words.text(detailKey, item.values.merging(["domain": analysis.domain]) { current, _ in current }))
        }
    }
}

extension DomainAnalysis {
    var summarySenders: [MonthSummaryDocument.Sender] {
        senders.map { sender in
            let identity: String
            switch sender.identity {
            case .known: identity = "known"
            case .unlisted: identity = "unlisted"
            case .ownInfrastructure: identity = "own"
            case .forwarded: identity = "forwarded"
            case .unknown: identity = "unknown"
            }
            var verdict = "aligned"
            var fixes: [String] = []
            switch sender.verdict {
            case .authorisedAligned: break
            case .authorisedMisaligned(let found):
                verdict = "misaligned"
                fixes = found.map {
                    switch $0 {
                    case .dkimNotAligned: "dkim_not_aligned"
                    case .spfNotAligned: "spf_not_aligned"
                    case .dkimMissing: "dkim_missing"
                    }
                }
            case .forwarder: verdict = "forwarder"
            case .unknownSuspicious: verdict = "suspicious"
            }
            return MonthSummaryDocument.Sender(
                identity: identity, name: sender.name, category: sender.category?.rawValue, verdict: verdict, fixes: fixes,
                messages: sender.messages, dmarcPass: sender.dmarcPass, spfAligned: sender.spfAligned,
                dkimAligned: sender.dkimAligned, sourceIps: sender.sources.map(\.ip))
        }
    }

    var summaryReadiness: MonthSummaryDocument.Readiness {
        let readiness = readiness
        return MonthSummaryDocument.Readiness(
            level: readiness.level.rawValue, alignedShare: readiness.alignedShare.map { ($0 * 10_000).rounded() / 10_000 },
            currentPolicy: readiness.current.map(FindingsAnalyzer.policyLabel), nextPolicy: readiness.next)
    }
}
