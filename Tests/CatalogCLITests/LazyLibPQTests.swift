import CatalogSupport
import CatalogTestSupport
import Foundation
import Testing

/// libpq and its 30 dependencies are opened when catalog first needs PostgreSQL, not at start-up.
@Suite("libpq is loaded on first use")
struct LazyLibPQTests {
    /// Runs catalog, and says whether the dynamic loader opened libpq (`LD_DEBUG=libs` reports each
    /// library it opens on stderr). Returns the exit status and catalog's own last stderr line.
    private func loads(_ arguments: [String], store: String) throws -> (status: Int32, lastLine: String, libpq: Bool) {
        let run = try CLIRun.run(arguments, store: store, environment: ["LD_DEBUG": "libs"])
        let lines = run.stderr.split(separator: "\n").filter { !$0.hasPrefix(" ") }
        return (run.status, lines.last.map(String.init) ?? "", run.stderr.contains("find library=libpq.so.5"))
    }

    @Test("commands that never connect do not load libpq; the first connection string does")
    func onlyWhenNeeded() throws {
        let store = try TestWorkspace.temporaryDirectory().appendingPathComponent("c.sqlite").path
        let version = try loads(["--version"], store: store)
        #expect(version.status == 0)
        #expect(!version.libpq)
        let added = try loads(["project", "add", "p", "--dsn", "postgresql://u@127.0.0.1:1/p"], store: store)
        #expect(added.status == 0)
        #expect(added.libpq)
        let cached = try loads(["find-column", "email", "--cached"], store: store)
        #expect(cached.lastLine == "1 of 1 project(s) did not succeed; see the rows above")
        #expect(!cached.libpq)
    }

    @Test("without libpq, a command that needs it says how to install it, and the others still run")
    func missingLibrary() throws {
        let store = try TestWorkspace.temporaryDirectory().appendingPathComponent("c.sqlite").path
        let library = "/lib/x86_64-linux-gnu/libpq.so.5"
        try #require(FileManager.default.fileExists(atPath: library))
        // A mount namespace of its own hides libpq from this one child: the machine is untouched.
        func run(_ arguments: String) throws -> ChildProcess.Outcome {
            let script = "mount --bind /dev/null \(library) && exec \(CLIRun.binary) \(arguments) --store \(store)"
            return try ChildProcess("/usr/bin/unshare", ["--mount", "/bin/sh", "-c", script]).run()
        }
        let add = try run("project add p --dsn postgresql://u@127.0.0.1:1/p")
        #expect(add.status == 2)
        #expect(add.stderr.hasPrefix("error: project \"p\": libpq could not be loaded ("))
        #expect(add.stderr.hasSuffix("install PostgreSQL's client library, e.g. 'apt install libpq5'\n"))
        #expect(add.stderr.split(separator: "\n").count == 1)
        let list = try run("project list --format json")
        #expect(list.status == 0)
        #expect(list.stdout == "[]\n")
    }
}
