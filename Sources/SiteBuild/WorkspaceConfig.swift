import Foundation
import ReportModel
import Templating

/// `sitegen.yml`: resellers, their clients and the clients' domains.
public struct WorkspaceConfig: Sendable, Hashable {
    public static let fileName = "sitegen.yml"
    public static let supportedLocales = ["en", "ja"]

    public var resellers: [ResellerConfig]
    /// The secret behind unguessable client folder names, relative to the workspace.
    public var clientFolderKey: String

    public static let defaultClientFolderKey = "secrets/client-folder.key"

    public init(resellers: [ResellerConfig], clientFolderKey: String = WorkspaceConfig.defaultClientFolderKey) {
        self.resellers = resellers
        self.clientFolderKey = clientFolderKey
    }

    /// Domain (normalised) → (reseller id, client id).
    public var domainOwners: [String: ClientKey] {
        var owners: [String: ClientKey] = [:]
        for reseller in resellers {
            for client in reseller.clients {
                for domain in client.domains { owners[domain] = ClientKey(reseller: reseller.id, client: client.id) }
            }
        }
        return owners
    }
}

public struct ClientKey: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var reseller: String
    public var client: String

    public init(reseller: String, client: String) {
        self.reseller = reseller
        self.client = client
    }

    public static func < (lhs: Self, rhs: Self) -> Bool { (lhs.reseller, lhs.client) < (rhs.reseller, rhs.client) }
    public var description: String { "\(reseller)/\(client)" }
}

public struct ResellerConfig: Sendable, Hashable {
    public var id: String
    public var name: String
    /// A built-in theme name or a folder relative to the workspace.
    public var theme: String
    public var baseURL: String?
    public var locale: String
    /// Client folders get a stable secret-derived suffix, for hosting without authentication.
    public var privateClientFolders: Bool
    public var clients: [ClientConfig]
}

public struct ClientConfig: Sendable, Hashable {
    public var id: String
    public var name: String
    /// Normalised, sorted as written.
    public var domains: [String]
    public var locale: String
}

/// Reads and checks `sitegen.yml`. Every error names the file, the line and the key.
public struct WorkspaceConfigReader: Sendable {
    public init() {}

    public func read(_ url: URL) throws(YAMLReadError) -> WorkspaceConfig {
        let file = url.path
        let text: String
        do {
            text = try String(contentsOf: url, encoding: .utf8)
        } catch {
            throw YAMLReadError(file: file, line: nil, reason: "cannot read the config (\(error.localizedDescription))")
        }
        return try parse(text, file: file)
    }

    public func parse(_ text: String, file: String) throws(YAMLReadError) -> WorkspaceConfig {
        let root = try YAMLValue.parse(text, file: file)
        let reader = Reader(file: file)
        let top = try reader.mapping(root, path: "", keys: ["resellers", "defaults", "client_folder_key"])
        var defaultTheme = "default"
        var defaultLocale = "en"
        if let defaults = top["defaults"] {
            let values = try reader.mapping(defaults, path: "defaults", keys: ["theme", "locale"])
            defaultTheme = try reader.optionalString(values["theme"], path: "defaults.theme") ?? defaultTheme
            defaultLocale = try reader.optionalLocale(values["locale"], path: "defaults.locale") ?? defaultLocale
        }
        guard let resellerList = top["resellers"] else {
            throw YAMLReadError(file: file, line: root.line, key: "resellers", reason: "required key is missing")
        }
        var resellers: [ResellerConfig] = []
        var domainPlaces: [String: String] = [:]
        for (index, node) in try reader.list(resellerList, path: "resellers").enumerated() {
            let path = "resellers[\(index)]"
            let values = try reader.mapping(
                node, path: path, keys: ["id", "name", "theme", "base_url", "locale", "private_client_folders", "clients"])
            let id = try reader.identifier(values["id"], path: path + ".id", parentLine: node.line)
            if resellers.contains(where: { $0.id == id }) {
                throw YAMLReadError(file: file, line: values["id"]?.line, key: path + ".id", reason: "reseller id \"\(id)\" is used twice")
            }
            let locale = try reader.optionalLocale(values["locale"], path: path + ".locale") ?? defaultLocale
            var clients: [ClientConfig] = []
            guard let clientList = values["clients"] else {
                throw YAMLReadError(file: file, line: node.line, key: path + ".clients", reason: "required key is missing")
            }
            for (clientIndex, clientNode) in try reader.list(clientList, path: path + ".clients").enumerated() {
                let clientPath = "\(path).clients[\(clientIndex)]"
                let clientValues = try reader.mapping(clientNode, path: clientPath, keys: ["id", "name", "domains", "locale"])
                let clientID = try reader.identifier(clientValues["id"], path: clientPath + ".id", parentLine: clientNode.line)
                if clients.contains(where: { $0.id == clientID }) {
                    throw YAMLReadError(file: file, line: clientValues["id"]?.line, key: clientPath + ".id",
                                        reason: "client id \"\(clientID)\" is used twice in reseller \(id)")
                }
                guard let domainList = clientValues["domains"] else {
                    throw YAMLReadError(file: file, line: clientNode.line, key: clientPath + ".domains", reason: "required key is missing")
                }
                var domains: [String] = []
                for (domainIndex, domainNode) in try reader.list(domainList, path: clientPath + ".domains").enumerated() {
                    let domainPath = "\(clientPath).domains[\(domainIndex)]"
                    let domain = DomainName.normalized(try reader.string(domainNode, path: domainPath))
                    guard DomainName.isValidHostName(domain) else {
                        throw YAMLReadError(file: file, line: domainNode.line, key: domainPath,
                                            reason: "\"\(domain)\" is not a domain name (use the xn-- form for international names)")
                    }
                    if let other = domainPlaces[domain] {
                        throw YAMLReadError(file: file, line: domainNode.line, key: domainPath,
                                            reason: "domain \(domain) is already listed at \(other); a domain belongs to one client")
                    }
                    domainPlaces[domain] = domainPath
                    domains.append(domain)
                }
                guard !domains.isEmpty else {
                    throw YAMLReadError(file: file, line: domainList.line, key: clientPath + ".domains", reason: "a client needs at least one domain")
                }
                clients.append(ClientConfig(
                    id: clientID,
                    name: try reader.optionalString(clientValues["name"], path: clientPath + ".name") ?? clientID,
                    domains: domains,
                    locale: try reader.optionalLocale(clientValues["locale"], path: clientPath + ".locale") ?? locale))
            }
            var baseURL: String?
            if let node = values["base_url"] {
                let url = try reader.string(node, path: path + ".base_url")
                guard let parsed = URL(string: url), ["http", "https"].contains(parsed.scheme ?? ""), parsed.host != nil else {
                    throw YAMLReadError(file: file, line: node.line, key: path + ".base_url",
                                        reason: "\"\(url)\" is not an http or https URL")
                }
                baseURL = url.hasSuffix("/") ? url : url + "/"
            }
            resellers.append(ResellerConfig(
                id: id,
                name: try reader.optionalString(values["name"], path: path + ".name") ?? id,
                theme: try reader.optionalString(values["theme"], path: path + ".theme") ?? defaultTheme,
                baseURL: baseURL,
                locale: locale,
                privateClientFolders: try reader.optionalBool(values["private_client_folders"], path: path + ".private_client_folders") ?? false,
                clients: clients))
        }
        return WorkspaceConfig(
            resellers: resellers,
            clientFolderKey: try reader.optionalString(top["client_folder_key"], path: "client_folder_key") ?? WorkspaceConfig.defaultClientFolderKey)
    }

