import Foundation

/// A tiny HTTP/1.1 server on 127.0.0.1 that records the body of every POST and answers with
/// `status` (200 by default): the webhook of the alert tests.
public final class WebhookListener: @unchecked Sendable {
    public let port: Int
    private let descriptor: Int32
    private let lock = NSLock()
    private var received: [String] = []
    private var answer: Int = 200

    public init() throws {
        (descriptor, port) = try LoopbackSocket.bind(listening: 64)
        let thread = Thread { [self] in acceptLoop() }
        thread.start()
    }

    deinit { close(descriptor) }

    /// The webhook's URL; the path stands for the secret part of a real one.
    public var url: String { "http://127.0.0.1:\(port)/hooks/T0SECRET/B0SECRET/XSECRETTOKEN" }

    /// The bodies received so far, oldest first.
    public var bodies: [String] { lock.withLock { received } }

    /// The bodies received so far, parsed as JSON objects.
    public var payloads: [[String: Any]] {
        bodies.compactMap { (try? JSONSerialization.jsonObject(with: Data($0.utf8))) as? [String: Any] }
    }

    /// Answers later requests with this status.
    public func answer(with status: Int) { lock.withLock { answer = status } }

    private func acceptLoop() {
        while true {
            let client = accept(descriptor, nil, nil)
            if client < 0 {
                if errno == EINTR { continue }
                return
            }
            Thread { [self] in serve(client) }.start()
        }
    }

    private func serve(_ client: Int32) {
        defer { close(client) }
        var data = [UInt8]()
        var buffer = [UInt8](repeating: 0, count: 65_536)
        var bodyStart: Int?
        var length = 0
        while true {
            let count = read(client, &buffer, buffer.count)
            if count <= 0 { return }
            data += buffer[0..<count]
            if bodyStart == nil, let end = Self.headerEnd(data) {
                bodyStart = end
                let head = String(decoding: data[0..<end], as: UTF8.self).lowercased()
                for line in head.split(separator: "\r\n") where line.hasPrefix("content-length:") {
                    length = Int(line.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces)) ?? 0
                }
            }
            if let start = bodyStart, data.count - start >= length {
                let body = String(decoding: data[start..<(start + length)], as: UTF8.self)
                let status = lock.withLock { () -> Int in
                    received.append(body)
                    return answer
                }
                let response = "HTTP/1.1 \(status) X\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok"
                _ = response.utf8CString.withUnsafeBufferPointer { write(client, $0.baseAddress, $0.count - 1) }
                return
            }
        }
    }

    private static func headerEnd(_ data: [UInt8]) -> Int? {
        guard data.count >= 4 else { return nil }
        for index in 0...(data.count - 4) where data[index] == 13 && data[index + 1] == 10 && data[index + 2] == 13 && data[index + 3] == 10 {
            return index + 4
        }
        return nil
    }
}
