import Foundation

/// The table of contents of a relocation bundle (`manifest.json`): what was exported, from where and when,
/// what to expect after a restore, and the size and SHA-256 of every other file, so a copy can be checked
/// before anything is touched.
public struct BundleManifest: Sendable, Equatable, Codable {
    /// Marks a ZIP file as a catalog bundle.
    public static let formatName = "catalog-bundle"
    /// The newest bundle format this catalog writes and reads; a bundle with a higher number is refused.
    public static let currentFormatVersion = 1

    /// Always `catalog-bundle`.
    public var format: String
    /// The layout's version; see `currentFormatVersion`.
    public var formatVersion: Int
    /// The catalog that wrote the bundle.
    public var catalogVersion: String
    /// The project's name in the source registry.
    public var project: String
    /// When the snapshot was taken.
    public var createdAt: Date
    /// True when the bundle holds the schema and `_metadata` rows but no other data.
    public var metadataOnly: Bool
    /// The source server and database.
    public var source: Source
    /// The `_metadata` schema's version (catalog's own migrations); nil when `_metadata` was not installed.
    public var metadataVersion: Int?
    /// How many objects of each kind the schema holds (table, partition, view, sequence, …), for the import plan.
    public var objects: [String: Int]
    /// Every table's row count, read in the same snapshot as the dumps.
    public var tables: [TableRows]
    /// How many rows each `_metadata` table has in `metadata.jsonl`.
    public var metadataTables: [TableRows]
    /// The shared definitions the project is attached to, with the versions it uses.
    public var shared: [SharedUse]
    /// Every file of the bundle except this manifest.
    public var files: [File]
    /// How the export treated foreign-data-wrapper user mappings, which hold passwords:
    /// `userMappingsRefused` (the database had none; one that has some is refused) or
    /// `userMappingsIncluded` (`--include-user-mappings`: they are in the dumps). nil in older bundles.
    public var userMappings: String?

    /// The export refuses a database with user mappings, so this bundle has none.
    public static let userMappingsRefused = "refused"
    /// The export was asked to keep user mappings: the dumps hold them with their passwords.
    public static let userMappingsIncluded = "included"

    /// The source database: the server version and what `CREATE DATABASE` needs to recreate it.
    /// Never a host, a user or a password.
    public struct Source: Sendable, Equatable, Codable {
        /// Such as `15.18`.
        public var serverVersion: String
        /// Such as `150018`.
        public var serverVersionNumber: Int
        /// The source database's name.
        public var database: String
        /// Such as `UTF8`.
        public var encoding: String
        /// `libc`, `icu` or `builtin`.
        public var localeProvider: String
        /// `LC_COLLATE`, such as `C.UTF-8`.
        public var collate: String
        /// `LC_CTYPE`, such as `C.UTF-8`.
        public var ctype: String
        /// The ICU or builtin locale, when the provider is not libc.
        public var providerLocale: String?
        /// `ALTER DATABASE … SET` settings for every role (role-specific settings need the roles, so they stay behind).
        public var settings: [Setting]
    }

    /// One database-level setting.
    public struct Setting: Sendable, Equatable, Codable {
        /// The setting, such as `search_path`.
        public var name: String
        /// Its value, split into elements for list settings.
        public var values: [String]
    }

    /// One table and its row count.
    public struct TableRows: Sendable, Equatable, Codable {
        /// The table's schema.
        public var schema: String
        /// The table's name.
        public var name: String
        /// Its rows when the snapshot was taken.
        public var rows: Int

        /// `schema.name`, as messages show it.
        public var qualifiedName: String { "\(schema).\(name)" }
    }

    /// A shared definition the project uses: its history up to the newest version used, and the attachment.
    public struct SharedUse: Sendable, Equatable, Codable {
        /// The definition's name in the source store.
        public var name: String
        /// Versions 1 through the newest one used, so the target store can hold them under the same numbers.
        public var versions: [SharedVersionFile]
        /// The version the attachment is pinned to; nil follows the newest.
        public var pinnedVersion: Int?
        /// The version last synced into the project; nil when never synced.
        public var syncedVersion: Int?
        /// The local overrides sync kept (a JSON object, field path → value).
        public var overrides: String
        /// The version the project's `_metadata` copy is at: the synced one, else the newest bundled.
        public var usedVersion: Int { syncedVersion ?? versions.last?.version ?? 0 }
    }

    /// One version of a shared definition, stored as `shared/<name>/<version>.json`.
    public struct SharedVersionFile: Sendable, Equatable, Codable {
        /// The version's number.
        public var version: Int
        /// The SHA-256 of the canonical body, as the store keeps it.
        public var sha256: String
        /// Who made the version, kept when it is added to another store.
        public var author: String
        /// Why it was made.
        public var note: String?
    }

    /// One file in the bundle with its size and SHA-256.
    public struct File: Sendable, Equatable, Codable {
        /// The entry's path inside the archive.
        public var path: String
        /// Its size in bytes, uncompressed.
        public var size: Int64
        /// Its SHA-256, hex-encoded.
        public var sha256: String
    }

    /// The objects as a person reads them, such as `9 tables` and `1 view`.
    public var objectSummary: [String] {
        objects.sorted { $0.key < $1.key }.map { kind, count in
            "\(count) \(count == 1 ? kind : kind + (kind.hasSuffix("x") ? "es" : "s"))"
        }
    }

    /// The manifest as pretty, key-sorted JSON with snake_case keys.
    public func encoded() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.dateEncodingStrategy = .iso8601
        return try encoder.encode(self) + Data("\n".utf8)
    }

    /// Reads a manifest after checking its format name and version, so a newer bundle is refused by
    /// its version and not by a confusing decoding error.
    public static func decode(_ data: Data, file: String) throws -> BundleManifest {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        decoder.dateDecodingStrategy = .iso8601
        guard let header = try? decoder.decode(Header.self, from: data), header.format == formatName else {
            throw CatalogError(
                .failed, "\(file) is not a catalog bundle (its manifest.json is not a catalog manifest)", remedy: .giveABundle)
        }
        guard header.formatVersion <= currentFormatVersion else {
            throw CatalogError(
                "\(file) was written by a newer catalog (bundle format \(header.formatVersion); this catalog reads up to \(currentFormatVersion)); upgrade catalog and try again"
            )
        }
        do {
            return try decoder.decode(BundleManifest.self, from: data)
        } catch {
            throw CatalogError("\(file) has a damaged manifest.json (\(error)); export the project again")
        }
    }

    private struct Header: Decodable {
        var format: String
        var formatVersion: Int
    }
}
