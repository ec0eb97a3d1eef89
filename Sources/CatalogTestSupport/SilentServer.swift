import Foundation

/// A TCP socket on 127.0.0.1 that accepts connections into its backlog and never answers:
/// a PostgreSQL server that hangs, for timeout tests.
public final class SilentServer: @unchecked Sendable {
    public let port: Int
    private let descriptor: Int32

    public init() throws {
        (descriptor, port) = try LoopbackSocket.bind(listening: 128)
    }

    deinit { close(descriptor) }
}
