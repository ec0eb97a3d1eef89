import GRDB
import GRDBSQLite

/// The SQLite authorizer a `catalog sql` statement is compiled under. It lets a statement read the
/// documented relations (`projects`, `tables`, `columns`, `shared_tables`, `shared_columns`, `audit`), call
/// the functions in ``functions``, and nothing else: no other table of the store (`main.project`
/// holds every DSN), no `sqlite_master`, no `pragma_*` table-valued function, no ATTACH, no write.
///
/// The documented relations are views over private views named with a `tag` drawn fresh for each
/// query. SQLite names the innermost view a read comes from, and only reads made inside the private
/// views may touch the index tables of `main`. A common table expression can take any name the
/// statement knows, but not a tag it cannot have seen: the tag lives only in the connection's own
/// temp schema, which the statement may not read.
final class FederatedSQLAuthorizer {
    /// The relations a statement may name.
    static let relations: Set<String> = ["projects", "tables", "columns", "shared_tables", "shared_columns", "audit"]

    /// The store tables the private views read, each only from inside those views: the index, and the
    /// audit log (its entries about the selected projects).
    static let indexTables: Set<String> = ["index_table", "index_column", "audit_log"]

    /// Eponymous table-valued functions that read nothing but their arguments.
    static let tableFunctions: Set<String> = ["json_each", "json_tree"]

    /// The functions a statement may call: SQLite's core, date, math, window, aggregate and JSON
    /// functions. Left out are those that reveal the process or the connection (`fts3_tokenizer`,
    /// `sqlite_*`, `last_insert_rowid`, `changes`), load code (`load_extension`) or make huge values.
    static let functions: Set<String> = [
        // core scalar
        "abs", "char", "coalesce", "concat", "concat_ws", "format", "glob", "hex", "ifnull", "iif", "instr",
        "length", "like", "likelihood", "likely", "lower", "ltrim", "max", "min", "nullif", "octet_length",
        "printf", "quote", "random", "replace", "round", "rtrim", "sign", "soundex", "substr", "substring",
        "trim", "typeof", "unhex", "unicode", "unlikely", "upper",
        // date and time
        "date", "time", "datetime", "julianday", "unixepoch", "strftime", "timediff",
        "current_date", "current_time", "current_timestamp",
        // aggregate
        "avg", "count", "group_concat", "string_agg", "sum", "total",
        // window
        "row_number", "rank", "dense_rank", "percent_rank", "cume_dist", "ntile", "lag", "lead",
        "first_value", "last_value", "nth_value",
        // math
        "acos", "acosh", "asin", "asinh", "atan", "atan2", "atanh", "ceil", "ceiling", "cos", "cosh",
        "degrees", "exp", "floor", "ln", "log", "log10", "log2", "mod", "pi", "pow", "power", "radians",
        "sin", "sinh", "sqrt", "tan", "tanh", "trunc",
        // JSON
        "json", "json_array", "json_array_length", "json_error_position", "json_extract", "json_insert",
        "json_object", "json_patch", "json_pretty", "json_quote", "json_remove", "json_replace", "json_set",
        "json_type", "json_valid", "json_group_array", "json_group_object", "->", "->>",
    ]

    /// The prefix of this query's private temp objects.
    let tag: String

    /// What the statement was refused for, in words; nil while nothing was refused.
    private(set) var refusal: String?

    /// The lowercased names of the tables and views in the store and the temp schema.
    let schemaNames: Set<String>

    init(tag: String, schemaNames: Set<String>) {
        self.tag = tag
        self.schemaNames = schemaNames
    }

    /// Replaces GRDB's authorizer on this connection, which is used for one query only. The
    /// authorizer must outlive the connection's last statement.
    func install(on db: Database) {
        let context = Unmanaged.passUnretained(self).toOpaque()
        sqlite3_set_authorizer(
            db.sqliteConnection,
            { context, action, first, second, database, inner in
                Unmanaged<FederatedSQLAuthorizer>.fromOpaque(context!).takeUnretainedValue()
                    .authorize(
                        action, first.map { String(cString: $0) }, second.map { String(cString: $0) },
                        database.map { String(cString: $0) }, inner.map { String(cString: $0) })
            }, context)
    }

    /// Removes the authorizer before it goes away; the connection allows nothing more after it.
    func uninstall(from db: Database) {
        sqlite3_set_authorizer(db.sqliteConnection, { _, _, _, _, _, _ in SQLITE_DENY }, nil)
    }

    /// SQLITE_OK to allow, SQLITE_DENY (recording why) for everything else.
    func authorize(_ action: Int32, _ first: String?, _ second: String?, _ database: String?, _ inner: String?) -> Int32 {
        switch action {
        case SQLITE_SELECT, SQLITE_RECURSIVE:
            return SQLITE_OK
        case SQLITE_READ:
            let table = first ?? ""
            if allowsRead(table: table.lowercased(), column: second ?? "", database: database, inner: inner) { return SQLITE_OK }
            return deny("it reads \(database.map { $0 + "." } ?? "")\(table), which catalog sql does not offer")
        case SQLITE_FUNCTION:
            let name = (second ?? "").lowercased()
            if FederatedSQLAuthorizer.functions.contains(name) { return SQLITE_OK }
            return deny("it calls \(name)(), which catalog sql does not allow")
        case SQLITE_PRAGMA:
            return deny("it runs PRAGMA \(first ?? "")")
        case SQLITE_ATTACH, SQLITE_DETACH:
            return deny("it attaches or detaches a database")
        default:
            return deny("it would write or change settings")
        }
    }

    private func allowsRead(table: String, column: String, database: String?, inner: String?) -> Bool {
        guard let database else {
            // SQLite's "table used, no column read" (an empty column) names the table as written,
            // without a schema: a common table expression, or a table of the store.
            guard column.isEmpty else { return false }
            return FederatedSQLAuthorizer.relations.contains(table) || table.hasPrefix(tag) || !schemaNames.contains(table)
        }
        switch database {
        case "temp":
            // The documented relations and this query's private objects hold only selected projects.
            return FederatedSQLAuthorizer.relations.contains(table) || table.hasPrefix(tag)
        case "main":
            if FederatedSQLAuthorizer.tableFunctions.contains(table) { return true }
            // An empty column is SQLite's "table used, no column read"; the private views always
            // read a column, so such a read comes from the statement itself.
            guard FederatedSQLAuthorizer.indexTables.contains(table), !column.isEmpty, let inner else { return false }
            return inner.hasPrefix(tag)
        default:
            return false
        }
    }

    private func deny(_ reason: String) -> Int32 {
        if refusal == nil { refusal = reason }
        return SQLITE_DENY
    }
}
