import Foundation
import GRDB
import GRDBSQLite

/// One relation's mapping as copied into the search index.
public struct IndexedTable: Sendable, Equatable {
    public var schema: String?
    public var name: String
    public var kind: String?
    public var graphqlType: String?
    public var label: String?
    public var description: String?
    public var isShared: Bool?
    public var sharedName: String?
    public var sharedVersion: Int?
    /// A partition of a partitioned table (`pg_class.relispartition`); nil when the copy did not read it.
    public var isPartition: Bool?

    public init(
        schema: String?, name: String, kind: String?, graphqlType: String?, label: String?, description: String?,
        isShared: Bool?, sharedName: String?, sharedVersion: Int?, isPartition: Bool? = nil
    ) {
        self.isPartition = isPartition
        self.schema = schema
        self.name = name
        self.kind = kind
        self.graphqlType = graphqlType
        self.label = label
        self.description = description
        self.isShared = isShared
        self.sharedName = sharedName
        self.sharedVersion = sharedVersion
    }
}

/// One column's mapping as copied into the search index.
public struct IndexedColumn: Sendable, Equatable {
    public var project: String = ""
    public var schema: String?
    public var table: String
    public var kind: String?
    public var name: String
    public var type: String?
    public var graphqlField: String?
    public var label: String?
    public var description: String?
    public var isNullable: Bool?
    public var validationRules: String?
    public var position: Int?

    public init(
        project: String = "", schema: String?, table: String, kind: String?, name: String, type: String?, graphqlField: String?,
        label: String?, description: String?, isNullable: Bool?, validationRules: String?, position: Int?
    ) {
        self.project = project
        self.schema = schema
        self.table = table
        self.kind = kind
        self.name = name
        self.type = type
        self.graphqlField = graphqlField
        self.label = label
        self.description = description
        self.isNullable = isNullable
        self.validationRules = validationRules
        self.position = position
    }
}

/// A project's entry in the index: which `_metadata` revision of which incarnation of the database it
/// holds, and when it was confirmed. A revision alone is not enough: after a restore the counter goes
/// back and may reach the same number again with other content.
public struct IndexState: Sendable, Equatable {
    public var project: String
    public var revision: Int64?
    /// The incarnation (`OID/lineage`) the copy was read from; nil for copies made before catalog recorded it.
    public var incarnation: String?
    public var metadataVersion: Int?
    public var fetchedAt: Date
    /// The database's LC_CTYPE as `CharacterRules` reads it; nil until a live read recorded it.
    public var ctype: String?
    /// Whether the copy holds the project's user-defined types (`indexedTypes`): copies made before the
    /// store kept them do not, and the next live read replaces them.
    public var hasTypes: Bool = false
}

/// A fresh copy of one project's mappings, or a confirmation that the copy held is still current.
public enum IndexUpdate: Sendable {
    /// `types` is the project's enums, domains and composite types as one JSON array, opaque to the store.
    case replace(
        project: String, revision: Int64?, incarnation: String?, metadataVersion: Int?, tables: [IndexedTable], columns: [IndexedColumn],
        types: String? = nil)
    case confirm(project: String)
}

extension Store {
    /// The index state of every project that has one, by project name.
    public func indexStates() throws -> [String: IndexState] {
        try read { db in
            // Stepped by hand, each value read where SQLite holds it: every search reads the state of every project.
            let statement = try db.makeStatement(
                sql: """
                    SELECT p.name, s.revision, s.incarnation, s.metadata_version, s.fetched_at, s.ctype,
                           s.pg_types IS NOT NULL AS has_types
                    FROM index_state s JOIN project p ON p.id = s.project_id
                    """)
            var states: [String: IndexState] = [:]
            try SteppedRows.forEach(statement, in: db) { row in
                let name = row.text(0) ?? ""
                states[name] = IndexState(
                    project: name, revision: row.optionalInt64(1), incarnation: row.text(2), metadataVersion: row.optionalInt(3),
                    fetchedAt: StoredDate.read(row, 4) ?? Date(), ctype: row.text(5), hasTypes: row.optionalBool(6) ?? false)
            }
            return states
        }
    }

