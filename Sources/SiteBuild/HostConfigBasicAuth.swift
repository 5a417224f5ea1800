import CSiteSystem
import ContentDigest
import Foundation
import Templating

/// One user of a password-protected client folder.
struct BasicAuthUser: Hashable {
    var name: String
    var password: String
}

/// The basic-auth secrets file (`secrets/basic-auth.yml`, never copied into the output):
///
///     acme-it:                 # reseller id
///       contoso:               # client id
///         - user: contoso
///           password: "correct horse battery staple"
///
/// A client may also give one `{user, password}` mapping instead of a list.
struct BasicAuthSecrets {
    /// Protected clients → their users, in file order.
    private(set) var users: [ClientKey: [BasicAuthUser]] = [:]

    init(config: WorkspaceConfig, workspace: URL) throws(BuildSetupError) {
        let protected = config.resellers.filter(\.basicAuth)
        guard !protected.isEmpty else { return }
        let url = PublishPaths.resolve(config.basicAuthFile, in: workspace)
        guard let text = try? String(contentsOf: url, encoding: .utf8) else {
            throw Self.failure(url.path, "basic_auth is true for reseller \(protected.map(\.id).joined(separator: ", ")) but this file cannot be read; it lists reseller id → client id → user and password (see README, Publishing)")
        }
        do {
            try read(text, file: url.path, config: config)
        } catch {
            throw Self.failure(error.file, (error.line.map { "line \($0): " } ?? "") + (error.key.map { "\($0): " } ?? "") + error.reason)
        }
        for reseller in protected where !users.keys.contains(where: { $0.reseller == reseller.id }) {
            throw Self.failure(url.path, "basic_auth is true for reseller \(reseller.id) but the file names none of its clients")
        }
    }

    private mutating func read(_ text: String, file: String, config: WorkspaceConfig) throws(YAMLReadError) {
        let root = try YAMLValue.parse(text, file: file)
        guard let resellerEntries = root.entries else {
            throw YAMLReadError(file: file, line: root.line, reason: "expected a mapping of reseller ids")
        }
        for resellerEntry in resellerEntries {
            guard let reseller = config.resellers.first(where: { $0.id == resellerEntry.key }) else {
                throw YAMLReadError(file: file, line: resellerEntry.keyLine, key: resellerEntry.key, reason: "no reseller has this id in sitegen.yml")
            }
            guard reseller.basicAuth else {
                throw YAMLReadError(file: file, line: resellerEntry.keyLine, key: resellerEntry.key,
                                    reason: "reseller \(reseller.id) does not set basic_auth: true in sitegen.yml, so these passwords would not be used")
            }
            guard let clientEntries = resellerEntry.value.entries else {
                throw YAMLReadError(file: file, line: resellerEntry.value.line, key: resellerEntry.key, reason: "expected a mapping of client ids")
            }
            for clientEntry in clientEntries {
                let path = "\(resellerEntry.key).\(clientEntry.key)"
                guard reseller.clients.contains(where: { $0.id == clientEntry.key }) else {
                    throw YAMLReadError(file: file, line: clientEntry.keyLine, key: path, reason: "reseller \(reseller.id) has no client with this id")
                }
                let nodes = clientEntry.value.items ?? [clientEntry.value]
                var clientUsers: [BasicAuthUser] = []
                for (index, node) in nodes.enumerated() {
                    let user = try Self.user(node, path: clientEntry.value.items == nil ? path : "\(path)[\(index)]", file: file)
                    guard !clientUsers.contains(where: { $0.name == user.name }) else {
                        throw YAMLReadError(file: file, line: node.line, key: path, reason: "user \(user.name) is listed twice")
                    }
                    clientUsers.append(user)
                }
                guard !clientUsers.isEmpty else {
                    throw YAMLReadError(file: file, line: clientEntry.value.line, key: path, reason: "a protected client needs at least one user")
                }
                users[ClientKey(reseller: reseller.id, client: clientEntry.key)] = clientUsers
            }
        }
    }

