import Foundation

/// What kind of service a known sender is.
public enum SenderCategory: String, Sendable, Hashable, CaseIterable {
    case mailboxProvider = "mailbox-provider"
    /// E-mail service provider: bulk and transactional sending.
    case esp
    case crm
    case helpdesk
    /// Forwarding services and mailing lists: they relay mail others wrote.
    case forwarder
    case securityGateway = "security-gateway"
    case ecommerce
    case other
}

/// A service that sends mail for its customers, and the names that give it away in reports.
public struct KnownSender: Sendable, Hashable {
    public var name: String
    public var category: SenderCategory
    /// Domains; each also covers its subdomains (`sendgrid.net` covers
    /// `mail.sendgrid.net`, never `notsendgrid.net`), in DKIM `d=`, SPF and envelope_from domains.
    public var domains: [String]
    /// DKIM selectors the service uses when it signs with the customer's own domain
    /// (Google Workspace's `google`): a hint where no domain of the service shows.
    public var dkimSelectors: [String]

    public init(name: String, category: SenderCategory, domains: [String], dkimSelectors: [String] = []) {
        self.name = name
        self.category = category
        self.domains = domains
        self.dkimSelectors = dkimSelectors
    }
}

/// A mapping file that could not be used, with the file and the place in it.
public struct SenderCatalogError: Error, Sendable, Hashable, CustomStringConvertible {
    public var file: String
    /// A path such as `senders[3].domains[0]`; nil for the file as a whole.
    public var location: String?
    public var message: String

    public init(file: String, location: String? = nil, message: String) {
        self.file = file
        self.location = location
        self.message = message
    }

    public var description: String {
        [file, location, message].compactMap { $0 }.joined(separator: ": ")
    }
}

/// The known senders: the mapping file sitegen ships, optionally extended by a workspace's own.
public struct SenderCatalog: Sendable {
    public static let fileName = "known-senders.json"
    public static let schemaVersion = 1
    /// SwiftPM's name for the ReportModel resources: `<package>_<target>.resources`.
    static let resourceBundleName = "sitegen_ReportModel.resources"

    /// Workspace entries first, then the shipped ones.
    public let senders: [KnownSender]
    /// Keyed by substrings, so that a name's parents are looked up without copies.
    private let sendersByDomain: [Substring: Int]
    private let sendersBySelector: [String: Int]

    /// The first sender to claim a domain or selector keeps it.
    /// The file a workspace may hold to add senders or replace shipped ones.
    public static let workspaceFileName = "known-senders.json"

    public init(senders: [KnownSender]) {
        self.senders = senders
        var byDomain: [Substring: Int] = [:]
        var bySelector: [String: Int] = [:]
        for (index, sender) in senders.enumerated() {
            for domain in sender.domains.map(DomainName.normalized) where byDomain[Substring(domain)] == nil {
                byDomain[Substring(domain)] = index
            }
            for selector in sender.dkimSelectors.map(DomainName.normalized) where bySelector[selector] == nil {
                bySelector[selector] = index
            }
        }
        sendersByDomain = byDomain
        sendersBySelector = bySelector
    }

    /// The shipped mapping, extended by a workspace's `known-senders.json` when given (its
    /// entries replace shipped ones of the same name, compared without case).
    public static func load(extending workspaceFile: URL?) throws -> SenderCatalog {
        let shipped = try shipped()
        guard let workspaceFile else { return shipped }
        return shipped.extended(by: try SenderCatalog(contentsOf: workspaceFile))
    }

    /// The mapping in the ReportModel resource bundle.
    public static func shipped() throws -> SenderCatalog {
        try SenderCatalog(contentsOf: try shippedFile())
    }

