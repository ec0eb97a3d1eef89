import CatalogSupport
import Foundation
import PostgresClient

/// The database half of an import: `pg_restore`, the check against the manifest, the `_metadata` rewrite of
/// `--adopt-bundle`, and the rename. Every way it fails says what was left, and that is never a database
/// under the target name that did not pass the check.
struct ImportRestore {
    let plan: ImportPlan
    let bundle: BundleContents
    let target: ConnectionString
    let tools: PgTools
    let connectTimeout: Int
    let progress: (@Sendable (String) -> Void)?

    /// Restores into the temporary database, checks it, and renames it (with the old database aside, under
    /// `--replace`) in one transaction from the maintenance database. Any failure drops the temporary database.
    func underTemporaryName(_ maintenance: Connection) throws -> ImportVerification {
        guard let temporary = plan.temporaryDatabase, let first = plan.createStatements.first else {
            throw CatalogError("the import plan has no temporary database; make the plan again")
        }
        let untouched = plan.mode == .replace ? "database \(plan.database) was not touched" : "no database \(plan.database) was created"
        progress?("creating \(temporary)")
        do {
            try maintenance.execute(script: first)
        } catch {
            throw CatalogError("could not create the temporary database \(temporary): \(CatalogError.wrap(error).message); \(untouched)")
        }
        do {
            for statement in plan.createStatements.dropFirst() { try maintenance.execute(script: statement) }
            try pgRestore(into: temporary)
            let verification = try verify(temporary)
            guard verification.isOK else { throw CatalogError("the restored copy does not match the bundle: \(verification.problems)") }
            try adoptSharedVersions(in: temporary)
            progress?("renaming \(temporary) to \(plan.database)")
            try maintenance.transaction {
                for statement in plan.swapStatements { try maintenance.execute(script: statement) }
            }
            return verification
        } catch {
            if let drop = plan.dropStatement(temporary) { try? maintenance.execute(script: drop) }
            throw CatalogError(
                "importing into \(plan.database) failed: \(CatalogError.wrap(error).message); \(untouched), and the temporary database \(temporary) was removed"
            )
        }
    }

    /// Restores straight into the existing empty database in one transaction, then checks it. A copy that
    /// fails the check stays (the restore committed) and is returned as it is, for the caller to report.
    func intoEmpty() throws -> ImportVerification {
        do {
            try pgRestore(into: plan.database)
        } catch {
            throw CatalogError(
                "importing into \(plan.database) failed: \(CatalogError.wrap(error).message); pg_restore ran in one transaction, so the database is still empty"
            )
        }
        let verification = try verify(plan.database)
        if verification.isOK { try adoptSharedVersions(in: plan.database) }
        return verification
    }

    private func pgRestore(into database: String) throws {
        progress?("pg_restore into \(database)")
        let tool = BackupToolConnection(target.replacing("dbname", with: database), connectTimeout: connectTimeout)
        let outcome = try ChildProcess(
            tools.pgRestore,
            plan.restoreOptions + [
                "--no-password", tool.dbnameArgument, bundle.file(BundleLayout.database),
            ], environment: tool.environment
        ).run()
        guard outcome.status == 0 else {
            throw CatalogError("pg_restore failed: \(PgTools.summary(outcome.stderr))\(PgTools.advice(for: outcome.stderr))")
        }
    }

    /// Row counts and `_metadata` rows of the copy against the manifest; the connection closes on return.
    private func verify(_ database: String) throws -> ImportVerification {
        progress?("checking \(database) against the manifest")
        let connection = try Connection(target.replacing("dbname", with: database), connectTimeout: connectTimeout)
        return ImportVerification.compare(
            manifest: bundle.manifest, bundledRows: try bundle.metadataRows(),
            tables: try BundleTableCounts.read(on: connection),
            metadataRows: try BundleMetadataRows.read(on: connection))
    }

    /// Points the copy's `_metadata` at the store's numbers for definitions adopted from the bundle.
    private func adoptSharedVersions(in database: String) throws {
        let adoptions = plan.shared.compactMap { step in step.syncedVersion == nil ? nil : step.adopted.map { (step.name, $0.storeVersion) } }
        guard !adoptions.isEmpty else { return }
        let connection = try Connection(target.replacing("dbname", with: database), connectTimeout: connectTimeout)
        try connection.transaction {
            try connection.query("SELECT pg_advisory_xact_lock($1)", [MetadataSchema.advisoryLockKey])
            for (name, version) in adoptions {
                try connection.query("UPDATE _metadata.mappings_table SET shared_version = $1 WHERE shared_name = $2", [version, name])
            }
        }
    }
}