    private struct Reader {
        let file: String

        func mapping(_ node: YAMLValue, path: String, keys: Set<String>) throws(YAMLReadError) -> [String: YAMLValue] {
            guard let entries = node.entries else {
                throw YAMLReadError(file: file, line: node.line, key: path.isEmpty ? nil : path,
                                    reason: "expected a mapping of keys, found \(node.kindName)")
            }
            var result: [String: YAMLValue] = [:]
            for entry in entries {
                let keyPath = path.isEmpty ? entry.key : "\(path).\(entry.key)"
                guard keys.contains(entry.key) else {
                    throw YAMLReadError(file: file, line: entry.keyLine, key: keyPath,
                                        reason: "unknown key (known here: \(keys.sorted().joined(separator: ", ")))")
                }
                result[entry.key] = entry.value
            }
            return result
        }

        func optionalString(_ node: YAMLValue?, path: String) throws(YAMLReadError) -> String? {
            guard let node else { return nil }
            return try string(node, path: path)
        }

        func optionalBool(_ node: YAMLValue?, path: String) throws(YAMLReadError) -> Bool? {
            guard let node else { return nil }
            switch try string(node, path: path) {
            case "true", "yes", "on": return true
            case "false", "no", "off": return false
            case let other: throw YAMLReadError(file: file, line: node.line, key: path, reason: "\"\(other)\" is not true or false")
            }
        }

        func optionalLocale(_ node: YAMLValue?, path: String) throws(YAMLReadError) -> String? {
            guard let node else { return nil }
            return try locale(node, path: path)
        }

        func list(_ node: YAMLValue, path: String) throws(YAMLReadError) -> [YAMLValue] {
            guard let items = node.items else {
                throw YAMLReadError(file: file, line: node.line, key: path, reason: "expected a list, found \(node.kindName)")
            }
            return items
        }

        func string(_ node: YAMLValue, path: String) throws(YAMLReadError) -> String {
            guard let value = node.string, !value.isEmpty else {
                throw YAMLReadError(file: file, line: node.line, key: path, reason: "expected a non-empty value, found \(node.kindName)")
            }
            return value
        }

        /// IDs become folder names, so only lowercase letters, digits and inner hyphens.
        func identifier(_ node: YAMLValue?, path: String, parentLine: Int) throws(YAMLReadError) -> String {
            guard let node else { throw YAMLReadError(file: file, line: parentLine, key: path, reason: "required key is missing") }
            let value = try string(node, path: path)
            let valid = value.count <= 63 && !value.hasPrefix("-") && !value.hasSuffix("-") && !value.hasPrefix("_")
                && value.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "-" }
            guard valid else {
                throw YAMLReadError(file: file, line: node.line, key: path,
                                    reason: "\"\(value)\" is not a valid id: use lowercase letters, digits and inner hyphens, at most 63")
            }
            return value
        }

        func locale(_ node: YAMLValue, path: String) throws(YAMLReadError) -> String {
            let value = try string(node, path: path)
            guard WorkspaceConfig.supportedLocales.contains(value) else {
                throw YAMLReadError(file: file, line: node.line, key: path,
                                    reason: "unsupported locale \"\(value)\" (supported: \(WorkspaceConfig.supportedLocales.joined(separator: ", ")))")
            }
            return value
        }
    }
}
