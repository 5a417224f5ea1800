import Foundation

/// The Public Suffix List (publicsuffix.org): the names under which anyone can register a domain,
/// so that the organisational domain (RFC 7489 §3.2) of `mail.example.co.jp` is `example.co.jp`.
///
/// Rules follow the list's format: one per line, `//` comments, `*.` wildcards and `!`
/// exceptions; both the ICANN and the private section are used, as DMARC receivers do. Names
/// are compared in their `xn--` form; the list's Unicode rules are converted when parsed.
public struct PublicSuffixList: Sendable {
    /// Where Debian's `publicsuffix` package installs the list.
    public static let debianListPath = "/usr/share/publicsuffix/public_suffix_list.dat"

    /// Debian's list when it is installed, else `builtIn`; parsed once per process.
    public static let system: PublicSuffixList = {
        guard let text = try? String(contentsOfFile: debianListPath, encoding: .utf8) else { return builtIn }
        let list = PublicSuffixList(listText: text)
        return list.ruleCount > 0 ? list : builtIn
    }()

    /// A fallback for machines without the list: the multi-label suffixes mail domains commonly
    /// end in. Every other name falls under the list's default rule (the last label is the suffix).
    public static let builtIn = PublicSuffixList(listText: builtInListText)

    /// `builtIn` in the list's format.
    static var builtInListText: String { BuiltInSuffixes.rules.joined(separator: "\n") }

    /// Every rule's name, and every parent of one (with no kind of its own): a name none of
    /// whose parents is here can match no rule but by its last label, so a lookup walks a
    /// name's suffixes from its last label on and stops at the first that is not here.
    /// Keyed by substrings, so that the suffixes of a name are looked up without copies.
    private let rules: [Substring: RuleKinds]
    public let ruleCount: Int

    private struct RuleKinds: OptionSet {
        let rawValue: UInt8
        static let plain = RuleKinds(rawValue: 1)
        /// `*.kawasaki.jp` is kept as `kawasaki.jp`: any one label below it is a suffix.
        static let wildcardParent = RuleKinds(rawValue: 2)
        /// `!city.kawasaki.jp` is kept as `city.kawasaki.jp`: registrable despite a wildcard.
        static let exception = RuleKinds(rawValue: 4)
    }

    /// Parses text in the Public Suffix List format; lines that are not rules are ignored.
    public init(listText: String) {
        var rules: [Substring: RuleKinds] = [:]
        var ruleCount = 0
        func add(_ rule: String, _ kind: RuleKinds) {
            let name = Substring(rule)
            if rules[name, default: []].insert(kind).inserted { ruleCount += 1 }
            var parent = name
            while let dot = parent.utf8.firstIndex(of: UInt8(ascii: ".")) {
                parent = parent[parent.utf8.index(after: dot)...]
                if rules[parent] == nil { rules[parent] = [] }
            }
        }
        // Byte-wise: the list has some 10,000 rules, and the separators are all ASCII.
        let isSeparator: (UInt8) -> Bool = { $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }
        for line in listText.utf8.split(separator: 0x0A) {
            // A rule is the first white-space delimited word of a line that is not a comment.
            let word = line.drop(while: isSeparator).prefix { !isSeparator($0) }
            guard !word.isEmpty, !word.starts(with: "//".utf8) else { continue }
            let text = String(decoding: word, as: UTF8.self)
            let isLowercaseASCII = word.allSatisfy { $0 < 0x80 && !(0x41...0x5A).contains($0) }
            guard let rule = isLowercaseASCII ? text : Self.asciiName(text) else { continue }
            if rule.hasPrefix("!") {
                add(String(rule.dropFirst()), .exception)
            } else if rule.hasPrefix("*.") {
                add(String(rule.dropFirst(2)), .wildcardParent)
            } else {
                add(rule, .plain)
            }
        }
        self.rules = rules
        self.ruleCount = ruleCount
    }

    /// Reads a list file; use `system` for the installed one.
    public init(contentsOf url: URL) throws {
        self.init(listText: try String(contentsOf: url, encoding: .utf8))
    }

    /// The public suffix of a host name (`co.jp` for `mail.example.co.jp`), nil for a name that
    /// is empty or has empty labels.
    public func publicSuffix(of domain: String) -> String? {
        guard let name = Self.asciiName(DomainName.normalized(domain)) else { return nil }
        return split(name).map { String(name[$0.publicSuffix...]) }
    }

