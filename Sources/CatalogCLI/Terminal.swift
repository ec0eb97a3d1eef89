import Foundation

/// Where command output goes. Data goes to standard output; problems go to standard error.
enum Terminal {
    static func write(_ text: String) {
        FileHandle.standardOutput.write(Data(text.utf8))
    }

    static func warn(_ text: String) {
        FileHandle.standardError.write(Data((text.hasSuffix("\n") ? text : text + "\n").utf8))
    }
}

/// The exit statuses catalog documents in its README.
enum ExitStatus {
    /// Some projects failed or timed out, or drift or conflicts were found; the rest of the answer is valid.
    static let partial: Int32 = 1
    /// The command could not run: bad input, an unknown project, a store problem. Nothing changed.
    static let failure: Int32 = 2
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
}