    /// Where the shipped mapping is.
    public static func shippedFile() throws -> URL {
        #if os(Linux)
        // SwiftPM's generated `Bundle.module` traps when the resource folder is neither beside the
        // executable nor in the build folder: an installed binary without it gets an error instead.
        let installed = Bundle.main.bundleURL.appendingPathComponent(resourceBundleName, isDirectory: true)
        guard FileManager.default.fileExists(atPath: installed.path) else {
            throw SenderCatalogError(
                file: fileName,
                message: "the resource folder \(installed.path) is missing; install it beside the binary")
        }
        #endif
        guard let url = Bundle.module.url(forResource: "known-senders", withExtension: "json") else {
            throw SenderCatalogError(
                file: fileName, message: "the mapping file is missing from the ReportModel resources")
        }
        return url
    }

    public init(contentsOf url: URL) throws {
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw SenderCatalogError(file: url.path, message: "cannot be read (\(error.localizedDescription))")
        }
        try self.init(json: data, file: url.path)
    }

    /// Parses the mapping file format; `file` names the source in errors.
    public init(json: Data, file: String) throws {
        self.init(senders: try SenderCatalogFile(file: file).senders(from: json))
    }

    /// This catalog with `overrides` put first: an override replaces the entry of the same
    /// name, and wins any domain or selector both claim.
    public func extended(by overrides: SenderCatalog) -> SenderCatalog {
        let replaced = Set(overrides.senders.map { $0.name.lowercased() })
        return SenderCatalog(senders: overrides.senders + senders.filter { !replaced.contains($0.name.lowercased()) })
    }

    /// The sender whose domain is `domain` or one of its parents, the most specific first.
    public func sender(forDomain domain: String) -> KnownSender? {
        index(forDomain: domain).map { senders[$0] }
    }

    public func sender(forSelector selector: String) -> KnownSender? {
        index(forSelector: selector).map { senders[$0] }
    }

    /// The index in `senders` of `sender(forDomain:)`: the classifier numbers senders by it.
    func index(forDomain domain: String) -> Int? {
        // The parents of `DomainName.selfAndParents`, without a list made of them. In an ASCII
        // name each `.` byte is a `.` character.
        var rest = Substring(DomainName.normalized(domain))
        let isASCII = rest.utf8.allSatisfy { $0 < 0x80 }
        while !rest.isEmpty {
            if let index = sendersByDomain[rest] { return index }
            if isASCII {
                guard let dot = rest.utf8.firstIndex(of: UInt8(ascii: ".")) else { break }
                rest = rest[rest.utf8.index(after: dot)...]
            } else {
                guard let dot = rest.firstIndex(of: ".") else { break }
                rest = rest[rest.index(after: dot)...]
            }
        }
        return nil
    }

    /// The index in `senders` of `sender(forSelector:)`.
    func index(forSelector selector: String) -> Int? {
        sendersBySelector[DomainName.normalized(selector)]
    }
}

/// Reads and checks one mapping file: no unknown keys, known categories, host names that are
/// not public suffixes, no name, domain or selector listed twice.
private struct SenderCatalogFile {
    let file: String

    private static let topKeys: Set<String> = ["schema_version", "senders"]
    private static let senderKeys: Set<String> = ["name", "category", "domains", "dkim_selectors"]

    func senders(from data: Data) throws -> [KnownSender] {
        let root: Any
        do {
            root = try JSONSerialization.jsonObject(with: data)
        } catch {
            throw failure(nil, "is not valid JSON (\(error.localizedDescription))")
        }
        guard let object = root as? [String: Any] else { throw failure(nil, "must hold a JSON object") }
        try checkKeys(object, allowed: Self.topKeys, at: nil)
        guard let version = object["schema_version"] as? Int else {
            throw failure("schema_version", "must be the number \(SenderCatalog.schemaVersion)")
        }
        guard version == SenderCatalog.schemaVersion else {
            throw failure(
                "schema_version",
                "\(version) is not supported; this sitegen reads version \(SenderCatalog.schemaVersion)")
        }
        guard let entries = object["senders"] as? [Any] else { throw failure("senders", "must be a list") }

        var senders: [KnownSender] = []
        var names: [String: String] = [:]
        var domains: [String: String] = [:]
        var selectors: [String: String] = [:]
        for (index, entry) in entries.enumerated() {
            let path = "senders[\(index)]"
            let sender = try self.sender(entry, at: path)
            if let other = names.updateValue(path, forKey: sender.name.lowercased()) {
                throw failure("\(path).name", "\"\(sender.name)\" is already the name of \(other)")
            }
            for (position, domain) in sender.domains.enumerated() {
                if let other = domains.updateValue(path, forKey: domain), other != path {
                    throw failure("\(path).domains[\(position)]", "\(domain) is already listed by \(other)")
                }
            }
            for (position, selector) in sender.dkimSelectors.enumerated() {
                if let other = selectors.updateValue(path, forKey: selector), other != path {
                    throw failure("\(path).dkim_selectors[\(position)]", "\(selector) is already listed by \(other)")
                }
            }
            senders.append(sender)
        }
        return senders
    }

