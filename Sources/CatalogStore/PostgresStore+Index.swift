import Foundation
import PostgresClient

extension PostgresStore {
    /// The index state of every project that has one, by project name.
    public func indexStates() throws -> [String: IndexState] {
        try read { session in
            var states: [String: IndexState] = [:]
            for row in try session.rows(
                """
                SELECT p.name, s.revision, s.incarnation, s.metadata_version, s.fetched_at, s.ctype, s.pg_types IS NOT NULL
                FROM index_state s JOIN project p ON p.id = s.project_id
                """)
            {
                let name = row.string(0)
                states[name] = IndexState(
                    project: name, revision: row.int64(1), incarnation: row.optionalString(2), metadataVersion: row.int(3),
                    fetchedAt: row.date(4) ?? Date(), ctype: row.optionalString(5), hasTypes: row.bool(6) ?? false)
            }
            return states
        }
    }

    /// Applies many updates in one transaction: each replaced project's rows in two statements (its
    /// values bound as arrays), every confirmation in one.
    public func applyIndexUpdates(_ updates: [IndexUpdate], at date: Date) throws {
        guard !updates.isEmpty else { return }
        try write { session in try Self.writeIndexUpdates(updates, at: date, session) }
    }

    /// The writes of `applyIndexUpdates`, inside a transaction the caller holds.
    static func writeIndexUpdates(_ updates: [IndexUpdate], at date: Date, _ session: RegistrySession) throws {
        var ids: [String: Int64] = [:]
        for row in try session.rows("SELECT id, name FROM project") { ids[row.string(1)] = row.int64(0) }
        let confirmed = updates.compactMap { update -> Int64? in
            if case .confirm(let project) = update { return ids[project] }
            return nil
        }
        if !confirmed.isEmpty {
            try session.execute(
                "UPDATE index_state SET fetched_at = $1 WHERE project_id = ANY($2::bigint[])", [date.bound, PostgresArray.literal(confirmed)])
        }
        for update in updates {
            guard case .replace(let project, let revision, let incarnation, let version, let tables, let columns, let types) = update,
                let id = ids[project]
            else { continue }
            try session.execute("DELETE FROM index_table WHERE project_id = $1", [id])
            try session.execute("DELETE FROM index_column WHERE project_id = $1", [id])
            if !tables.isEmpty {
                try session.execute(
                    """
                    INSERT INTO index_table (project_id, pg_schema, table_name, name_folded, relation_kind, graphql_type, label,
                        description, is_shared, shared_name, shared_version, is_partition)
                    SELECT $1, * FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[],
                        $9::boolean[], $10::text[], $11::integer[], $12::boolean[])
                    """,
                    [
                        id, PostgresArray.literal(tables.map(\.schema)), PostgresArray.literal(tables.map { Optional($0.name) }),
                        PostgresArray.literal(tables.map { Optional($0.name.lowercased()) }), PostgresArray.literal(tables.map(\.kind)),
                        PostgresArray.literal(tables.map(\.graphqlType)), PostgresArray.literal(tables.map(\.label)),
                        PostgresArray.literal(tables.map(\.description)), PostgresArray.literal(tables.map(\.isShared)),
                        PostgresArray.literal(tables.map(\.sharedName)), PostgresArray.literal(tables.map(\.sharedVersion)),
                        PostgresArray.literal(tables.map(\.isPartition)),
                    ])
            }
            if !columns.isEmpty {
                try session.execute(
                    """
                    INSERT INTO index_column (project_id, pg_schema, table_name, relation_kind, pg_column, name_folded, pg_type,
                        graphql_field, label, description, is_nullable, validation_rules, position)
                    SELECT $1, * FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[],
                        $9::text[], $10::text[], $11::boolean[], $12::text[], $13::integer[])
                    """,
                    [
                        id, PostgresArray.literal(columns.map(\.schema)), PostgresArray.literal(columns.map { Optional($0.table) }),
                        PostgresArray.literal(columns.map(\.kind)), PostgresArray.literal(columns.map { Optional($0.name) }),
                        PostgresArray.literal(columns.map { Optional($0.name.lowercased()) }), PostgresArray.literal(columns.map(\.type)),
                        PostgresArray.literal(columns.map(\.graphqlField)), PostgresArray.literal(columns.map(\.label)),
                        PostgresArray.literal(columns.map(\.description)), PostgresArray.literal(columns.map(\.isNullable)),
                        PostgresArray.literal(columns.map(\.validationRules)), PostgresArray.literal(columns.map(\.position)),
                    ])
            }
            try session.execute(
                """
                INSERT INTO index_state (project_id, revision, incarnation, metadata_version, fetched_at, pg_types)
                VALUES ($1, $2, $3, $4, $5, $6)
                ON CONFLICT (project_id) DO UPDATE SET revision = excluded.revision, incarnation = excluded.incarnation,
                    metadata_version = excluded.metadata_version, fetched_at = excluded.fetched_at, pg_types = excluded.pg_types
                """, [id, revision, incarnation, version, date.bound, types])
        }
    }

