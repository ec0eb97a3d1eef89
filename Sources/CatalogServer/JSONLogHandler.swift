import Foundation
import Logging
import Synchronization

/// A swift-log handler that writes one JSON object per line: time, level, label, message and
/// metadata as fields, so log shippers parse records without guessing.
public struct JSONLogHandler: LogHandler {
    /// Where the lines go; `catalog serve` writes to standard error, tests to memory.
    public typealias Sink = @Sendable (String) -> Void

    /// The minimum level written.
    public var logLevel: Logger.Level = .info
    /// Fields added to every record.
    public var metadata: Logger.Metadata = [:]
    private let label: String
    private let sink: Sink

    /// A handler for `label` writing complete lines to `sink`.
    public init(label: String, sink: @escaping Sink = JSONLogHandler.standardError) {
        self.label = label
        self.sink = sink
    }

    /// One metadata field.
    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    /// Writes one record.
    public func log(event: LogEvent) {
        var fields: [String: String] = [:]
        for (key, value) in metadata.merging(event.metadata ?? [:], uniquingKeysWith: { _, new in new }) {
            fields[key] = "\(value)"
        }
        fields["time"] = Date.ISO8601FormatStyle(includingFractionalSeconds: true).format(Date())
        fields["level"] = event.level.rawValue
        fields["label"] = label
        fields["message"] = event.message.description
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        guard let data = try? encoder.encode(fields) else { return }
        sink(String(decoding: data, as: UTF8.self) + "\n")
    }

    /// Writes lines to standard error, one write per line so records never interleave.
    public static let standardError: Sink = { line in
        lock.withLock { _ in FileHandle.standardError.write(Data(line.utf8)) }
    }

    private static let lock = Mutex(())
}