    /// Applies many updates in one transaction: replaced projects get their rows rewritten, confirmed ones a new time.
    public func applyIndexUpdates(_ updates: [IndexUpdate], at date: Date) throws {
        guard !updates.isEmpty else { return }
        try write { db in try Self.writeIndexUpdates(updates, at: date, db) }
    }

    /// The writes of `applyIndexUpdates`, inside a transaction the caller holds.
    static func writeIndexUpdates(_ updates: [IndexUpdate], at date: Date, _ db: Database) throws {
        let ids = try Dictionary(
            uniqueKeysWithValues: Row.fetchAll(db, sql: "SELECT id, name FROM project").map { row -> (String, Int64) in
                (row["name"], row["id"])
            })
        let insertTable = try db.cachedStatement(
            sql: """
                INSERT INTO index_table (project_id, pg_schema, table_name, name_folded, relation_kind, graphql_type, label,
                    description, is_shared, shared_name, shared_version, is_partition) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """)
        let insertColumn = try db.cachedStatement(
            sql: """
                INSERT INTO index_column (project_id, pg_schema, table_name, relation_kind, pg_column, name_folded, pg_type,
                    graphql_field, label, description, is_nullable, validation_rules, position)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """)
        // Every confirmation in one statement: on a warm service most updates are confirmations.
        let confirmed = updates.compactMap { update -> Int64? in
            if case .confirm(let project) = update { return ids[project] }
            return nil
        }
        if !confirmed.isEmpty {
            try db.cachedStatement(sql: "UPDATE index_state SET fetched_at = ? WHERE project_id IN (SELECT value FROM json_each(?))")
                .execute(arguments: [date, try Store.jsonArray(confirmed)])
        }
        for update in updates {
            switch update {
            case .confirm:
                continue
            case .replace(let project, let revision, let incarnation, let version, let tables, let columns, let types):
                guard let id = ids[project] else { continue }
                try db.cachedStatement(sql: "DELETE FROM index_table WHERE project_id = ?").execute(arguments: [id])
                try db.cachedStatement(sql: "DELETE FROM index_column WHERE project_id = ?").execute(arguments: [id])
                for table in tables {
                    try insertTable.execute(arguments: [
                        id, table.schema, table.name, table.name.lowercased(), table.kind, table.graphqlType, table.label,
                        table.description, table.isShared, table.sharedName, table.sharedVersion, table.isPartition,
                    ])
                }
                for column in columns {
                    try insertColumn.execute(arguments: [
                        id, column.schema, column.table, column.kind, column.name, column.name.lowercased(), column.type,
                        column.graphqlField, column.label, column.description, column.isNullable, column.validationRules, column.position,
                    ])
                }
                try db.cachedStatement(
                    sql: """
                        INSERT INTO index_state (project_id, revision, incarnation, metadata_version, fetched_at, pg_types)
                        VALUES (?, ?, ?, ?, ?, ?)
                        ON CONFLICT (project_id) DO UPDATE SET revision = excluded.revision, incarnation = excluded.incarnation,
                            metadata_version = excluded.metadata_version, fetched_at = excluded.fetched_at, pg_types = excluded.pg_types
                        """
                ).execute(arguments: [id, revision, incarnation, version, date, types])
            }
        }
    }

    /// Forgets a project's index copy, so neither `--cached` nor `catalog sql` answers from it until a live
    /// read makes a new one: after a restore or an import the database is another incarnation.
    public func invalidateIndex(project: String) throws {
        try write { db in
            for table in ["index_column", "index_table", "index_state"] {
                try db.execute(sql: "DELETE FROM \(table) WHERE project_id IN (SELECT id FROM project WHERE name = ?)", arguments: [project])
            }
        }
    }

    /// Records each answering project's ctype, one statement per distinct value.
    public func recordIndexCtypes(_ ctypes: [(project: String, ctype: String?)]) throws {
        guard !ctypes.isEmpty else { return }
        let groups = Dictionary(grouping: ctypes) { $0.ctype }
        try write { db in
            for (ctype, members) in groups {
                try db.cachedStatement(
                    sql: """
                        UPDATE index_state SET ctype = ?
                        WHERE ctype IS NOT ? AND project_id IN (SELECT id FROM project WHERE name IN (SELECT value FROM json_each(?)))
                        """
                ).execute(arguments: [ctype, ctype, try Store.jsonArray(members.map(\.project))])
            }
        }
    }

