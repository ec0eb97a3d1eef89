import CatalogCore
import CatalogSupport
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A plain TCP connection to a live server on 127.0.0.1, for what the test clients cannot send:
/// a foreign `Host`, or half a request. Reads wait on a thread of their own, never on Swift's pool.
final class RawConnection: @unchecked Sendable {
    private let descriptor: Int32

    init(port: Int) throws {
        descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard descriptor >= 0, connected == 0 else { throw CatalogError("could not connect to 127.0.0.1:\(port)") }
    }

    deinit { close(descriptor) }

    /// Sends `text` as it is; a connection the server closed is no error (and raises no SIGPIPE).
    func send(_ text: String) {
        let bytes = Array(text.utf8)
        _ = bytes.withUnsafeBytes { Glibc.send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
    }

    /// Reads until the server closes the connection or `seconds` pass: what arrived, and whether
    /// (and after how long) the server closed.
    func readUntilClosed(within seconds: Double) async -> (text: String, closedAfter: Double?) {
        let descriptor = descriptor
        return await OwnThread.run {
            let start = Date()
            var received: [UInt8] = []
            var buffer = [UInt8](repeating: 0, count: 4096)
            while true {
                let left = seconds - Date().timeIntervalSince(start)
                guard left > 0 else { return (String(decoding: received, as: UTF8.self), nil) }
                var poller = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
                guard poll(&poller, 1, Int32(left * 1000)) > 0 else { continue }
                let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
                if count <= 0 { return (String(decoding: received, as: UTF8.self), Date().timeIntervalSince(start)) }
                received += buffer[0..<count]
            }
        }
    }

    /// One request with `Connection: close`, answered in full: the status code and the body.
    static func request(port: Int, _ head: String) async throws -> (status: Int, body: String) {
        let connection = try RawConnection(port: port)
        connection.send(head + "Connection: close\r\n\r\n")
        let (text, _) = await connection.readUntilClosed(within: 10)
        let status = text.split(separator: " ", maxSplits: 2).dropFirst().first.flatMap { Int($0) } ?? 0
        let body = text.components(separatedBy: "\r\n\r\n").dropFirst().joined(separator: "\r\n\r\n")
        return (status, body)
    }
}
