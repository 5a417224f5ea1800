/// A value from a closed vocabulary that reporters do not always respect.
///
/// Reporters send `Pass`, `PASS`, ` pass ` and words no RFC defines. Known words are matched
/// case-insensitively after trimming; anything else is kept verbatim as `unknown` so pages can
/// show it as such instead of dropping or guessing.
public protocol TolerantVocabulary: Sendable, Hashable, CustomStringConvertible {
    static var knownWords: [String: Self] { get }
    static func unknown(_ raw: String) -> Self
}

extension TolerantVocabulary {
    public init(reported raw: String) {
        // Nearly every value is already a lower-case ASCII word: no trimming or case mapping.
        if raw.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F && !($0 >= 0x41 && $0 <= 0x5A) }) {
            self = Self.knownWords[raw] ?? Self.unknown(raw)
            return
        }
        let word = raw.trimmingXMLWhitespace().lowercased()
        self = Self.knownWords[word] ?? Self.unknown(raw.trimmingXMLWhitespace())
    }
}

public enum Disposition: TolerantVocabulary {
    case none, quarantine, reject
    /// RFC 9990 lets a reporter say the message passed and no policy was applied.
    case pass
    case unknown(String)

    public static let knownWords: [String: Disposition] = [
        "none": .none, "quarantine": .quarantine, "reject": .reject, "pass": .pass,
    ]

    public var description: String {
        switch self {
        case .none: "none"
        case .quarantine: "quarantine"
        case .reject: "reject"
        case .pass: "pass"
        case .unknown(let raw): raw
        }
    }
}

public enum PolicyAction: TolerantVocabulary {
    case none, quarantine, reject
    case unknown(String)

    public static let knownWords: [String: PolicyAction] = [
        "none": .none, "quarantine": .quarantine, "reject": .reject,
    ]

    public var description: String {
        switch self {
        case .none: "none"
        case .quarantine: "quarantine"
        case .reject: "reject"
        case .unknown(let raw): raw
        }
    }
}

public enum Alignment: TolerantVocabulary {
    case relaxed, strict
    case unknown(String)

    public static let knownWords: [String: Alignment] = ["r": .relaxed, "s": .strict]

    public var description: String {
        switch self {
        case .relaxed: "r"
        case .strict: "s"
        case .unknown(let raw): raw
        }
    }
}

/// The DMARC-evaluated (aligned) result of DKIM or SPF.
public enum PolicyResult: TolerantVocabulary {
    case pass, fail
    case unknown(String)

    public static let knownWords: [String: PolicyResult] = ["pass": .pass, "fail": .fail]

    public var description: String {
        switch self {
        case .pass: "pass"
        case .fail: "fail"
        case .unknown(let raw): raw
        }
    }
}

public enum DKIMResult: TolerantVocabulary {
    case none, pass, fail, policy, neutral, temperror, permerror
    case unknown(String)

    public static let knownWords: [String: DKIMResult] = [
        "none": .none, "pass": .pass, "fail": .fail, "policy": .policy, "neutral": .neutral,
        "temperror": .temperror, "permerror": .permerror,
    ]

    public var description: String {
        switch self {
        case .none: "none"
        case .pass: "pass"
        case .fail: "fail"
        case .policy: "policy"
        case .neutral: "neutral"
        case .temperror: "temperror"
        case .permerror: "permerror"
        case .unknown(let raw): raw
        }
    }
}

public enum SPFResult: TolerantVocabulary {
    case none, neutral, pass, fail, softfail, temperror, permerror
    case unknown(String)

    public static let knownWords: [String: SPFResult] = [
        "none": .none, "neutral": .neutral, "pass": .pass, "fail": .fail, "softfail": .softfail,
        // Older reporters wrote the RFC 4408 words.
        "hardfail": .fail, "temperror": .temperror, "permerror": .permerror,
        "error": .temperror, "unknown": .permerror,
    ]

    public var description: String {
        switch self {
        case .none: "none"
        case .neutral: "neutral"
        case .pass: "pass"
        case .fail: "fail"
        case .softfail: "softfail"
        case .temperror: "temperror"
        case .permerror: "permerror"
        case .unknown(let raw): raw
        }
    }
}

public enum OverrideType: TolerantVocabulary {
    case forwarded, sampledOut, trustedForwarder, mailingList, localPolicy, policyTestMode, other
    case unknown(String)

    public static let knownWords: [String: OverrideType] = [
        "forwarded": .forwarded, "sampled_out": .sampledOut,
        "trusted_forwarder": .trustedForwarder, "mailing_list": .mailingList,
        "local_policy": .localPolicy, "policy_test_mode": .policyTestMode, "other": .other,
    ]

    public var description: String {
        switch self {
        case .forwarded: "forwarded"
        case .sampledOut: "sampled_out"
        case .trustedForwarder: "trusted_forwarder"
        case .mailingList: "mailing_list"
        case .localPolicy: "local_policy"
        case .policyTestMode: "policy_test_mode"
        case .other: "other"
        case .unknown(let raw): raw
        }
    }
}

extension StringProtocol {
    /// Trims the four XML white-space characters and a stray BOM, nothing else.
    public func trimmingXMLWhitespace() -> String {
        // An ASCII character other than white space at both ends: nothing to trim, whatever
        // grapheme clusters the text holds.
        let isSpace: (Character) -> Bool = {
            $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" || $0 == "\r\n" || $0 == "\u{FEFF}"
        }
        if let first, let last, first.isASCII, last.isASCII, !isSpace(first), !isSpace(last) {
            return String(self)
        }
        guard let first = firstIndex(where: { !isSpace($0) }) else { return "" }
        let last = lastIndex(where: { !isSpace($0) })!
        return String(self[first...last])
    }
}
