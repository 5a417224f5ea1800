import Foundation

/// A PostgreSQL archive, written `postgres://user[:password]@host[:port]/database[?options]`.
///
/// Parsed here, without any database code, so that every build of sitegen recognises the form
/// (and can say when it was built without PostgreSQL). Options: `sslmode=disable|prefer|require`
/// (default `prefer`, as libpq) and `origin=NAME` (see `origin`). The password may come from the
/// `PGPASSWORD` environment variable instead of the URL, so that it stays out of shell history;
/// `PGUSER` and `PGDATABASE` fill in a missing user or database the same way.
public struct PostgresAddress: Sendable, Hashable, CustomStringConvertible {
    public enum TLSMode: String, Sendable, Hashable, CaseIterable {
        case disable, prefer, require
    }

    public var host: String
    public var port: Int
    public var user: String
    public var password: String?
    public var database: String
    public var tls: TLSMode
    /// Names the reports folder this worker ingests. Input file paths are relative to a reports
    /// folder, so the archive remembers them per origin: two workers whose folders hold different
    /// files under the same relative path never mistake one for the other. `nil`: the worker
    /// derives one from its host name and the folder's absolute path.
    public var origin: String?

    public static let schemes: Set<String> = ["postgres", "postgresql"]

    /// Whether the argument is meant as a PostgreSQL URL rather than a file path.
    public static func isPostgresURL(_ text: String) -> Bool {
        guard let colon = text.firstIndex(of: ":") else { return false }
        return schemes.contains(text[..<colon].lowercased()) && text[colon...].hasPrefix("://")
    }

    public init(url text: String, environment: [String: String] = ProcessInfo.processInfo.environment) throws(PostgresAddressError) {
        guard Self.isPostgresURL(text), let components = URLComponents(string: text) else {
            throw PostgresAddressError(reason: "not a URL of the form postgres://user:password@host:port/database")
        }
        host = components.host.flatMap { $0.isEmpty ? nil : $0 } ?? "localhost"
        port = components.port ?? 5432
        guard (1...65_535).contains(port) else { throw PostgresAddressError(reason: "port \(port) is out of range") }
        guard let user = (components.user.flatMap { $0.isEmpty ? nil : $0 }) ?? environment["PGUSER"], !user.isEmpty else {
            throw PostgresAddressError(reason: "no user name: write postgres://USER@host/database or set PGUSER")
        }
        self.user = user
        password = components.password ?? environment["PGPASSWORD"]
        let path = components.path.hasPrefix("/") ? String(components.path.dropFirst()) : components.path
        guard !path.contains("/") else { throw PostgresAddressError(reason: "the database name \"\(path)\" contains '/'") }
        database = path.isEmpty ? (environment["PGDATABASE"] ?? user) : path
        tls = .prefer
        origin = nil
        for item in components.queryItems ?? [] {
            switch item.name {
            case "sslmode":
                guard let value = item.value, let mode = TLSMode(rawValue: value) else {
                    let modes = TLSMode.allCases.map(\.rawValue).joined(separator: ", ")
                    throw PostgresAddressError(reason: "sslmode must be one of \(modes), not \"\(item.value ?? "")\"")
                }
                tls = mode
            case "origin":
                guard let value = item.value, !value.isEmpty else { throw PostgresAddressError(reason: "origin= needs a name") }
                origin = value
            default:
                throw PostgresAddressError(reason: "unknown option \"\(item.name)\" (known: sslmode, origin)")
            }
        }
    }

    /// The URL without the password, for messages.
    public var description: String {
        var components = URLComponents()
        components.scheme = "postgres"
        components.user = user
        components.host = host
        components.port = port
        components.path = "/" + database
        var items: [URLQueryItem] = []
        if tls != .prefer { items.append(URLQueryItem(name: "sslmode", value: tls.rawValue)) }
        if let origin { items.append(URLQueryItem(name: "origin", value: origin)) }
        if !items.isEmpty { components.queryItems = items }
        return components.string ?? "postgres://\(user)@\(host):\(port)/\(database)"
    }
}

public struct PostgresAddressError: Error, CustomStringConvertible {
    public var reason: String
    public var description: String { reason }
}
