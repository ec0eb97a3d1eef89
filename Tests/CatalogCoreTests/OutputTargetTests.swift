import CatalogStore
import CatalogTestSupport
import Foundation
import PostgresClient
import Testing

@testable import CatalogCore

@Suite("Outputs: every file catalog writes is checked first")
struct OutputTargetTests {
    /// A store file in a fresh directory, with its `-wal` and `-shm` beside it as a running store has them.
    static func store() throws -> (directory: String, location: StoreLocation) {
        let directory = try TestWorkspace.temporaryDirectory().path
        let path = (directory as NSString).appendingPathComponent("catalog.sqlite")
        for suffix in ["", "-wal", "-shm"] { try "sqlite".write(toFile: path + suffix, atomically: true, encoding: .utf8) }
        return (directory, StoreLocation(path: path, isExplicit: true))
    }

    /// A file that is a bundle as far as `--overwrite` cares: a ZIP holding a catalog manifest.
    static func earlierBundle(at path: String, store: StoreLocation) throws {
        let writer = BundleWriter(target: try OutputTarget.file(path, overwrite: false, store: store))
        try writer.prepare()
        defer { writer.cleanUp() }
        try writer.commit(BundlePlanTests.manifest(), stored: [])
    }

    static func refusal(_ body: () throws -> Any) -> String? {
        do {
            _ = try body()
            return nil
        } catch {
            return "\(error)"
        }
    }

    @Test("--overwrite replaces only an earlier bundle: never the store, its -wal/-shm, a device, a FIFO, a directory or a link to them")
    func fileRules() throws {
        let (directory, store) = try Self.store()
        let fifo = (directory as NSString).appendingPathComponent("pipe")
        #expect(mkfifo(fifo, 0o600) == 0)
        let folder = (directory as NSString).appendingPathComponent("folder")
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: false)
        let linkToStore = (directory as NSString).appendingPathComponent("innocent.catalog")
        try FileManager.default.createSymbolicLink(atPath: linkToStore, withDestinationPath: store.path)
        let hardLink = (directory as NSString).appendingPathComponent("hard.catalog")
        #expect(link(store.path, hardLink) == 0)
        let linkToFIFO = (directory as NSString).appendingPathComponent("fifo.catalog")
        try FileManager.default.createSymbolicLink(atPath: linkToFIFO, withDestinationPath: fifo)
        let text = (directory as NSString).appendingPathComponent("notes.txt")
        try "mine".write(toFile: text, atomically: true, encoding: .utf8)

        let refused: [(String, String)] = [
            (store.path, "catalog's store"), (store.path + "-wal", "catalog's store"), (store.path + "-shm", "catalog's store"),
            (store.path + "-journal", "catalog's store"), (directory + "/./catalog.sqlite", "catalog's store"),
            (hardLink, "catalog's store"), (linkToStore, "catalog's store"), ("/dev/null", "a device node"), (fifo, "a FIFO"),
            (folder, "a directory"), (linkToFIFO, "a symbolic link"), (text, "is not a catalog bundle"),
        ]
        for (path, reason) in refused {
            let message = Self.refusal { try OutputTarget.file(path, overwrite: true, store: store) }
            #expect(message?.contains(reason) == true, "\(path): \(message ?? "accepted") (wanted \(reason))")
        }
        #expect(Self.refusal { try OutputTarget.file(text, overwrite: false, store: store) }?.contains("already exists") == true)