    /// The user-defined types the project's copy holds (the JSON array `applyIndexUpdates` was given),
    /// or nil when it holds none: no copy, or one made before the store kept them.
    public func indexedTypes(project: String) throws -> String? {
        try read { db in
            try String.fetchOne(
                db, sql: "SELECT s.pg_types FROM index_state s JOIN project p ON p.id = s.project_id WHERE p.name = ?", arguments: [project])
        }
    }

    /// Index columns whose name passes `filter`, for the given projects, ordered by project,
    /// schema, table and column (the order search answers in, so sorting them again costs one pass).
    ///
    /// No join and no `ORDER BY`: a search by name reads only the covering index
    /// `index_column_search` (migration 0018), a few pages for all the matches of a fleet, where the
    /// join read one table page per match; the project names come from one small read and the
    /// rows are sorted here, by the bytes of their names as SQLite's `ORDER BY` would.
    public func indexedColumns(projects: [String], filter: IndexNameFilter) throws -> [IndexedColumn] {
        try read { db in
            let wanted = Set(projects)
            // Each wanted project's name and its place in name order (the unique index on the name
            // gives that order): sorting by place compares integers, not names.
            var places: [Int64: (name: String, place: Int32)] = [:]
            try SteppedRows.forEach(try db.makeStatement(sql: "SELECT id, name FROM project ORDER BY name"), in: db) { row in
                guard let name = row.text(1), wanted.contains(name) else { return }
                places[row.int64(0)] = (name, Int32(places.count))
            }
            guard !places.isEmpty else { return [] }
            let (condition, arguments) = Store.condition(filter, on: "pg_column")
            // Stepped by hand, each row read once from SQLite's buffers, without holding every row
            // (a lint reads them all).
            let statement = try db.makeStatement(
                sql: """
                    SELECT project_id, pg_schema, table_name, relation_kind, pg_column, pg_type, graphql_field,
                           label, description, is_nullable, validation_rules, position
                    FROM index_column
                    WHERE \(condition)
                    """)
            var columns: [IndexedColumn] = []
            var projectPlaces: [Int32] = []
            if filter != .all {
                // Counted first, from a few pages of the covering index, so the rows go into one
                // allocation instead of a series of doublings that copy them and touch twice their pages.
                let expected = try Int.fetchOne(db, sql: "SELECT count(*) FROM index_column WHERE \(condition)", arguments: arguments) ?? 0
                columns.reserveCapacity(expected)
                projectPlaces.reserveCapacity(expected)
            }
            try SteppedRows.forEach(statement, arguments: arguments, in: db) { row in
                guard let (project, place) = places[row.int64(0)] else { return }
                columns.append(
                    IndexedColumn(
                        project: project, schema: row.text(1), table: row.text(2) ?? "", kind: row.text(3), name: row.text(4) ?? "",
                        type: row.text(5), graphqlField: row.text(6), label: row.text(7), description: row.text(8),
                        isNullable: row.optionalBool(9), validationRules: row.text(10), position: row.optionalInt(11)))
                projectPlaces.append(place)
            }
            // SQLite's `ORDER BY project, schema, table, column`: names compared by their UTF-8 bytes
            // (the BINARY collation), a missing schema first. An exact name comes out of the covering
            // index already grouped by project and mostly in order, so the rows are only moved when
            // they are not: checking costs one pass, moving copies every row. Rows are compared in
            // place, by their fields, never copied out of the array whole.
            return columns.withUnsafeBufferPointer { rows in
                func precedes(_ left: Int, _ right: Int) -> Bool {
                    if projectPlaces[left] != projectPlaces[right] { return projectPlaces[left] < projectPlaces[right] }
                    return ByteOrder.precedes(rows[left].schema, rows[right].schema) ?? ByteOrder.precedes(rows[left].table, rows[right].table)
                        ?? ByteOrder.precedes(rows[left].name, rows[right].name) ?? false
                }
                if rows.indices.dropFirst().allSatisfy({ !precedes($0, $0 - 1) }) { return columns }
                var order = Array(rows.indices)
                order.sort(by: precedes)
                return order.map { rows[$0] }
            }
        }
    }