    private func sender(_ value: Any, at path: String) throws -> KnownSender {
        guard let object = value as? [String: Any] else { throw failure(path, "must be an object") }
        try checkKeys(object, allowed: Self.senderKeys, at: path)
        guard let rawName = object["name"] as? String, !rawName.trimmingXMLWhitespace().isEmpty else {
            throw failure("\(path).name", "must be a non-empty string")
        }
        guard let rawCategory = object["category"] as? String else {
            throw failure("\(path).category", "must be a string")
        }
        guard let category = SenderCategory(rawValue: rawCategory) else {
            let known = SenderCategory.allCases.map(\.rawValue).joined(separator: ", ")
            throw failure("\(path).category", "\"\(rawCategory)\" is not one of \(known)")
        }
        let domains = try strings(object["domains"], at: "\(path).domains", required: true).enumerated().map {
            try domain($1, at: "\(path).domains[\($0)]")
        }
        let selectors = try strings(object["dkim_selectors"], at: "\(path).dkim_selectors", required: false)
            .enumerated().map { try selector($1, at: "\(path).dkim_selectors[\($0)]") }
        return KnownSender(
            name: rawName.trimmingXMLWhitespace(), category: category, domains: domains, dkimSelectors: selectors)
    }

    private func strings(_ value: Any?, at path: String, required: Bool) throws -> [String] {
        guard let value else {
            if required { throw failure(path, "is required") }
            return []
        }
        guard let list = value as? [Any], let strings = list as? [String] else {
            throw failure(path, "must be a list of strings")
        }
        if required && strings.isEmpty { throw failure(path, "must list at least one entry") }
        return strings
    }

    private func domain(_ raw: String, at path: String) throws -> String {
        let domain = DomainName.normalized(raw)
        guard DomainName.isValidHostName(domain) else {
            throw failure(path, "\"\(raw)\" is not a host name (international names in their xn-- form)")
        }
        guard !PublicSuffixList.system.isPublicSuffix(domain) else {
            throw failure(path, "\(domain) is a public suffix; it would match every domain below it")
        }
        return domain
    }

    private func selector(_ raw: String, at path: String) throws -> String {
        let selector = DomainName.normalized(raw)
        let allowed = selector.utf8.allSatisfy { byte in
            (byte >= 0x61 && byte <= 0x7A) || (byte >= 0x30 && byte <= 0x39) || byte == 0x2D || byte == 0x2E
                || byte == 0x5F
        }
        guard !selector.isEmpty, allowed else { throw failure(path, "\"\(raw)\" is not a DKIM selector") }
        return selector
    }

    private func checkKeys(_ object: [String: Any], allowed: Set<String>, at path: String?) throws {
        if let unknown = object.keys.sorted().first(where: { !allowed.contains($0) }) {
            let location = path.map { "\($0).\(unknown)" } ?? unknown
            throw failure(location, "unknown key; expected one of \(allowed.sorted().joined(separator: ", "))")
        }
    }

    private func failure(_ location: String?, _ message: String) -> SenderCatalogError {
        SenderCatalogError(file: file, location: location, message: message)
    }
}