    /// The organisational domain: the public suffix and one label more (`example.co.jp` for
    /// `mail.example.co.jp`); nil when the name is itself a public suffix or not a host name.
    public func organisationalDomain(of domain: String) -> String? {
        let normalized = DomainName.normalized(domain)
        // Lower-case ASCII, the usual case, needs no IDNA pass.
        let isLowercaseASCII = normalized.utf8.allSatisfy { $0 < 0x80 && !(0x41...0x5A).contains($0) }
        guard let name = isLowercaseASCII ? normalized : Self.asciiName(normalized),
              let organisational = split(name)?.organisationalDomain
        else { return nil }
        return String(name[organisational...])
    }

    /// True when the name is a public suffix itself (`co.jp`, `com`).
    public func isPublicSuffix(_ domain: String) -> Bool {
        guard let name = Self.asciiName(DomainName.normalized(domain)) else { return false }
        return split(name).map { $0.organisationalDomain == nil } ?? false
    }

    /// Where the public suffix and the organisational domain (nil when the name is a public
    /// suffix) of a name in its `xn--` form begin; nil for a name that is empty or has an
    /// empty label.
    private func split(_ name: String) -> (publicSuffix: String.Index, organisationalDomain: String.Index?)? {
        let utf8 = name.utf8
        let dot = UInt8(ascii: ".")
        guard let first = utf8.first, let last = utf8.last, first != dot, last != dot else { return nil }
        let labelCount = 1 + utf8.count { $0 == dot }
        return withUnsafeTemporaryAllocation(of: String.Index.self, capacity: labelCount) { starts in
            // Where each label begins; so does the name from that label on.
            var count = 0
            var atLabelStart = true
            for index in utf8.indices {
                let isDot = utf8[index] == dot
                if isDot && atLabelStart { return nil }
                if atLabelStart { starts.initializeElement(at: count, to: index); count += 1 }
                atLabelStart = isDot
            }
            let start = suffixStart(name, labelsAt: UnsafeBufferPointer(rebasing: starts[..<count]))
            return (starts[start], start > 0 ? starts[start - 1] : nil)
        }
    }

    /// The index of the label the public suffix begins at, given where each label begins.
    ///
    /// An exception rule prevails (its suffix is the rule without its first label); otherwise
    /// the matching rule with the most labels; the default rule is `*`.
    private func suffixStart(_ name: String, labelsAt starts: UnsafeBufferPointer<String.Index>) -> Int {
        var exception: Int?
        var match: Int?
        var kindsOfParent: RuleKinds = []
        for label in starts.indices.reversed() {
            if kindsOfParent.contains(.wildcardParent) { match = label }
            guard let kinds = rules[name[starts[label]...]] else { break }
            if kinds.contains(.exception) { exception = label }
            if kinds.contains(.plain) { match = label }
            kindsOfParent = kinds
        }
        if let exception { return exception + 1 }
        return match ?? starts.count - 1
    }

    /// Lower case, each Unicode label in its `xn--` form; nil when a label cannot be encoded.
    private static func asciiName(_ name: String) -> String? {
        let labels = name.lowercased().split(separator: ".", omittingEmptySubsequences: false)
        var result: [String] = []
        for label in labels {
            if label.unicodeScalars.allSatisfy(\.isASCII) {
                result.append(String(label))
            } else if let encoded = Punycode.encode(String(label)) {
                result.append("xn--" + encoded)
            } else {
                return nil
            }
        }
        return result.joined(separator: ".")
    }
}

