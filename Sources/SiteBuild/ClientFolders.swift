import ContentDigest
import Foundation

/// The folder name of each client inside its reseller's root: the client id, or for resellers
/// with `private_client_folders` the id and a stable suffix derived from the workspace's secret,
/// so a client's link cannot be guessed from its name.
struct ClientFolders {
    private var names: [ClientKey: String] = [:]

    init(config: WorkspaceConfig, workspace: URL) throws(BuildSetupError) {
        let needsKey = config.resellers.contains { $0.privateClientFolders }
        var key = Data()
        if needsKey {
            let url = workspace.appendingPathComponent(config.clientFolderKey)
            guard let data = try? Data(contentsOf: url), data.count >= 16 else {
                throw BuildSetupError(failures: [BuildFailure(
                    step: .config, subject: url.path,
                    reason: "private_client_folders needs a secret of at least 16 bytes here; create one with: mkdir -p \(url.deletingLastPathComponent().path) && head -c 32 /dev/urandom > \(url.path)")])
            }
            key = data
        }
        for reseller in config.resellers {
            for client in reseller.clients {
                let clientKey = ClientKey(reseller: reseller.id, client: client.id)
                names[clientKey] = reseller.privateClientFolders ? Self.privateName(clientKey, key: key) : client.id
            }
        }
    }

    func folder(_ key: ClientKey) -> String {
        names[key] ?? key.client
    }

    private static func privateName(_ client: ClientKey, key: Data) -> String {
        let code = HMACSHA256.authenticationCode(for: Data("sitegen client folder \(client.reseller)/\(client.client)".utf8), key: key)
        return client.client + "-" + code.prefix(10).map { String(format: "%02x", $0) }.joined()
    }
}

/// The MSP's list of client links, written outside every reseller root (`_portfolio/`) when
/// folder names are private: it is how the MSP learns each client's link.
enum ClientLinks {
    static func csv(config: WorkspaceConfig, folders: ClientFolders) -> Data {
        var lines = ["reseller,client,folder,url"]
        for reseller in config.resellers {
            for client in reseller.clients {
                let folder = folders.folder(ClientKey(reseller: reseller.id, client: client.id))
                let url = reseller.baseURL.map { $0 + folder + "/" } ?? ""
                lines.append([reseller.id, client.id, folder, url].map(RecordsCSV.field).joined(separator: ","))
            }
        }
        return Data((lines.joined(separator: "\r\n") + "\r\n").utf8)
    }
}
