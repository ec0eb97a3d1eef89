import PostgresClient

/// Runs one project's steps in one transaction under the `_metadata` advisory lock, statement by
/// statement, so a failure names the file and line and leaves the project as it was.
enum MigrationExecutor {
    /// How long a run waits for another catalog command holding the lock before it gives up.
    static let lockWaitSeconds = 60

    /// The statements sent before the steps, exactly as sent.
    static func preamble(_ direction: MigrationDirection) -> [String] {
        var statements = [
            "SET LOCAL lock_timeout = '\(lockWaitSeconds)s'",
            "SELECT pg_advisory_xact_lock(\(MetadataSchema.advisoryLockKey))",
            "SET LOCAL lock_timeout TO DEFAULT",
        ]
        if direction == .up { statements += ["CREATE SCHEMA IF NOT EXISTS _metadata", MetadataSchema.createLedger] }
        return statements
    }

    /// Applies the steps the project still needs once it holds the lock (a concurrent run may have
    /// done some), and returns them. Any error rolls the whole project back.
    static func run(_ project: ProjectMigrationPlan, of plan: MigrationPlan, on connection: Connection) throws -> [MigrationStep] {
        let name = project.project
        return try connection.transaction {
            do {
                for statement in preamble(plan.direction) { try connection.execute(script: statement) }
            } catch let error as PostgresError where error.sqlState == SQLState.lockNotAvailable {
                throw CatalogError(
                    "project \"\(name)\": another catalog command has been changing its _metadata for over \(lockWaitSeconds) s; try again when it has finished; nothing was changed"
                )
            }
            let applied = try MetadataSchema.applied(on: connection)
            let steps = try MigrationPlan.steps(direction: plan.direction, target: plan.target, known: plan.known, applied: applied, project: name)
            let planned = Set(project.steps.map(\.migration.version))
            guard steps.allSatisfy({ planned.contains($0.migration.version) }) else {
                throw CatalogError("project \"\(name)\": its _metadata changed after the plan was made; run the command again; nothing was changed")
            }
            for step in steps {
                for statement in step.statements {
                    do {
                        try connection.execute(script: statement.text)
                    } catch let error as PostgresError {
                        throw PostgresAdvice.error(error) {
                            "project \"\(name)\": \(step.file) line \(statement.line): \($0); the project was rolled back and nothing of this run changed it"
                        }
                    }
                }
                try connection.query(step.ledgerQuery)
            }
            return steps
        }
    }

    /// The exact SQL `run` sends to a project, with bound values written inline, for `--plan`.
    static func script(_ project: ProjectMigrationPlan, direction: MigrationDirection) -> [String] {
        guard !project.steps.isEmpty else { return [] }
        var lines = ["BEGIN;"] + preamble(direction).map { $0 + ";" }
        for step in project.steps {
            lines.append("-- \(step.migration.identifier)\(direction == .down ? " (down)" : ""): \(step.file)")
            for destructive in step.destructive {
                lines.append("-- DESTRUCTIVE at line \(destructive.line): \(destructive.kind)")
            }
            lines += step.statements.map { $0.text + ";" }
            switch direction {
            case .up:
                let name = step.migration.name.replacingOccurrences(of: "'", with: "''")
                lines.append(
                    "INSERT INTO _metadata.schema_migrations (version, name, checksum) VALUES (\(step.migration.version), '\(name)', '\(step.migration.checksum)');"
                )
            case .down:
                lines.append("DELETE FROM _metadata.schema_migrations WHERE version = \(step.migration.version);")
            }
        }
        return lines + ["COMMIT;"]
    }
}

extension ProjectMigrationPlan {
    /// The exact SQL a run sends to this project, in order, with bound values written inline; empty when there is nothing to do.
    public func script(direction: MigrationDirection) -> [String] {
        MigrationExecutor.script(self, direction: direction)
    }
}
