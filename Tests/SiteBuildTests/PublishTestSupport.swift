import Foundation
import SiteBuild
#if canImport(Glibc)
import Glibc
#endif

/// The programs the publish tests need, looked up once. A separate enum so suites can name
/// these in their own `.enabled(if:)` traits.
enum PublishTestTools {
    static func path(_ name: String) -> String? {
        let folders = (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map(String.init)
            + ["/usr/sbin", "/sbin", "/usr/bin", "/bin"]
        return folders.map { $0 + "/" + name }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    static var isRoot: Bool { getuid() == 0 }

    /// sshd must run as root to accept a login; rsync and the ssh tools must be installed.
    static var canRunSSHD: Bool {
        isRoot && FileManager.default.isExecutableFile(atPath: "/usr/sbin/sshd")
            && ["rsync", "ssh", "ssh-keygen"].allSatisfy { path($0) != nil }
    }

    static var hasNginx: Bool { path("nginx") != nil }

    /// The `sitegen` executable `swift test` built beside the test bundle.
    static var sitegenBinary: URL? {
        let candidates = [
            URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("sitegen"),
            URL(fileURLWithPath: #filePath).appendingPathComponent("../../../.build/debug/sitegen").standardizedFileURL,
        ]
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) }
    }
}

struct ToolFailure: Error, CustomStringConvertible {
    var description: String
}

/// Runs a program to its end (killed after `timeout` seconds) and returns its status and output.
@discardableResult
func runTool(_ executable: String, _ arguments: [String], timeout: TimeInterval = 30) throws -> (status: Int32, output: String) {
    let log = FileManager.default.temporaryDirectory.appendingPathComponent("sitegen-tool-\(UUID().uuidString).log")
    _ = FileManager.default.createFile(atPath: log.path, contents: nil)
    defer { try? FileManager.default.removeItem(at: log) }
    let handle = try FileHandle(forWritingTo: log)
    defer { try? handle.close() }
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    process.standardInput = FileHandle.nullDevice
    process.standardOutput = handle
    process.standardError = handle
    try process.run()
    let deadline = Date().addingTimeInterval(timeout)
    while process.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.01) }
    if process.isRunning {
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        throw ToolFailure(description: "\(executable) \(arguments.joined(separator: " ")) did not finish in \(timeout) s")
    }
    process.waitUntilExit()
    return (process.terminationStatus, (try? String(contentsOf: log, encoding: .utf8)) ?? "")
}

enum LoopbackPort {
    /// A port nobody listens on right now (the kernel's pick for 127.0.0.1:0).
    static func free() throws -> UInt16 {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw ToolFailure(description: "no socket") }
        defer { close(descriptor) }
        var address = loopback(port: 0)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0 else { throw ToolFailure(description: "cannot bind 127.0.0.1:0") }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
        }
        return UInt16(bigEndian: address.sin_port)
    }

    /// Waits until something accepts connections on 127.0.0.1:port.
    static func waitUntilOpen(_ port: UInt16, timeout: TimeInterval = 10) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if let descriptor = connect(port) {
                close(descriptor)
                return true
            }
            Thread.sleep(forTimeInterval: 0.05)
        }
        return false
    }

    static func connect(_ port: UInt16) -> Int32? {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { return nil }
        var address = loopback(port: port)
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else {
            close(descriptor)
            return nil
        }
        return descriptor
    }

    static func loopback(port: UInt16) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        return address
    }
}

/// A raw HTTP/1.1 exchange, so tests can send targets (`/../x`) that URL types would clean up.
struct RawHTTPReply {
    var status: Int
    /// Lowercased names.
    var headers: [String: String]
    var body: Data

    var text: String { String(decoding: body, as: UTF8.self) }
}

enum RawHTTP {
    static func get(port: UInt16, _ target: String, method: String = "GET", headers: [String: String] = [:]) throws -> RawHTTPReply {
        guard let descriptor = LoopbackPort.connect(port) else { throw ToolFailure(description: "cannot connect to 127.0.0.1:\(port)") }
        defer { close(descriptor) }
        var timeout = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var request = "\(method) \(target) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nConnection: close\r\n"
        for (name, value) in headers { request += "\(name): \(value)\r\n" }
        request += "\r\n"
        let bytes = Array(request.utf8)
        _ = bytes.withUnsafeBytes { send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        var response = Data()
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = buffer.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
            guard count > 0 else { break }
            response.append(contentsOf: buffer[0..<count])
        }
        guard let split = response.range(of: Data("\r\n\r\n".utf8)) else { throw ToolFailure(description: "no HTTP response head from port \(port)") }
        let head = String(decoding: response[..<split.lowerBound], as: UTF8.self).components(separatedBy: "\r\n")
        let statusParts = (head.first ?? "").split(separator: " ")
        guard statusParts.count >= 2, let status = Int(statusParts[1]) else { throw ToolFailure(description: "bad status line \(head.first ?? "")") }
        var fields: [String: String] = [:]
        for line in head.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            fields[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        return RawHTTPReply(status: status, headers: fields, body: Data(response[split.upperBound...]))
    }
}

/// A folder tree for publishing tests: relative path → text.
enum SiteTree {
    static func write(_ files: [String: String], to root: URL) throws {
        for (path, text) in files {
            let url = root.appendingPathComponent(path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(text.utf8).write(to: url)
        }
    }

    /// Every regular file below `root` (hidden ones too) → its text.
    static func read(_ root: URL, ignoring ignored: Set<String> = [".sitegen-published"]) -> [String: String] {
        var files: [String: String] = [:]
        let base = root.resolvingSymlinksInPath().standardizedFileURL.path
        guard let enumerator = FileManager.default.enumerator(atPath: base) else { return files }
        while let path = enumerator.nextObject() as? String {
            var isDirectory: ObjCBool = false
            let full = base + "/" + path
            guard FileManager.default.fileExists(atPath: full, isDirectory: &isDirectory), !isDirectory.boolValue, !ignored.contains(path) else { continue }
            files[path] = (try? String(contentsOf: URL(fileURLWithPath: full), encoding: .utf8)) ?? "<binary>"
        }
        return files
    }

    static func temporaryFolder(_ label: String) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("sitegen-\(label)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}

/// A child started with posix_spawn and reaped by the test itself. Foundation's Process treats
/// a child that closes its inherited descriptors (sshd does) as ended and waits for it on a
/// thread all Process objects share, which would stall every other child in the test run.
final class SpawnedProcess {
    let pid: pid_t
    private var status: Int32?

    init(_ executable: String, _ arguments: [String], log: URL? = nil) throws {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, log?.path ?? "/dev/null", O_WRONLY | O_CREAT | O_APPEND, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        let argv: [UnsafeMutablePointer<CChar>?] = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var child: pid_t = 0
        let result = posix_spawn(&child, executable, &actions, nil, argv, environ)
        guard result == 0 else { throw ToolFailure(description: "cannot start \(executable): \(String(cString: strerror(result)))") }
        pid = child
    }

    var isRunning: Bool {
        reap(blocking: false)
        return status == nil
    }

    /// Whether it ended by a signal (e.g. the SIGKILL the test sent).
    var endedBySignal: Bool {
        guard let status else { return false }
        return status & 0x7F != 0 && status & 0x7F != 0x7F
    }

    func reap(blocking: Bool) {
        guard status == nil else { return }
        var value: Int32 = 0
        if waitpid(pid, &value, blocking ? 0 : WNOHANG) == pid { status = value }
    }

    func kill() {
        guard isRunning else { return }
        Glibc.kill(pid, SIGKILL)
        reap(blocking: true)
    }
}
