import GRDB
import GRDBSQLite

/// What a `catalog sql` statement reads, found by compiling it (never running it) over the
/// documented relations of an empty store under an authorizer that records every read. A PostgreSQL
/// store copies only this into its in-memory SQLite database: the index tables the statement uses,
/// and of those only the columns it reads through the documented relations.
///
/// SQLite reports a read of each column a statement resolves, through `*`, joins, `USING` and views
/// included; a view's body reads every column of the relations it selects from, which is how a read
/// of `shared_columns` also reads all of `columns` and `tables`. A relation that is used with no
/// column read (`count(*)`) still reads its index table's columns inside its private view.
final class FederatedSQLReads {
    /// Columns read, by relation or table: `columns`, `tables`, `audit` (documented relations, in
    /// temp) and `index_column`, `index_table`, `audit_log` (the store's tables, in main).
    private(set) var reads: [String: Set<String>] = [:]

    /// Whether the statement uses the store table `table` at all.
    func uses(_ table: String) -> Bool { reads[table] != nil }

    /// True when the statement joins with USING or NATURAL: SQLite builds the right side's join
    /// columns without reporting them, so every column of the relations it uses is copied.
    private(set) var joinsImplicitly = false

    /// The columns of the documented relation `relation` the statement reads; nil for all of them.
    func columns(of relation: String) -> Set<String>? { joinsImplicitly ? nil : reads[relation] ?? [] }

    private func record(_ table: String, _ column: String, database: String?) {
        let table = table.lowercased()
        switch (database, table) {
        case ("main", "index_column"), ("main", "index_table"), ("main", "audit_log"):
            reads[table, default: []].insert(column.lowercased())
        case ("temp", "columns"), ("temp", "tables"), ("temp", "audit"):
            reads[table, default: []].insert(column.lowercased())
        default:
            break
        }
    }

    /// The reads of `sql`'s first statement, or nil when it does not compile (the query that runs
    /// after will then say why).
    static func of(_ sql: String) -> FederatedSQLReads? {
        do {
            let queue = try DatabaseQueue()
            return try queue.inDatabase { db in
                for migration in Store.migrations { try db.execute(sql: migration.sql) }
                try db.execute(sql: Store.federatedViews(tag: "catalog_reads"), arguments: ["[]"])
                let reads = FederatedSQLReads()
                reads.joinsImplicitly = FederatedRelations.mentions("using", in: sql) || FederatedRelations.mentions("natural", in: sql)
                try withExtendedLifetime(reads) {
                    sqlite3_set_authorizer(
                        db.sqliteConnection,
                        { context, action, first, second, database, _ in
                            if action == SQLITE_READ, let first, let second {
                                Unmanaged<FederatedSQLReads>.fromOpaque(context!).takeUnretainedValue()
                                    .record(String(cString: first), String(cString: second), database: database.map { String(cString: $0) })
                            }
                            return SQLITE_OK
                        }, Unmanaged.passUnretained(reads).toOpaque())
                    defer { sqlite3_set_authorizer(db.sqliteConnection, nil, nil) }
                    var statement: OpaquePointer?
                    let code = sqlite3_prepare_v2(db.sqliteConnection, sql, -1, &statement, nil)
                    sqlite3_finalize(statement)
                    if code != SQLITE_OK { throw DatabaseError(resultCode: ResultCode(rawValue: code)) }
                }
                return reads
            }
        } catch {
            return nil
        }
    }
}