        let bundle = (directory as NSString).appendingPathComponent("earlier.catalog")
        try Self.earlierBundle(at: bundle, store: store)
        #expect(try OutputTarget.file(bundle, overwrite: true, store: store).path == bundle)
        #expect(Self.refusal { try OutputTarget.file(bundle, overwrite: false, store: store) }?.contains("already exists") == true)
        let fresh = (directory as NSString).appendingPathComponent("new.catalog")
        #expect(try OutputTarget.file(fresh, overwrite: false, store: store).path == fresh)
        #expect(try String(contentsOfFile: store.path, encoding: .utf8) == "sqlite")
    }

    @Test("a refused -o names no flag: the next step is a remedy the CLI words as -o/--overwrite and the API in its own terms")
    func remedies() throws {
        let (directory, store) = try Self.store()
        let text = (directory as NSString).appendingPathComponent("notes.txt")
        try "mine".write(toFile: text, atomically: true, encoding: .utf8)
        func error(_ body: () throws -> OutputTarget) -> CatalogError? {
            do {
                _ = try body()
                return nil
            } catch {
                return error as? CatalogError
            }
        }
        let cases: [(CatalogError?, CatalogError.Remedy)] = [
            (error { try OutputTarget.file(store.path, overwrite: false, store: store) }, .chooseAnotherOutput),
            (error { try OutputTarget.file("/dev/null", overwrite: true, store: store) }, .chooseAnotherOutput),
            (error { try OutputTarget.file(text, overwrite: false, store: store) }, .chooseAnotherOutputOrOverwrite),
            (error { try OutputTarget.file(text, overwrite: true, store: store) }, .chooseAnotherOutputOrRemove),
        ]
        for (error, remedy) in cases {
            #expect(
                error?.remedy == remedy && error?.message.contains("-o") == false && error?.message.contains("--") == false,
                "\(String(describing: error))")
        }
        // A caller that names its own option still reads it in the message.
        let named = error { try OutputTarget.file(text, overwrite: false, store: store, flag: "exports directory") }
        #expect(named?.remedy == nil && named?.message.hasSuffix("choose another exports directory") == true)
    }

    @Test("a directory output is a real directory, created private when missing; its files are written atomically and never over the store")
    func directoryRules() throws {
        let (directory, store) = try Self.store()
        let created = (directory as NSString).appendingPathComponent("out")
        let target = try OutputTarget.directory(created, store: store)
        #expect(target.isDirectory)
        #expect(try FileManager.default.attributesOfItem(atPath: created)[.posixPermissions] as? Int == 0o700)
        try target.write(Data("one".utf8), named: "a.graphql")
        try target.write(Data("two".utf8), named: "a.graphql")
        #expect(try String(contentsOfFile: created + "/a.graphql", encoding: .utf8) == "two")
        #expect(try FileManager.default.contentsOfDirectory(atPath: created) == ["a.graphql"])

        let link = (directory as NSString).appendingPathComponent("into-store")
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: directory)
        #expect(Self.refusal { try OutputTarget.directory(link, store: store) }?.contains("is a symbolic link") == true)
        #expect(Self.refusal { try OutputTarget.directory(store.path, store: store) }?.contains("catalog's store") == true)
        let file = (directory as NSString).appendingPathComponent("plain")
        try "x".write(toFile: file, atomically: true, encoding: .utf8)
        #expect(Self.refusal { try OutputTarget.directory(file, store: store) }?.contains("a regular file, not a directory") == true)

        // Even inside the store's own directory, no file of the store can be replaced.
        let storeDirectory = try OutputTarget.directory(directory, store: store)
        for name in ["catalog.sqlite", "catalog.sqlite-wal", "catalog.sqlite-shm", "../x", ".hidden"] {
            #expect(Self.refusal { try storeDirectory.write(Data("bad".utf8), named: name) } != nil, "\(name)")
        }
        #expect(mkfifo(created + "/pipe", 0o600) == 0)
        #expect(Self.refusal { try target.write(Data("x".utf8), named: "pipe") }?.contains("a FIFO") == true)
        #expect(try String(contentsOfFile: store.path + "-wal", encoding: .utf8) == "sqlite")
    }

    @Test("export -o at the live store is refused before any connection, and the store keeps working")
    func exportOverStore() throws {
        let catalog = try TestEnvironment.catalog()
        // No server listens here: a connection attempt would fail with "Connection refused" instead.
        try catalog.addProject(name: "down", dsn: "postgresql://nobody@127.0.0.1:\(try TemporaryCluster.freePort())/gone")
        let store = catalog.store.location.path
        for path in [store, store + "-wal", store + "-shm", "/dev/null"] {
            let run = try CLIRun.run(["export", "down", "-o", path, "--overwrite"], store: store)
            #expect(run.status != 0 && !run.stderr.contains("Connection refused") && run.stderr.contains(path), "\(path): \(run.stderr)")
        }
        #expect(try catalog.listProjects().map(\.name) == ["down"])
        let list = try CLIRun.run(["project", "list"], store: store)
        #expect(list.status == 0 && list.stdout.contains("down"))
    }
}
