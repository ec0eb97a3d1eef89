import Foundation
import Testing

@testable import CatalogCore

/// The import planner, the shared-definition reconciliation, temporary names and the verification,
/// without any server: every refusal is decided from the facts alone.
@Suite("Bundles: the import plan")
struct BundlePlanTests {
    static let now = Date(timeIntervalSince1970: 1_772_374_502)  // 2026-03-01 14:15:02 UTC
    static var quoting: RestorePlan.Quoting {
        RestorePlan.Quoting(
            identifier: { "\"" + $0.replacingOccurrences(of: "\"", with: "\"\"") + "\"" },
            literal: { "'" + $0.replacingOccurrences(of: "'", with: "''") + "'" })
    }

    static func manifest(shared: [BundleManifest.SharedUse] = [], metadataVersion: Int? = 2, metadataOnly: Bool = false) -> BundleManifest {
        BundleManifest(
            format: BundleManifest.formatName, formatVersion: 1, catalogVersion: "test", project: "billing", createdAt: now,
            metadataOnly: metadataOnly,
            source: BundleManifest.Source(
                serverVersion: "15.18", serverVersionNumber: 150018, database: "billing_db", encoding: "UTF8",
                localeProvider: "libc", collate: "C.UTF-8", ctype: "C.UTF-8", providerLocale: nil,
                settings: [BundleManifest.Setting(name: "search_path", values: ["app", "public"])]),
            metadataVersion: metadataVersion, objects: ["table": 2, "view": 1],
            tables: [
                BundleManifest.TableRows(schema: "_metadata", name: "mappings_table", rows: 2),
                BundleManifest.TableRows(schema: "public", name: "users", rows: 3),
            ],
            metadataTables: [BundleManifest.TableRows(schema: "_metadata", name: "mappings_table", rows: 2)],
            shared: shared, files: [])
    }

    static func use(_ name: String, _ shas: [String], synced: Int? = nil, pinned: Int? = nil) -> BundleManifest.SharedUse {
        BundleManifest.SharedUse(
            name: name,
            versions: shas.enumerated().map {
                BundleManifest.SharedVersionFile(version: $0.offset + 1, sha256: $0.element, author: "ann", note: nil)
            },
            pinnedVersion: pinned, syncedVersion: synced, overrides: "{}")
    }

    static func server(exists: Bool = false, objects: [String] = [], sessions: Int = 0, names: Set<String> = ["postgres"]) -> ImportFacts.Target {
        .reachable(
            ImportFacts.TargetServer(
                databaseExists: exists, objectCount: objects.count, someObjects: Array(objects.prefix(3)),
                otherSessions: sessions, databaseNames: names))
    }

    static func plan(
        _ manifest: BundleManifest = manifest(), target: ImportFacts.Target = server(), taken: Bool = false, store: [String: [Int: String]] = [:],
        dsn: String = "postgresql://app:secret@db2:5432/billing_db", create: Bool = true, replace: Bool = false,
        choice: ImportRequest.SharedChoice = .refuse, keepOwners: Bool = false, name: String? = nil
    ) throws -> ImportPlan {
        let request = ImportRequest(
            name: name, dsn: dsn, tags: ["prod"], createDatabase: create, replace: replace, keepOwners: keepOwners,
            sharedChoice: choice, catalogVersion: "test")
        return try ImportPlanner.plan(
            bundle: "billing.catalog", manifest: manifest, request: request,
            facts: ImportFacts(nameTaken: taken, storeVersions: store, target: target), now: now, quoting: quoting)
    }

