import ArgumentParser
import Foundation

/// A duration given on the command line, in seconds: the one type of every timeout flag
/// (`--timeout`, `--query-timeout`, `--pool-idle-timeout`).
///
/// It is checked when the arguments are parsed: `inf`, `nan`, `1e300`, zero and negative values
/// are refused with exit 64, so no later conversion to an integer or a deadline can trap.
struct Seconds: ExpressibleByArgument, ExpressibleByIntegerLiteral, Sendable, Equatable {
    /// The smallest duration accepted: one millisecond.
    static let minimum = 0.001
    /// The largest duration accepted: one day.
    static let maximum = 86_400.0
    /// The bounds as the help texts state them.
    static let bounds = "between 0.001 and 86400"

    /// The duration; always finite and within the bounds.
    let value: Double

    init?(argument: String) {
        guard let value = Double(argument.trimmingCharacters(in: .whitespaces)) else { return nil }
        self.init(value)
    }

    init?(_ value: Double) {
        guard value.isFinite, (Self.minimum...Self.maximum).contains(value) else { return nil }
        self.value = value
    }

    /// For defaults written in the code, such as `var timeout: Seconds = 10`.
    init(integerLiteral value: Int) {
        precondition((1...Int(Self.maximum)).contains(value), "a default timeout must be within the bounds")
        self.value = Double(value)
    }

    /// Whole seconds, rounded up, for libpq's `connect_timeout` and the tools that take integers.
    var wholeSeconds: Int { Int(value.rounded(.up)) }

    var defaultValueDescription: String {
        value == value.rounded() ? String(Int(value)) : String(value)
    }
}
