import ArgumentParser
import CatalogCore
import Foundation

/// Where command output goes. Data goes to standard output; problems go to standard error.
enum Terminal {
    static func write(_ text: String) {
        FileHandle.standardOutput.write(Data(text.utf8))
    }

    /// Writes bytes to standard output as they are, without copying them first.
    static func write(bytes: [UInt8]) {
        bytes.withUnsafeBytes { write(raw: $0) }
    }

    /// Writes bytes to standard output from where they are.
    static func write(raw buffer: UnsafeRawBufferPointer) {
        guard let start = buffer.baseAddress, !buffer.isEmpty else { return }
        FileHandle.standardOutput.write(Data(bytesNoCopy: UnsafeMutableRawPointer(mutating: start), count: buffer.count, deallocator: .none))
    }

    /// Writes one message to standard error. Control characters other than line breaks are
    /// escaped, since messages may quote names taken from a project database.
    static func warn(_ text: String) {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map { String($0).escapingControlCharacters }
        let escaped = lines.joined(separator: "\n")
        FileHandle.standardError.write(Data((escaped.hasSuffix("\n") ? escaped : escaped + "\n").utf8))
    }
}

/// The exit statuses catalog documents in its README.
enum ExitStatus {
    /// Some projects failed or timed out, or drift or conflicts were found; the rest of the answer is valid.
    static let partial: Int32 = 1
    /// The command could not run: bad input, an unknown project, a store problem. Nothing changed.
    static let failure: Int32 = 2
    /// The arguments were wrong (EX_USAGE), as ArgumentParser's own parse and validation errors.
    static let usage: Int32 = ExitCode.validationFailure.rawValue
}

/// Thrown by a command that printed its answer but must still exit non-zero.
struct PartialFailure: Error {
    var failed: Int
    var total: Int
    /// Replaces the default "N of M project(s) did not succeed" line.
    var summary: String?

    init(failed: Int, total: Int, summary: String? = nil) {
        self.failed = failed
        self.total = total
        self.summary = summary
    }

    /// Throws when some project did not succeed: "N of M project(s) did not succeed".
    static func check(_ outcomes: [ProjectOutcome]) throws {
        let failed = outcomes.filter { !$0.isOK }.count
        if failed > 0 { throw PartialFailure(failed: failed, total: outcomes.count) }
    }
}

extension Terminal {
    /// Progress lines on stderr for a fleet command, only when stderr is a terminal: "`doing` P…" as
    /// a project's part starts and "`done` P: ok in 0.4 s" as it ends. Reads and writes report
    /// through the same `FanOutProgress`, so every command shows progress this one way.
    static func progress(doing: String, done: String) -> FanOutProgress? {
        guard isatty(STDERR_FILENO) == 1 else { return nil }
        return { progress in
            switch progress {
            case .started(let project):
                Terminal.warn("\(doing) \(project)…")
            case .finished(let project, let outcome, let size, let seconds):
                let time = String(format: "%.1f", seconds)
                let detail = outcome.isOK ? (size.map { "\($0) bytes in \(time) s" } ?? "ok in \(time) s") : outcome.label
                Terminal.warn("\(done) \(project): \(detail)")
            }
        }
    }
}
