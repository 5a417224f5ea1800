import Foundation

/// Where `sitegen publish` sends one reseller's root: the `publish:` mapping in `sitegen.yml`.
public enum PublishTarget: Sendable, Hashable {
    /// A local folder, e.g. a web server's document root, replaced in one swap.
    case directory(path: String)
    case rsync(RsyncDestination)
    /// A reproducible archive of the reseller root, for hosts with an upload form.
    case archive(path: String, format: ArchiveFormat)

    public var kindName: String {
        switch self {
        case .directory: "dir"
        case .rsync: "rsync"
        case .archive: "archive"
        }
    }
}

/// An rsync-over-SSH destination. Every value is checked when the config is read so none can
/// be taken for an option by rsync or ssh.
public struct RsyncDestination: Sendable, Hashable {
    public var host: String
    /// The folder on the host; relative paths are relative to the user's home folder.
    public var path: String
    public var user: String?
    public var port: Int?
    /// A private key file, relative to the workspace.
    public var identityFile: String?
    /// A known_hosts file, relative to the workspace: the host key must match it.
    public var knownHosts: String?

    public init(host: String, path: String, user: String? = nil, port: Int? = nil, identityFile: String? = nil, knownHosts: String? = nil) {
        self.host = host
        self.path = path
        self.user = user
        self.port = port
        self.identityFile = identityFile
        self.knownHosts = knownHosts
    }

    /// `user@host:path/` as rsync reads it (IPv6 addresses in brackets).
    public var remoteSpec: String {
        let hostPart = host.contains(":") ? "[\(host)]" : host
        let folder = path.hasSuffix("/") ? path : path + "/"
        return (user.map { $0 + "@" } ?? "") + hostPart + ":" + folder
    }
}

public enum ArchiveFormat: String, Sendable, Hashable {
    case tarGzip = "tar.gz"
    case zip

    /// The format an archive path names by its ending, if any.
    public static func from(path: String) -> ArchiveFormat? {
        let lowered = path.lowercased()
        if lowered.hasSuffix(".tar.gz") || lowered.hasSuffix(".tgz") { return .tarGzip }
        if lowered.hasSuffix(".zip") { return .zip }
        return nil
    }
}

/// Checks for the values of a `publish:` mapping; each returns why a value is refused, or nil.
enum PublishValueRules {
    static func leadingDash(_ value: String) -> String? {
        value.hasPrefix("-") ? "\"\(value)\" starts with '-', so rsync or ssh would read it as an option" : nil
    }

    static func controlCharacters(_ value: String) -> String? {
        value.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7F }
            ? "the value holds a control character (a line break or tab)" : nil
    }

    /// A host name, an IPv4 address or an IPv6 address (without brackets).
    static func host(_ value: String) -> String? {
        if let problem = leadingDash(value) { return problem }
        let isIPv6 = value.contains(":")
        let allowed = value.unicodeScalars.allSatisfy { scalar in
            if isIPv6 { return scalar.properties.isASCIIHexDigit || scalar == ":" || scalar == "." }
            return ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || ("0"..."9").contains(scalar)
                || scalar == "." || scalar == "-" || scalar == "_"
        }
        return allowed ? nil : "\"\(value)\" is not a host name or IP address"
    }

    static func user(_ value: String) -> String? {
        if let problem = leadingDash(value) { return problem }
        let allowed = value.unicodeScalars.allSatisfy {
            ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) || $0 == "." || $0 == "_" || $0 == "-"
        }
        return allowed ? nil : "\"\(value)\" is not a user name (letters, digits, '.', '_' and '-')"
    }

    static func remotePath(_ value: String) -> String? {
        leadingDash(value) ?? controlCharacters(value)
    }

    /// A local file named inside rsync's `-e` command, which rsync splits at spaces and quotes.
    static func sshFile(_ value: String) -> String? {
        if let problem = controlCharacters(value) { return problem }
        return value.contains("\"") || value.contains("'") ? "the path holds a quote, which rsync's -e option cannot pass on" : nil
    }

    static func localPath(_ value: String) -> String? {
        controlCharacters(value)
    }
}
