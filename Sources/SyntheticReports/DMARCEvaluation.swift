import ReportModel

/// The organizational domain, from a tiny public suffix list that covers the generated names.
enum OrganizationalDomain {
    /// Two-label public suffixes that occur in generated names; every other suffix is one label.
    private static let twoLabelSuffixes: Set<String> = [
        "co.jp", "ne.jp", "or.jp", "ac.jp", "co.uk", "org.uk", "ac.uk", "com.au", "com.br", "co.nz",
    ]

    static func of(_ domain: String) -> Substring {
        // The last two labels, or three below a two-label suffix.
        guard let lastDot = domain.lastIndex(of: ".") else { return domain[...] }
        guard let secondDot = domain[..<lastDot].lastIndex(of: ".") else { return domain[...] }
        let lastTwo = domain[domain.index(after: secondDot)...]
        guard twoLabelSuffixes.contains(String(lastTwo)) else { return lastTwo }
        guard let thirdDot = domain[..<secondDot].lastIndex(of: ".") else { return domain[...] }
        return domain[domain.index(after: thirdDot)...]
    }

    static func aligned(_ authenticated: String, with headerFrom: String, mode: Alignment) -> Bool {
        switch mode {
        case .strict: authenticated == headerFrom
        case .relaxed, .unknown: authenticated == headerFrom || of(authenticated) == of(headerFrom)
        }
    }
}

/// What one batch of messages authenticated as, before DMARC looked at it.
struct AuthOutcome: Hashable {
    var headerFrom: String
    var envelopeFrom: String?
    var dkim: [DKIMAuthResult]
    var spf: SPFAuthResult
    /// The message was relayed by a forwarder, which lets receivers override the policy.
    var forwarded = false
}

/// DMARC evaluation as a receiver does it: alignment, then the policy that applies.
struct DMARCEvaluator {
    let policy: SyntheticPolicy
    let domain: String

    func alignedDKIM(_ outcome: AuthOutcome) -> PolicyResult {
        let passes = outcome.dkim.contains {
            $0.result == .pass && OrganizationalDomain.aligned($0.domain, with: outcome.headerFrom, mode: policy.adkim)
        }
        return passes ? .pass : .fail
    }

    /// Only the MAIL FROM identity counts for DMARC; a HELO result never aligns.
    func alignedSPF(_ outcome: AuthOutcome) -> PolicyResult {
        let spf = outcome.spf
        let passes = spf.result == .pass && spf.scope != "helo"
            && OrganizationalDomain.aligned(spf.domain, with: outcome.headerFrom, mode: policy.aspf)
        return passes ? .pass : .fail
    }

    /// The policy requested for mail from `headerFrom`: `p` for the domain, `sp` for subdomains.
    func requestedAction(for headerFrom: String) -> PolicyAction {
        headerFrom == domain ? policy.p : (policy.sp ?? policy.p)
    }
}

extension PolicyAction {
    /// What RFC 7489 §6.6.4 applies to mail left out of the `pct` sample: the next policy down.
    var sampledOutFallback: Disposition {
        switch self {
        case .reject: .quarantine
        default: .none
        }
    }

    var disposition: Disposition {
        switch self {
        case .none: .none
        case .quarantine: .quarantine
        case .reject: .reject
        case .unknown: .none
        }
    }
}
