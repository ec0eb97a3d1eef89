import ArgumentParser
import CatalogCore
import Foundation

/// The root command: configuration only. Each subcommand is its own small type.
public struct CatalogCommand: AsyncParsableCommand {
    public static let version = "0.1.0"

    public static let configuration = CommandConfiguration(
        commandName: "catalog",
        abstract: "A metadata catalog for teams that run many PostgreSQL project databases.",
        discussion: """
            Exit status: 0 success; 1 some projects failed, timed out, drifted or conflict \
            (the rest of the answer is printed); 2 the command could not run and changed nothing; \
            64 the arguments were wrong.
            """,
        version: version,
        subcommands: [
            ProjectCommand.self, MetadataCommand.self, FindColumn.self, FindTable.self, SQLCommand.self, SharedCommand.self, SyncCommand.self,
            DriftCommand.self, BackupCommand.self, ServeCommand.self, ExportCommand.self, ImportCommand.self, BundleCommand.self,
            GenerateCommand.self,
            DescribeCommand.self,
            ScheduleCommand.self, AlertCommand.self,
            LintCommand.self,
            StoreCommand.self, HistoryCommand.self,
        ]
    )

    public init() {}

    /// Parses, runs, and turns every error into one line on stderr and a documented exit status.
    public static func run(arguments: [String]) async -> Int32 {
        ShortLivedMemory.configure(for: arguments)
        do {
            var command = try parseAsRoot(arguments)
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
            return 0
        } catch let error as CatalogError {
            Terminal.warn(ErrorAdvice.line(for: error))
            return error.code == .badInput ? ExitStatus.usage : ExitStatus.failure
        } catch let failure as PartialFailure {
            Terminal.warn(failure.summary ?? "\(failure.failed) of \(failure.total) project(s) did not succeed; see the rows above")
            return ExitStatus.partial
        } catch {
            let code = exitCode(for: error)
            let message = fullMessage(for: error)
            if !message.isEmpty {
                if code == .success { Terminal.write(message + "\n") } else { Terminal.warn(message) }
            }
            return code.rawValue
        }
    }
}

/// `catalog project …`: the registry.
struct ProjectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "project",
        abstract: "Register, list, check, update and forget project databases.",
        subcommands: [ProjectAdd.self, ProjectList.self, ProjectShow.self, ProjectCheck.self, ProjectUpdate.self, ProjectRemove.self, ProjectCreate.self, ProjectClone.self, ProjectRename.self, ProjectArchive.self, ProjectUnarchive.self]
    )
}

/// `catalog metadata …`: each project's `_metadata` schema.
struct MetadataCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "metadata",
        abstract: "Install, upgrade, inspect and curate each project's _metadata.",
        subcommands: [MetadataInstall.self, MetadataStatus.self, MetadataScan.self, MetadataMigrate.self, MetadataRollback.self, MetadataSet.self, MetadataUnset.self,
            MetadataEdit.self,
        ]
    )
}