    private static func user(_ node: YAMLValue, path: String, file: String) throws(YAMLReadError) -> BasicAuthUser {
        guard let entries = node.entries else {
            throw YAMLReadError(file: file, line: node.line, key: path, reason: "expected a mapping with user and password, found \(node.kindName)")
        }
        for entry in entries where !["user", "password"].contains(entry.key) {
            throw YAMLReadError(file: file, line: entry.keyLine, key: "\(path).\(entry.key)", reason: "unknown key (known here: password, user)")
        }
        guard let name = node["user"]?.string, !name.isEmpty else {
            throw YAMLReadError(file: file, line: node.line, key: path + ".user", reason: "required key is missing or empty")
        }
        guard name.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value != 0x7F && $0 != ":" }) else {
            throw YAMLReadError(file: file, line: node.line, key: path + ".user", reason: "a user name may not hold ':', spaces or control characters")
        }
        guard let password = node["password"]?.string, !password.isEmpty else {
            throw YAMLReadError(file: file, line: node.line, key: path + ".password", reason: "required key is missing or empty")
        }
        guard password.utf8.count <= 72, !password.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) else {
            throw YAMLReadError(file: file, line: node.line, key: path + ".password",
                                reason: "bcrypt uses at most 72 bytes and no control characters; choose a shorter password")
        }
        return BasicAuthUser(name: name, password: password)
    }

    private static func failure(_ subject: String, _ reason: String) -> BuildSetupError {
        BuildSetupError(failures: [BuildFailure(step: .config, subject: subject, reason: reason)])
    }
}

/// `.htpasswd` files with bcrypt hashes (`$2y$`, cost 10), which nginx (through the system's
/// crypt) and Apache both read.
enum HTPasswdFile {
    static let cost = 10

    static func data(for users: [BasicAuthUser], client: ClientKey) throws(BuildSetupError) -> Data {
        var text = ""
        for user in users {
            text += "\(user.name):\(try hash(user, client: client))\n"
        }
        return Data(text.utf8)
    }

    /// The salt comes from the reseller, client and user (never from the password, which would
    /// let a guess be checked without bcrypt's work), so the same secrets give the same file
    /// and a build stays byte-identical.
    static func hash(_ user: BasicAuthUser, client: ClientKey) throws(BuildSetupError) -> String {
        let identity = Data("\(client.reseller)\u{0}\(client.client)\u{0}\(user.name)".utf8)
        let salt = HMACSHA256.authenticationCode(for: identity, key: Data("sitegen .htpasswd salt".utf8)).prefix(16)
        let setting = "$2y$\(cost)$" + BcryptBase64.encode(Array(salt))
        var output = [CChar](repeating: 0, count: 128)
        let status = output.withUnsafeMutableBufferPointer { buffer in
            sitegen_crypt(user.password, setting, buffer.baseAddress, buffer.count)
        }
        guard status == 0 else {
            throw BuildSetupError(failures: [BuildFailure(
                step: .config, subject: "\(client)", reason: "cannot compute a bcrypt hash for user \(user.name): this system's crypt(3) lacks bcrypt (libxcrypt on Linux has it)")])
        }
        return String(decoding: output.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

/// bcrypt's own base64: alphabet `./A-Za-z0-9`, no padding.
enum BcryptBase64 {
    private static let alphabet = Array("./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")

    static func encode(_ bytes: [UInt8]) -> String {
        var output = ""
        var index = 0
        while index < bytes.count {
            let first = bytes[index]
            output.append(alphabet[Int(first >> 2)])
            var carry = (first & 0x03) << 4
            index += 1
            guard index < bytes.count else { output.append(alphabet[Int(carry)]); break }
            let second = bytes[index]
            output.append(alphabet[Int(carry | second >> 4)])
            carry = (second & 0x0F) << 2
            index += 1
            guard index < bytes.count else { output.append(alphabet[Int(carry)]); break }
            let third = bytes[index]
            output.append(alphabet[Int(carry | third >> 6)])
            output.append(alphabet[Int(third & 0x3F)])
            index += 1
        }
        return output
    }
}