    /// Every index column of the given projects, coded (`CodedColumns`), in no particular order: what
    /// `catalog lint` compares across a fleet. One narrow SELECT stepped by hand, each text coded from
    /// SQLite's own buffer, so a row costs no `String` and no `Row`: reading is most of a lint's time.
    public func codedColumns(projects: [String]) throws -> CodedColumns {
        try read { db in
            var interner = TextInterner()
            var projectCodes: [Int64: Int32] = [:]
            let wanted = Set(projects)
            for row in try Row.fetchAll(db, sql: "SELECT id, name FROM project") {
                var name: String = row[1]
                guard wanted.contains(name) else { continue }
                projectCodes[row[0]] = name.withUTF8 { interner.code(UnsafeRawBufferPointer($0)) }
            }
            var columns = CodedColumns()
            guard !projectCodes.isEmpty else { return columns }
            let statement = try db.makeStatement(
                sql: """
                    SELECT project_id, pg_schema, table_name, relation_kind, pg_column, pg_type, label, description,
                           is_nullable, validation_rules
                    FROM index_column
                    """)
            // Rows come table by table, so schema, table and kind mostly repeat the previous row's: compared first.
            var previous = [Int32](repeating: CodedColumns.none, count: 10)
            try SteppedRows.forEach(statement, in: db) { row in
                func text(_ index: Int32) -> Int32 {
                    guard let bytes = row.bytes(index) else { return CodedColumns.none }
                    let last = previous[Int(index)]
                    if last != CodedColumns.none && interner.holds(last, bytes) { return last }
                    let code = interner.code(bytes)
                    previous[Int(index)] = code
                    return code
                }
                guard let project = projectCodes[row.int64(0)] else { return }
                columns.append(
                    project: project, schema: text(1), table: text(2), kind: text(3), name: text(4), type: text(5), label: text(6),
                    description: text(7), validationRules: text(9), nullable: row.optionalBool(8).map { $0 ? 1 : 0 } ?? -1)
            }
            columns.setTexts(interner.texts)
            return columns
        }
    }

    /// Index tables whose name passes `filter`, for the given projects.
    public func indexedTables(projects: [String], filter: IndexNameFilter) throws -> [(project: String, table: IndexedTable)] {
        try read { db in
            let wanted = Set(projects)
            let (condition, arguments) = Store.condition(filter, on: "t.table_name")
            // Read by position: looking a column up by name costs more than reading it (a lint reads every table).
            let rows = try Row.fetchCursor(
                db,
                sql: """
                    SELECT p.name, t.pg_schema, t.table_name, t.relation_kind, t.graphql_type, t.label, t.description,
                           t.is_shared, t.shared_name, t.shared_version, t.is_partition
                    FROM index_table t JOIN project p ON p.id = t.project_id
                    WHERE \(condition)
                    ORDER BY p.name, t.pg_schema, t.table_name
                    """, arguments: arguments)
            var tables: [(project: String, table: IndexedTable)] = []
            while let row = try rows.next() {
                let project: String = row[0]
                guard wanted.contains(project) else { continue }
                tables.append(
                    (
                        project,
                        IndexedTable(
                            schema: row[1], name: row[2], kind: row[3], graphqlType: row[4], label: row[5], description: row[6],
                            isShared: row[7], sharedName: row[8], sharedVersion: row[9], isPartition: row[10])
                    ))
            }
            return tables
        }
    }

    /// The WHERE condition for `filter` on one of our own columns, with the name bound, never spliced.
    static func condition(_ filter: IndexNameFilter, on column: String) -> (sql: String, arguments: StatementArguments) {
        switch filter {
        case .all: return ("1", [])
        case .exact(let name): return ("\(column) = ?", [name])
        case .contains(let name): return ("instr(\(column), ?) > 0", [name])
        case .prefix(let name): return ("substr(\(column), 1, length(?1)) = ?1", [name])
        }
    }
}
