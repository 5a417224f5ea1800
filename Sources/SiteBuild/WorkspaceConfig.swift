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
    /// The basic-auth users of protected client folders, relative to the workspace.
    public var basicAuthFile: String

    public static let defaultClientFolderKey = "secrets/client-folder.key"
    public static let defaultBasicAuthFile = "secrets/basic-auth.yml"

    public init(
        resellers: [ResellerConfig], clientFolderKey: String = WorkspaceConfig.defaultClientFolderKey,
        basicAuthFile: String = WorkspaceConfig.defaultBasicAuthFile
    ) {
        self.resellers = resellers
        self.clientFolderKey = clientFolderKey
        self.basicAuthFile = basicAuthFile
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
    /// Where `sitegen publish` sends the reseller root; nil: not published by sitegen.
    public var publish: PublishTarget? = nil
    /// Web-server configuration files written into the reseller root by `build`.
    public var hostConfig: [HostConfigKind] = []
    /// Client folders named in the basic-auth secrets file get a password (nginx and Apache).
    public var basicAuth = false
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
        let top = try reader.mapping(root, path: "", keys: ["resellers", "defaults", "client_folder_key", "basic_auth_file"])
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
                node, path: path,
                keys: ["id", "name", "theme", "base_url", "locale", "private_client_folders", "clients", "publish", "host_config", "basic_auth"])
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
            var reseller = ResellerConfig(
                id: id,
                name: try reader.optionalString(values["name"], path: path + ".name") ?? id,
                theme: try reader.optionalString(values["theme"], path: path + ".theme") ?? defaultTheme,
                baseURL: baseURL,
                locale: locale,
                privateClientFolders: try reader.optionalBool(values["private_client_folders"], path: path + ".private_client_folders") ?? false,
                clients: clients)
            try readPublishing(values, into: &reseller, path: path, reader: reader)
            resellers.append(reseller)
        }
        return WorkspaceConfig(
            resellers: resellers,
            clientFolderKey: try reader.optionalString(top["client_folder_key"], path: "client_folder_key") ?? WorkspaceConfig.defaultClientFolderKey,
            basicAuthFile: try reader.optionalString(top["basic_auth_file"], path: "basic_auth_file") ?? WorkspaceConfig.defaultBasicAuthFile)
    }

    // MARK: publishing: `publish`, `host_config`, `basic_auth`

    private func readPublishing(
        _ values: [String: YAMLValue], into reseller: inout ResellerConfig, path: String, reader: Reader
    ) throws(YAMLReadError) {
        if let node = values["publish"] {
            reseller.publish = try publishTarget(node, path: path + ".publish", reader: reader)
        }
        if let node = values["host_config"] {
            for (index, item) in try reader.list(node, path: path + ".host_config").enumerated() {
                let itemPath = "\(path).host_config[\(index)]"
                let name = try reader.string(item, path: itemPath)
                guard let kind = HostConfigKind(rawValue: name) else {
                    throw YAMLReadError(file: reader.file, line: item.line, key: itemPath,
                                        reason: "unknown host \"\(name)\" (known: \(HostConfigKind.allCases.map(\.rawValue).joined(separator: ", ")))")
                }
                guard !reseller.hostConfig.contains(kind) else {
                    throw YAMLReadError(file: reader.file, line: item.line, key: itemPath, reason: "\(name) is listed twice")
                }
                reseller.hostConfig.append(kind)
            }
        }
        if let node = values["basic_auth"], try reader.optionalBool(node, path: path + ".basic_auth") == true {
            guard reseller.hostConfig.contains(.nginx) || reseller.hostConfig.contains(.apache) else {
                throw YAMLReadError(file: reader.file, line: node.line, key: path + ".basic_auth",
                                    reason: "basic auth is written for nginx and Apache: add nginx or apache to host_config")
            }
            if reseller.hostConfig.contains(.apache), ApacheHostConfig.serverFolder(for: reseller.publish) == nil {
                throw YAMLReadError(file: reader.file, line: node.line, key: path + ".basic_auth",
                                    reason: "Apache needs the absolute path of the client folders on the server: publish to a dir target, or to an rsync target with an absolute path")
            }
            reseller.basicAuth = true
        }
    }

    private func publishTarget(_ node: YAMLValue, path: String, reader: Reader) throws(YAMLReadError) -> PublishTarget {
        let keysByTarget: [String: Set<String>] = [
            "dir": ["target", "path"],
            "rsync": ["target", "host", "path", "user", "port", "identity_file", "known_hosts"],
            "archive": ["target", "path"],
        ]
        let all = try reader.mapping(node, path: path, keys: keysByTarget.values.reduce(into: Set()) { $0.formUnion($1) })
        guard let targetNode = all["target"] else {
            throw YAMLReadError(file: reader.file, line: node.line, key: path + ".target", reason: "required key is missing (dir, rsync or archive)")
        }
        let target = try reader.string(targetNode, path: path + ".target")
        guard let keys = keysByTarget[target] else {
            throw YAMLReadError(file: reader.file, line: targetNode.line, key: path + ".target",
                                reason: "unknown target \"\(target)\" (known: archive, dir, rsync)")
        }
        let values = try reader.mapping(node, path: path, keys: keys)

        func required(_ key: String, _ rule: (String) -> String?) throws(YAMLReadError) -> String {
            guard let valueNode = values[key] else {
                throw YAMLReadError(file: reader.file, line: node.line, key: "\(path).\(key)", reason: "required key is missing for target \(target)")
            }
            return try checked(valueNode, key, rule)
        }
        func optional(_ key: String, _ rule: (String) -> String?) throws(YAMLReadError) -> String? {
            guard let valueNode = values[key] else { return nil }
            return try checked(valueNode, key, rule)
        }
        func checked(_ valueNode: YAMLValue, _ key: String, _ rule: (String) -> String?) throws(YAMLReadError) -> String {
            let value = try reader.string(valueNode, path: "\(path).\(key)")
            if let problem = rule(value) {
                throw YAMLReadError(file: reader.file, line: valueNode.line, key: "\(path).\(key)", reason: problem)
            }
            return value
        }

        switch target {
        case "dir":
            return .directory(path: try required("path", PublishValueRules.localPath))
        case "archive":
            let archivePath = try required("path", PublishValueRules.localPath)
            guard let format = ArchiveFormat.from(path: archivePath) else {
                throw YAMLReadError(file: reader.file, line: values["path"]?.line, key: path + ".path",
                                    reason: "\"\(archivePath)\" must end in .tar.gz, .tgz or .zip (the archive format)")
            }
            return .archive(path: archivePath, format: format)
        default:
            var port: Int?
            if let portNode = values["port"] {
                let text = try reader.string(portNode, path: path + ".port")
                guard let number = Int(text), (1...65_535).contains(number) else {
                    throw YAMLReadError(file: reader.file, line: portNode.line, key: path + ".port", reason: "\"\(text)\" is not a port number (1 to 65535)")
                }
                port = number
            }
            return .rsync(RsyncDestination(
                host: try required("host", PublishValueRules.host),
                path: try required("path", PublishValueRules.remotePath),
                user: try optional("user", PublishValueRules.user),
                port: port,
                identityFile: try optional("identity_file", PublishValueRules.sshFile),
                knownHosts: try optional("known_hosts", PublishValueRules.sshFile)))
        }
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
