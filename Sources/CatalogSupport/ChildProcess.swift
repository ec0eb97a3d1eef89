import Foundation

/// Runs a program to completion with `posix_spawn` and `waitpid`, capturing its output in a file.
///
/// Used for `initdb`, `pg_ctl`, `pg_dump` and `pg_restore`. Output goes to a temporary file rather
/// than a pipe, so a daemon that inherits it (as `postgres` does from `pg_ctl`) cannot hang the caller.
///
/// The child is started through util-linux's `setpriv --pdeathsig KILL` when it is there, so it
/// dies with catalog: a `pg_restore` must not go on writing after the catalog that started it was
/// killed. (The calling thread waits for the child, so the thread outlives it, as PDEATHSIG needs.)
public struct ChildProcess: Sendable {
    public var executable: String
    public var arguments: [String]
    /// Extra environment variables, added to this process's own.
    public var environment: [String: String]

    public init(_ executable: String, _ arguments: [String], environment: [String: String] = [:]) {
        self.executable = executable
        self.arguments = arguments
        self.environment = environment
    }

    /// The exit status and what the program wrote.
    public struct Outcome: Sendable {
        public var status: Int32
        public var stdout: String
        public var stderr: String
        /// Both streams, stdout first.
        public var output: String { stdout + stderr }
    }

    /// Runs the program and waits for it; throws only if it could not be started.
    public func run() throws -> Outcome {
        let outputPath = NSTemporaryDirectory() + "catalog-child-\(UUID().uuidString)"
        let errorPath = outputPath + ".err"
        defer {
            unlink(outputPath)
            unlink(errorPath)
        }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outputPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_addopen(&actions, 2, errorPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)

        var merged = ProcessInfo.processInfo.environment
        merged.merge(environment) { _, new in new }
        guard FileManager.default.isExecutableFile(atPath: executable) else {
            throw ChildProcessError(executable: executable, reason: "no such executable file")
        }
        let (program, programArguments) =
            FileManager.default.isExecutableFile(atPath: Self.setpriv)
            ? (Self.setpriv, ["--pdeathsig", "KILL", "--", executable] + arguments)
            : (executable, arguments)
        let argv = ([program] + programArguments).map { strdup($0) } + [nil]
        let envp = merged.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, program, &actions, nil, argv, envp)
        guard spawned == 0 else {
            throw ChildProcessError(executable: executable, reason: String(cString: strerror(spawned)))
        }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let exitStatus: Int32 = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        return Outcome(status: exitStatus, stdout: Self.read(outputPath), stderr: Self.read(errorPath))
    }

    static let setpriv = "/usr/bin/setpriv"

    private static func read(_ path: String) -> String {
        (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
    }
}

/// A program that could not be started at all (missing, not executable).
public struct ChildProcessError: Error, CustomStringConvertible, Sendable {
    public var executable: String
    public var reason: String
    public var description: String { "cannot run \(executable): \(reason)" }
}
