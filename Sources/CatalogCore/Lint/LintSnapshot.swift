import CatalogStore
import Foundation

/// Everything the linter reads, taken from the store's index in one go: no database is contacted.
/// The linter is a pure function of a snapshot and a config, so tests build snapshots directly.
public struct LintSnapshot: Sendable {
    /// One selected project and how fresh its index copy is.
    public struct ProjectState: Sendable, Equatable {
        public var name: String
        public var tags: [String]
        /// nil when the index has no copy of the project (it was never read).
        public var index: IndexState?

        public init(name: String, tags: [String] = [], index: IndexState?) {
            self.name = name
            self.tags = tags
            self.index = index
        }
    }

    /// One attachment with the definition version its columns are compared against.
    public struct Attachment: Sendable, Equatable {
        public var project: String
        public var definition: String
        /// The pinned version, or the newest when the project follows the newest.
        public var version: SharedVersion

        public init(project: String, definition: String, version: SharedVersion) {
            self.project = project
            self.definition = definition
            self.version = version
        }
    }

    public var projects: [ProjectState]
    /// Every column of the selected projects, coded: a fleet repeats its names and types many times.
    public var columns: CodedColumns
    public var tables: [(project: String, table: IndexedTable)]
    /// The newest version of every shared definition that is not archived.
    public var shared: [SharedVersion]
    public var attachments: [Attachment]
    /// This catalog's `_metadata` version; older copies are reported.
    public var metadataVersion: Int

    public init(
        projects: [ProjectState], columns: [IndexedColumn], tables: [(project: String, table: IndexedTable)], shared: [SharedVersion] = [],
        attachments: [Attachment] = [], metadataVersion: Int = MetadataSchema.latestVersion
    ) {
        self.init(
            projects: projects, columns: CodedColumns(columns), tables: tables, shared: shared, attachments: attachments,
            metadataVersion: metadataVersion)
    }

    public init(
        projects: [ProjectState], columns: CodedColumns, tables: [(project: String, table: IndexedTable)], shared: [SharedVersion] = [],
        attachments: [Attachment] = [], metadataVersion: Int = MetadataSchema.latestVersion
    ) {
        self.projects = projects
        self.columns = columns
        self.tables = tables
        self.shared = shared
        self.attachments = attachments
        self.metadataVersion = metadataVersion
    }
}