    /// Forgets a project's index copy.
    public func invalidateIndex(project: String) throws {
        try write { session in
            guard let id = try session.row("SELECT id FROM project WHERE name = $1", [project])?.int64(0) else { return }
            try Self.deleteIndex(session, projectID: id)
        }
    }

    /// Records each answering project's ctype, one statement per distinct value.
    public func recordIndexCtypes(_ ctypes: [(project: String, ctype: String?)]) throws {
        guard !ctypes.isEmpty else { return }
        let groups = Dictionary(grouping: ctypes) { $0.ctype }
        try write { session in
            for (ctype, members) in groups {
                try session.execute(
                    """
                    UPDATE index_state SET ctype = $1
                    WHERE ctype IS DISTINCT FROM $1 AND project_id IN (SELECT id FROM project WHERE name = ANY($2::text[]))
                    """, [ctype, PostgresArray.literal(members.map { Optional($0.project) })])
            }
        }
    }

    /// Index columns whose name passes `filter`, for the given projects, in the order search answers in.
    public func indexedColumns(projects: [String], filter: IndexNameFilter) throws -> [IndexedColumn] {
        guard !projects.isEmpty else { return [] }
        return try read { session in
            let (condition, value) = Self.condition(filter, on: "c.pg_column")
            return try session.rows(
                """
                SELECT p.name, c.pg_schema, c.table_name, c.relation_kind, c.pg_column, c.pg_type, c.graphql_field,
                       c.label, c.description, c.is_nullable, c.validation_rules, c.position
                FROM index_column c JOIN project p ON p.id = c.project_id
                WHERE p.name = ANY($1::text[]) AND \(condition)
                ORDER BY p.name COLLATE "C", c.pg_schema COLLATE "C" NULLS FIRST, c.table_name COLLATE "C", c.pg_column COLLATE "C"
                """, [PostgresArray.literal(projects.map { Optional($0) }), value]
            ).map { row in
                var column = IndexedColumn(
                    schema: row.optionalString(1), table: row.string(2), kind: row.optionalString(3), name: row.string(4),
                    type: row.optionalString(5), graphqlField: row.optionalString(6), label: row.optionalString(7),
                    description: row.optionalString(8), isNullable: row.bool(9), validationRules: row.optionalString(10), position: row.int(11))
                column.project = row.string(0)
                return column
            }
        }
    }

    /// Every index column of the given projects, coded, for `catalog lint` (the rows come over the wire
    /// as text anyway, so they are coded from `indexedColumns`).
    public func codedColumns(projects: [String]) throws -> CodedColumns {
        CodedColumns(try indexedColumns(projects: projects, filter: .all))
    }

    /// The user-defined types the project's copy holds, or nil when it holds none.
    public func indexedTypes(project: String) throws -> String? {
        try read { session in
            try session.row(
                "SELECT s.pg_types FROM index_state s JOIN project p ON p.id = s.project_id WHERE p.name = $1", [project]
            )?.optionalString(0)
        }
    }

    /// Index tables whose name passes `filter`, for the given projects.
    public func indexedTables(projects: [String], filter: IndexNameFilter) throws -> [(project: String, table: IndexedTable)] {
        guard !projects.isEmpty else { return [] }
        return try read { session in
            let (condition, value) = Self.condition(filter, on: "t.table_name")
            return try session.rows(
                """
                SELECT p.name, t.pg_schema, t.table_name, t.relation_kind, t.graphql_type, t.label, t.description,
                       t.is_shared, t.shared_name, t.shared_version, t.is_partition
                FROM index_table t JOIN project p ON p.id = t.project_id
                WHERE p.name = ANY($1::text[]) AND \(condition)
                ORDER BY p.name COLLATE "C", t.pg_schema COLLATE "C" NULLS FIRST, t.table_name COLLATE "C"
                """, [PostgresArray.literal(projects.map { Optional($0) }), value]
            ).map { row in
                (
                    row.string(0),
                    IndexedTable(
                        schema: row.optionalString(1), name: row.string(2), kind: row.optionalString(3), graphqlType: row.optionalString(4),
                        label: row.optionalString(5), description: row.optionalString(6), isShared: row.bool(7),
                        sharedName: row.optionalString(8), sharedVersion: row.int(9), isPartition: row.bool(10))
                )
            }
        }
    }

    /// The condition for `filter` on one of our own columns, with the name bound as `$2`, never spliced.
    static func condition(_ filter: IndexNameFilter, on column: String) -> (sql: String, value: String?) {
        switch filter {
        case .all: return ("$2::text IS NULL", nil)
        case .exact(let name): return ("\(column) = $2", name)
        case .contains(let name): return ("strpos(\(column), $2) > 0", name)
        case .prefix(let name): return ("starts_with(\(column), $2)", name)
        }
    }
}