    @Test("a new database: created under a temporary name with the source's encoding, locale and settings, renamed last")
    func createMode() throws {
        let plan = try Self.plan()
        #expect(plan.mode == .create && plan.project == "billing" && plan.database == "billing_db")
        #expect(plan.temporaryDatabase == "billing_db_importing_20260301141502")
        #expect(
            plan.createStatements == [
                "CREATE DATABASE \"billing_db_importing_20260301141502\" WITH TEMPLATE = template0 ENCODING = 'UTF8' LC_COLLATE = 'C.UTF-8' LC_CTYPE = 'C.UTF-8'",
                "ALTER DATABASE \"billing_db_importing_20260301141502\" SET \"search_path\" TO 'app', 'public'",
            ])
        #expect(plan.swapStatements == ["ALTER DATABASE \"billing_db_importing_20260301141502\" RENAME TO \"billing_db\""])
        #expect(plan.restoreOptions == ["--single-transaction", "--exit-on-error", "--no-owner", "--no-acl"])
        #expect(plan.steps.contains { $0.hasSuffix("\(BundleLayout.database): 2 tables, 1 view; 5 rows in 2 tables") })
        #expect(plan.steps.first == "target: database billing_db on app@db2:5432, a new database, restored under a temporary name and renamed last")
        #expect(plan.maskedDSN == "postgresql://app:****@db2:5432/billing_db")
        #expect(plan.steps.last == "register project \"billing\" as postgresql://app:****@db2:5432/billing_db with tags prod")
        #expect(!plan.steps.joined().contains("secret"))
        #expect(try Self.plan(keepOwners: true).restoreOptions == ["--single-transaction", "--exit-on-error"])
    }

    @Test("an existing empty database is restored into directly; one that holds data only with --replace, when no one is connected")
    func existingDatabase() throws {
        let empty = try Self.plan(target: Self.server(exists: true), create: false)
        #expect(empty.mode == .intoEmpty && empty.temporaryDatabase == nil && empty.createStatements.isEmpty && empty.swapStatements.isEmpty)

        let busy = Self.server(exists: true, objects: ["table public.a", "table public.b", "view public.c", "schema app"])
        #expect {
            try Self.plan(target: busy)
        } throws: { error in
            error as? CatalogError
                == CatalogError(
                    .refused,
                    "database billing_db on app@db2:5432 already holds data (4 objects: table public.a, table public.b, view public.c, …); nothing was changed",
                    remedy: .allowReplace)
        }
        let replace = try Self.plan(target: busy, replace: true)
        #expect(replace.mode == .replace && replace.setAsideDatabase == "billing_db_before_import_20260301141502")
        #expect(
            replace.swapStatements == [
                "ALTER DATABASE \"billing_db\" RENAME TO \"billing_db_before_import_20260301141502\"",
                "ALTER DATABASE \"billing_db_importing_20260301141502\" RENAME TO \"billing_db\"",
            ])
        #expect(replace.dropSetAsideStatement == "DROP DATABASE \"billing_db_before_import_20260301141502\"")
        #expect(replace.steps.contains("back up database billing_db with pg_dump -Fc (safety backup)"))
        #expect(
            throws: CatalogError(
                "2 other session(s) are connected to database billing_db on app@db2:5432; close them before replacing it; nothing was changed")
        ) {
            try Self.plan(target: Self.server(exists: true, objects: ["table public.a"], sessions: 2), replace: true)
        }
        #expect(throws: CatalogError(.refused, "database billing_db on app@db2:5432 does not exist; nothing was changed", remedy: .createDatabase)) {
            try Self.plan(create: false)
        }
    }

    @Test("refusals: a registered name, an unreachable server, a DSN without a database, a newer _metadata, a bad name")
    func refusals() throws {
        #expect(
            throws: CatalogError(
                .alreadyExists, "project \"billing\" is already registered; nothing was changed", remedy: .importUnderAnotherName("billing"))
        ) {
            try Self.plan(taken: true)
        }
        #expect(
            throws: CatalogError(
                .unreachable, "the target server app@db2:5432 cannot be reached: connection refused; nothing was changed", remedy: .checkTargetServer)
        ) {
            try Self.plan(target: .unreachable("connection refused"))
        }
        #expect(
            throws: CatalogError(
                .refused, "the target connection string names no database; nothing was changed",
                remedy: .nameTargetDatabase(example: "postgresql://user@host/billing_db"))
        ) {
            try Self.plan(dsn: "postgresql://app@db2:5432")
        }
        #expect {
            try Self.plan(Self.manifest(metadataVersion: MetadataSchema.latestVersion + 1))
        } throws: { error in
            "\(error)".contains("newer than this catalog knows") && "\(error)".contains("upgrade catalog")
        }
        #expect(throws: CatalogError.self) { try Self.plan(name: "no spaces please") }
        // The registered name is checked before the server is even needed.
        #expect(throws: CatalogError.self) { try Self.plan(target: .unreachable("down"), taken: true) }
    }

    @Test("leftovers of an interrupted import into the same database are dropped first; others are left alone")
    func leftovers() throws {
        let names: Set<String> = [
            "postgres", "billing_db_importing_20260101000000", "billing_db_importing_20260101000000_2",
            "billing_db_importing_soon", "other_db_importing_20260101000000", "billing_db_restoring_20260101000000",
        ]
        let plan = try Self.plan(target: Self.server(names: names))
        #expect(plan.leftovers == ["billing_db_importing_20260101000000", "billing_db_importing_20260101000000_2"])
        #expect(
            plan.dropStatement("billing_db_importing_20260101000000")
                == "DROP DATABASE IF EXISTS \"billing_db_importing_20260101000000\" WITH (FORCE)")
        #expect(plan.steps[1].hasPrefix("drop billing_db_importing_20260101000000, a temporary database left by an interrupted import"))
    }

    @Test("temporary names fit in 63 bytes, cut on a character boundary, and are recognised again")
    func names() {
        let long = String(repeating: "é", count: 40)
        let temporary = ImportNames.temporary(long, at: Self.now, taken: [])
        #expect(temporary.utf8.count <= 63 && temporary.hasSuffix("_importing_20260301141502"))
        #expect(BackupRestoreNames.isTemporary(temporary, of: long, marker: ImportNames.temporaryMarker))
        let second = ImportNames.temporary(long, at: Self.now, taken: [temporary])
        #expect(
            second != temporary && second.utf8.count <= 63 && BackupRestoreNames.isTemporary(second, of: long, marker: ImportNames.temporaryMarker))
        #expect(!BackupRestoreNames.isTemporary(temporary, of: String(repeating: "é", count: 10), marker: ImportNames.temporaryMarker))
        #expect(!BackupRestoreNames.isTemporary("billing_db_importing_2026030114150", of: "billing_db", marker: ImportNames.temporaryMarker))
        #expect(BackupRestoreNames.isTemporary("a_importing_b_importing_20260301141502", of: "a_importing_b", marker: ImportNames.temporaryMarker))
    }

    @Test("shared definitions: add, attach, extend, and a clash refused or settled by --keep-target or --adopt-bundle")
    func shared() throws {
        let uses = [Self.use("users", ["u1", "u2"], synced: 2), Self.use("settings", ["s1"], synced: 1, pinned: 1)]
        let added = try Self.plan(Self.manifest(shared: uses)).shared
        #expect(added.map(\.action) == [.add, .add] && added[0].addedVersions == [1, 2] && added[1].pinnedVersion == 1)
        let same = try Self.plan(Self.manifest(shared: uses), store: ["users": [1: "u1", 2: "u2", 3: "u3"], "settings": [1: "s1"]]).shared
        #expect(same.map(\.action) == [.attach, .attach] && same[0].addedVersions.isEmpty && same[0].syncedVersion == 2)
        let extended = try Self.plan(Self.manifest(shared: uses), store: ["users": [1: "u1"]]).shared
        #expect(extended[0].action == .extend && extended[0].addedVersions == [2])
        #expect(extended[0].detail == "this store has version 1, identical: add version 2, attach (synced at version 2)")

        let clash: [String: [Int: String]] = ["users": [1: "u1", 2: "other", 3: "x"], "settings": [1: "zzz"]]
        #expect(
            throws: CatalogError(
                .refused,
                "shared definitions \"users\" (version 2) and \"settings\" (version 1) differ between the bundle and this store; nothing was changed",
                remedy: .chooseSharedVersion)
        ) {
            try Self.plan(Self.manifest(shared: uses), store: clash)
        }
        let kept = try Self.plan(Self.manifest(shared: uses), store: clash, choice: .keepTarget).shared
        #expect(kept.map(\.action) == [.keepTarget, .keepTarget] && kept.allSatisfy { $0.syncedVersion == nil && $0.pinnedVersion == nil })
        let adopted = try Self.plan(Self.manifest(shared: uses), store: clash, choice: .adoptBundle)
        #expect(adopted.shared[0].adopted == ImportSharedStep.Adoption(bundleVersion: 2, storeVersion: 4) && adopted.shared[0].syncedVersion == 4)
        #expect(adopted.shared[1].adopted == ImportSharedStep.Adoption(bundleVersion: 1, storeVersion: 2) && adopted.shared[1].pinnedVersion == 2)
        #expect(adopted.steps.contains("UPDATE _metadata.mappings_table SET shared_version = 4 WHERE shared_name = 'users'"))
    }

    @Test("verification: counts and _metadata rows must match; the revision counter may move; metadata-only checks only _metadata")
    func verification() {
        let manifest = Self.manifest()
        let bundled = ["mappings_table": ["{\"a\": 1}", "{\"b\": 2}"], "revision": ["{\"value\": 4}"]]
        let tables = [
            BundleManifest.TableRows(schema: "_metadata", name: "mappings_table", rows: 2),
            BundleManifest.TableRows(schema: "public", name: "users", rows: 3),
        ]
        let moved = ["mappings_table": ["{\"a\": 1}", "{\"b\": 2}"], "revision": ["{\"value\": 6}"]]
        let good = ImportVerification.compare(manifest: manifest, bundledRows: bundled, tables: tables, metadataRows: moved)
        #expect(good.isOK && good.checks.first { $0.object == "_metadata.revision" }?.note == "the revision counter moved during the restore")

        let short = [tables[0], BundleManifest.TableRows(schema: "public", name: "users", rows: 2)]
        let changed = ["mappings_table": ["{\"a\": 1}", "{\"b\": 3}"], "revision": ["{\"value\": 4}"]]
        let bad = ImportVerification.compare(manifest: manifest, bundledRows: bundled, tables: short, metadataRows: changed)
        #expect(!bad.isOK)
        #expect(bad.problems == "public.users: has 2 rows, the manifest says 3; _metadata.mappings_table: 2 row(s) differ from the bundle")

        let metadataOnly = ImportVerification.compare(
            manifest: Self.manifest(metadataOnly: true), bundledRows: bundled,
            tables: [tables[0]], metadataRows: bundled)
        #expect(metadataOnly.isOK && !metadataOnly.checks.contains { $0.object == "public.users" })
    }

    @Test("a manifest of a newer format is refused by its version; anything else that is not a manifest, as not a bundle")
    func manifestVersions() throws {
        let encoded = try Self.manifest().encoded()
        #expect(try BundleManifest.decode(encoded, file: "b.catalog") == Self.manifest())
        let newer = String(decoding: encoded, as: UTF8.self).replacingOccurrences(of: "\"format_version\" : 1", with: "\"format_version\" : 7")
        #expect(
            throws: CatalogError(
                "b.catalog was written by a newer catalog (bundle format 7; this catalog reads up to 1); upgrade catalog and try again")
        ) {
            try BundleManifest.decode(Data(newer.utf8), file: "b.catalog")
        }
        #expect(
            throws: CatalogError(
                .failed, "b.catalog is not a catalog bundle (its manifest.json is not a catalog manifest)", remedy: .giveABundle)
        ) {
            try BundleManifest.decode(Data("{\"hello\": 1}".utf8), file: "b.catalog")
        }
    }
}
