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
        var live: (types: String, partitions: Set<String>)?
        if cached {
            guard try wrapped({ try store.indexStates() })[name] != nil else {
                throw CatalogError(
                    .notFound, "project \"\(name)\" is not in the local index yet",
                    remedy: .readLiveOnce)
            }
        } else {
            // Confirms the index's copy of the mappings (or replaces it, when _metadata moved) and reads
            // the user types and partitions pg_catalog has now, in one conversation.
            let outcome = try readLive([project], question: CodegenRead.catalogQuery, options: options)
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
            guard let record = outcome.answers.first?.answer?.records.first, let types = record["types"],
                let partitions = try? JSONDecoder().decode([String].self, from: Data((record["partitions"] ?? "").utf8))
            else {
                throw CatalogError("project \"\(name)\" returned no pg_catalog facts")
            }
            live = (types, Set(partitions))
        }
        let tables = try wrapped { try store.indexedTables(projects: [name], filter: .all) }.map(\.table)
        let columns = try wrapped { try store.indexedColumns(projects: [name], filter: .all) }
        let types = try live.map(\.types) ?? wrapped { try store.indexedTypes(project: name) }
        do { return try CodegenRead.input(tables, columns, types: types, partitions: live?.partitions, project: name) } catch {
            throw CatalogError("the metadata of project \"\(name)\" holds user types catalog cannot read: \(error)")
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

    /// Writes every generated file into the directory, each atomically, then removes the files an
    /// earlier run generated from the same metadata that this output no longer has (a dropped table's
    /// schema, say): only regular files of this format carrying this output's `marker`. Other files are
    /// left alone. Answers the names removed.
    @discardableResult
    public func writeGenerated(_ output: CodegenOutput, to target: OutputTarget) throws -> [String] {
        for file in output.files { try target.write(Data(file.content.utf8), named: file.name) }
        var removed: [String] = []
        for name in Self.leftoverGenerated(output, in: target.path) {
            let path = (target.path as NSString).appendingPathComponent(name)
            guard Self.isGenerated(path, marker: output.marker) else { continue }
            guard unlink(path) == 0 else {
                throw CatalogError(
                    "cannot remove \(path), generated earlier and no longer produced: \(String(cString: strerror(errno))); remove it by hand")
            }
            removed.append(name)
        }
        return removed
    }

    /// The generated files missing from `directory` or different there, by name.
    public static func staleGenerated(_ output: CodegenOutput, in directory: String) -> [String] {
        output.files.filter { file in
            let path = (directory as NSString).appendingPathComponent(file.name)
            return FileManager.default.contents(atPath: path) != Data(file.content.utf8)
        }.map(\.name)
    }

    /// Files in `directory` that an earlier run generated from the same metadata and this output no
    /// longer has: regular files with this format's extension whose head carries the output's marker.
    public static func leftoverGenerated(_ output: CodegenOutput, in directory: String) -> [String] {
        guard !output.marker.isEmpty, let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return [] }
        let current = Set(output.files.map(\.name))
        return names.filter { name in
            !name.hasPrefix(".") && name.hasSuffix(output.fileExtension) && !current.contains(name)
                && isGenerated((directory as NSString).appendingPathComponent(name), marker: output.marker)
        }.sorted()
    }

    /// A regular file (not a link) whose first 4 KiB hold the marker.
    static func isGenerated(_ path: String, marker: String) -> Bool {
        var status = stat()
        guard lstat(path, &status) == 0, status.st_mode & S_IFMT == S_IFREG, let handle = FileHandle(forReadingAtPath: path) else { return false }
        defer { try? handle.close() }
        let head = (try? handle.read(upToCount: 4096)) ?? Data()
        return String(decoding: head, as: UTF8.self).contains(marker)
    }
}
