import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

public struct PreviewError: Error, CustomStringConvertible {
    public var reason: String
    public var description: String { "[serve] \(reason)" }
}

/// A small HTTP/1.1 server on plain sockets for `sitegen serve`: GET and HEAD, one request per
/// connection (`Connection: close`), IPv4. Each connection is answered on its own thread, with
/// read and write timeouts so a silent client cannot hold one for long.
public final class PreviewServer: Sendable {
    public let host: String
    public let port: UInt16
    private let listener: Int32
    private let handler: @Sendable (PreviewRequest) -> PreviewResponse
    private let running = RunningFlag()

    static let maximumHeadBytes = 16 * 1024
    static let timeoutSeconds = 5

    /// Binds and listens; port 0 picks a free port (read it from `port`).
    public init(host: String, port: UInt16, handler: @escaping @Sendable (PreviewRequest) -> PreviewResponse) throws(PreviewError) {
        let address = host == "localhost" ? "127.0.0.1" : host
        var socketAddress = sockaddr_in()
        socketAddress.sin_family = sa_family_t(AF_INET)
        socketAddress.sin_port = port.bigEndian
        guard inet_pton(AF_INET, address, &socketAddress.sin_addr) == 1 else {
            throw PreviewError(reason: "\(host) is not an IPv4 address (use 127.0.0.1, or 0.0.0.0 for every interface)")
        }
        #if os(Linux)
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
        let descriptor = socket(AF_INET, SOCK_STREAM, 0)
        #endif
        guard descriptor >= 0 else { throw PreviewError(reason: "cannot open a socket (\(String(cString: strerror(errno))))") }
        var yes: Int32 = 1
        setsockopt(descriptor, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        let bound = withUnsafePointer(to: &socketAddress) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(descriptor, 64) == 0 else {
            let reason = String(cString: strerror(errno))
            close(descriptor)
            throw PreviewError(reason: "cannot listen on \(address):\(port) (\(reason))")
        }
        var actual = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &actual) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
        }
        self.host = address
        self.port = UInt16(bigEndian: actual.sin_port)
        self.listener = descriptor
        self.handler = handler
    }

    /// Accepts connections on a thread of its own until `stop()`.
    public func start() {
        guard running.start() else { return }
        let thread = Thread { [self] in acceptLoop() }
        thread.name = "sitegen preview"
        thread.start()
    }

    /// Stops accepting; the socket is closed within a fraction of a second.
    public func stop() {
        if running.stop() { close(listener) }
    }

    private func acceptLoop() {
        defer { close(listener) }
        while running.isRunning {
            var poller = pollfd(fd: listener, events: Int16(POLLIN), revents: 0)
            // Wakes up now and then to notice stop().
            guard poll(&poller, 1, 200) > 0 else { continue }
            let connection = accept(listener, nil, nil)
            guard connection >= 0 else { continue }
            Self.setTimeouts(connection)
            let handler = self.handler
            DispatchQueue.global().async { Self.serve(connection, handler: handler) }
        }
    }

    private static func setTimeouts(_ connection: Int32) {
        var timeout = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
        setsockopt(connection, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(connection, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        #if canImport(Darwin)
        var yes: Int32 = 1
        setsockopt(connection, SOL_SOCKET, SO_NOSIGPIPE, &yes, socklen_t(MemoryLayout<Int32>.size))
        #endif
    }

    private static func serve(_ connection: Int32, handler: @Sendable (PreviewRequest) -> PreviewResponse) {
        defer { close(connection) }
        guard let head = readHead(connection) else {
            write(PreviewResponse.page(status: 400, title: "Bad request", bodyHTML: "").serialized(includeBody: true), to: connection)
            return
        }
        guard let request = PreviewRequest.parse(head: head) else {
            write(PreviewResponse.page(status: 400, title: "Bad request", bodyHTML: "").serialized(includeBody: true), to: connection)
            return
        }
        write(handler(request).serialized(includeBody: request.method != "HEAD"), to: connection)
    }

    /// Reads up to the blank line that ends the request head; nil on timeout, close or overflow.
    private static func readHead(_ connection: Int32) -> [UInt8]? {
        var head: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        let end: [UInt8] = Array("\r\n\r\n".utf8)
        while head.count < maximumHeadBytes {
            let count = buffer.withUnsafeMutableBytes { recv(connection, $0.baseAddress, $0.count, 0) }
            guard count > 0 else { return nil }
            head += buffer[0..<count]
            if head.count >= 4, head.indices.dropLast(3).contains(where: { head[$0..<($0 + 4)].elementsEqual(end) }) { return head }
        }
        return nil
    }

    private static func write(_ data: Data, to connection: Int32) {
        #if os(Linux)
        let flags = Int32(MSG_NOSIGNAL)
        #else
        let flags: Int32 = 0
        #endif
        data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) in
            guard let base = raw.baseAddress else { return }
            var offset = 0
            while offset < raw.count {
                let sent = send(connection, base + offset, raw.count - offset, flags)
                guard sent > 0 else { return }
                offset += sent
            }
        }
    }
}

/// Whether the server is accepting; shared by the accept thread and `stop()`.
private final class RunningFlag: @unchecked Sendable {
    private enum State { case idle, running, stopped }
    private let lock = NSLock()
    private var state = State.idle

    var isRunning: Bool { lock.withLock { state == .running } }

    /// Whether this call started it (it was idle).
    func start() -> Bool {
        lock.withLock {
            guard state == .idle else { return false }
            state = .running
            return true
        }
    }

    /// Whether the caller must close the socket: it never started, so no accept loop will.
    func stop() -> Bool {
        lock.withLock {
            defer { state = .stopped }
            return state == .idle
        }
    }
}