/// The multi-label public suffixes of the built-in fallback list.
private enum BuiltInSuffixes {
    static let rules: [String] = {
        let secondLevel: [String: [String]] = [
            "jp": ["co", "ne", "or", "ac", "ad", "ed", "go", "gr", "lg"],
            "uk": ["co", "org", "me", "ltd", "plc", "net", "ac", "gov", "sch", "nhs", "police"],
            "au": ["com", "net", "org", "edu", "gov", "asn", "id"],
            "nz": ["co", "net", "org", "ac", "govt", "school", "geek", "gen", "kiwi", "maori"],
            "br": ["com", "net", "org", "gov", "edu", "art", "blog", "eco", "ind", "inf"],
            "cn": ["com", "net", "org", "gov", "edu", "ac"],
            "hk": ["com", "net", "org", "gov", "edu", "idv"],
            "tw": ["com", "net", "org", "gov", "edu", "idv"],
            "kr": ["co", "ne", "or", "re", "go", "ac", "pe"],
            "in": ["co", "net", "org", "firm", "gen", "ind", "ac", "edu", "gov", "res"],
            "za": ["co", "net", "org", "gov", "ac", "web"],
            "sg": ["com", "net", "org", "gov", "edu"],
            "my": ["com", "net", "org", "gov", "edu", "name"],
            "id": ["co", "or", "ac", "go", "net", "web"],
            "th": ["co", "in", "or", "ac", "go", "net"],
            "ph": ["com", "net", "org", "gov", "edu"],
            "vn": ["com", "net", "org", "gov", "edu"],
            "mx": ["com", "net", "org", "gob", "edu"],
            "ar": ["com", "net", "org", "gob", "edu"],
            "co": ["com", "net", "org", "gov", "edu"],
            "tr": ["com", "net", "org", "gov", "edu", "gen", "biz"],
            "il": ["co", "org", "net", "ac", "gov", "muni"],
            "sa": ["com", "net", "org", "gov", "edu"],
            "ae": ["co", "net", "org", "gov", "ac"],
            "eg": ["com", "net", "org", "gov", "edu"],
            "pk": ["com", "net", "org", "gov", "edu"],
            "ng": ["com", "net", "org", "gov", "edu"],
            "ke": ["co", "or", "ne", "go", "ac"],
            "ua": ["com", "net", "org", "gov", "edu"],
            "pl": ["com", "net", "org", "gov", "edu", "biz", "info"],
            "es": ["com", "org", "nom", "gob", "edu"],
            "pt": ["com", "org", "gov", "edu"],
            "fr": ["asso", "com", "gouv", "nom", "prd", "tm"],
        ]
        return secondLevel.keys.sorted().flatMap { tld in
            [tld] + (secondLevel[tld] ?? []).map { "\($0).\(tld)" }
        }
    }()
}

/// Punycode (RFC 3492) encoding of one label, for the Unicode rules of the list.
enum Punycode {
    private static let base = 36, tMin = 1, tMax = 26, skew = 38, damp = 700
    private static let initialBias = 72, initialN = 128

    /// The encoded label without the `xn--` prefix; nil on overflow.
    static func encode(_ label: String) -> String? {
        let input = label.unicodeScalars.map { Int($0.value) }
        var output = String(String.UnicodeScalarView(label.unicodeScalars.filter(\.isASCII)))
        let basicCount = output.unicodeScalars.count
        if basicCount > 0 { output.append("-") }

        var n = initialN, delta = 0, bias = initialBias, handled = basicCount
        while handled < input.count {
            guard let next = input.filter({ $0 >= n }).min() else { return nil }
            let (step, overflow) = (next - n).multipliedReportingOverflow(by: handled + 1)
            guard !overflow else { return nil }
            delta += step
            n = next
            for scalar in input {
                if scalar < n { delta += 1 }
                guard scalar == n else { continue }
                var q = delta
                var k = base
                while true {
                    let t = k <= bias ? tMin : (k >= bias + tMax ? tMax : k - bias)
                    if q < t { break }
                    output.append(digit(t + (q - t) % (base - t)))
                    q = (q - t) / (base - t)
                    k += base
                }
                output.append(digit(q))
                bias = adapt(delta, points: handled + 1, first: handled == basicCount)
                delta = 0
                handled += 1
            }
            delta += 1
            n += 1
        }
        return output
    }

    private static func digit(_ value: Int) -> Character {
        let scalar = value < 26 ? 0x61 + value : 0x30 + value - 26
        return Character(Unicode.Scalar(UInt8(scalar)))
    }

    private static func adapt(_ delta: Int, points: Int, first: Bool) -> Int {
        var delta = first ? delta / damp : delta / 2
        delta += delta / points
        var k = 0
        while delta > ((base - tMin) * tMax) / 2 {
            delta /= base - tMin
            k += base
        }
        return k + (base - tMin + 1) * delta / (delta + skew)
    }
}
