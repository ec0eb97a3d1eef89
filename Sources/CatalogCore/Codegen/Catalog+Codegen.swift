import CatalogStore
import Foundation
import PostgresClient

extension Catalog {
    /// Generates one format from a project's metadata (live, or from the index with `cached`), or from
    /// the shared definitions at their current versions when `project` is nil.
    /// `files` asks for the files `--out` writes; without it, JSON Schema comes as one document in `text`.
    public func generate(
        _ format: CodegenFormat, project: String?, cached: Bool = false, files: Bool = false, options: FanOutOptions = FanOutOptions()
    ) throws -> CodegenOutput {
        try Codegen.generate(format, from: try codegenInput(project: project, cached: cached, options: options), files: files)
    }

    /// The generators' input; see `generate`.
    public func codegenInput(project name: String?, cached: Bool = false, options: FanOutOptions = FanOutOptions()) throws -> CodegenInput {
        guard let name else {
            let versions = try listShared().map { try sharedVersion($0.name) }
            return CodegenRead.shared(versions)
        }
        let project = try self.project(named: name)
        if cached {
            guard try wrapped({ try store.indexStates() })[name] != nil else {
                throw CatalogError(
                    .notFound, "project \"\(name)\" is not in the local index yet",
                    remedy: .readLiveOnce)
            }
            let tables = try wrapped { try store.indexedTables(projects: [name], filter: .all) }.map(\.table)
            let columns = try wrapped { try store.indexedColumns(projects: [name], filter: .all) }
            var input = CodegenRead.cached(tables, columns, project: name)
            input.name = "project \(name)"
            return input
        }
        let outcome = try readLive([project], question: CodegenRead.liveQuery, options: options)
        if let failure = outcome.failures.first {
            let message = failure.outcome.message ?? failure.outcome.label
            if message.contains("_metadata schema is missing") {
                throw CatalogError(
                    .conflict, "project \"\(name)\" has no _metadata schema", remedy: .installAndScanMetadata(name))
            }
            if case .timedOut = failure.outcome {
                throw CatalogError(.timedOut, "project \"\(name)\": \(message)", remedy: failure.outcome.remedy)
            }
            throw CatalogError(.unreachable, "project \"\(name)\": \(message)", remedy: failure.outcome.remedy)
        }
        guard let document = outcome.answers.first?.answer?.records.first?["document"] else {
            throw CatalogError("project \"\(name)\" returned no metadata")
        }
        do { return try CodegenRead.parse(document, project: name) } catch let error as CatalogError { throw error } catch {
            throw CatalogError("project \"\(name)\" returned metadata catalog cannot read: \(error)")
        }
    }

    /// Checks a `--out` directory before anything is read: it must be a real directory catalog may write.
    public func codegenDirectory(_ path: String) throws -> OutputTarget {
        let target = try OutputTarget.directory(path, store: store.location)
        guard access(target.path, W_OK | X_OK) == 0 else {
            throw CatalogError("cannot write to \(target.path): \(String(cString: strerror(errno))); make it writable or choose another directory")
        }
        return target
    }

    /// Writes every generated file into the directory, each atomically; other files are left alone.
    public func writeGenerated(_ output: CodegenOutput, to target: OutputTarget) throws {
        for file in output.files { try target.write(Data(file.content.utf8), named: file.name) }
    }

    /// The generated files missing from `directory` or different there, by name.
    public static func staleGenerated(_ output: CodegenOutput, in directory: String) -> [String] {
        output.files.filter { file in
            let path = (directory as NSString).appendingPathComponent(file.name)
            return FileManager.default.contents(atPath: path) != Data(file.content.utf8)
        }.map(\.name)
    }
}
