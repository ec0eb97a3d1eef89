import CatalogStore

/// `naming`: the config's naming rules, one finding per name and check, with where it occurs.
enum NamingChecks {
    static func findings(_ snapshot: LintSnapshot, naming: LintNaming) -> [LintFinding] {
        guard naming.snakeCase || !naming.forbidden.isEmpty || naming.tables != nil || !naming.requiredColumns.isEmpty else { return [] }
        // Name → the places it occurs, for tables and for columns.
        var tablePlaces: [String: [(project: String, place: String)]] = [:]
        for (project, table) in snapshot.tables {
            tablePlaces[table.name, default: []].append((project, "\(project) \(table.schema ?? "public").\(table.name)"))
        }
        // Column name → its indexes; places are spelled out only for the names a finding is about.
        let columns = snapshot.columns
        var columnIndexes: [String: [Int]] = [:]
        var indexesByCode: [Int32: [Int]] = [:]
        for index in 0..<columns.count { indexesByCode[columns.name[index], default: []].append(index) }
        for (code, indexes) in indexesByCode { columnIndexes[columns.texts[Int(code)]] = indexes }
        func columnPlaces(_ name: String) -> [(project: String, place: String)] {
            columnIndexes[name]!.map { index in
                (columns.texts[Int(columns.project[index])], "\(Linter.place(columns, index)).\(columns.texts[Int(columns.name[index])])")
            }
        }
        var findings: [LintFinding] = []
        func add(table: String? = nil, column: String? = nil, check: [String], _ message: String, _ places: [(project: String, place: String)]) {
            findings.append(
                LintFinding(
                    rule: .naming, column: column, table: table, identity: check, projects: places.map(\.project), message: message,
                    details: [Linter.list(places.map(\.place).sorted(), limit: 20)]))
        }
        for (name, places) in tablePlaces.sorted(by: { $0.key < $1.key }) {
            if naming.snakeCase && !isSnakeCase(name) { add(table: name, check: ["case"], "table name \(name) is not snake_case", places) }
            for pattern in naming.forbidden where pattern.matches(name) {
                add(table: name, check: ["forbidden", pattern.source], "table name \(name) is forbidden (matches \(pattern.source))", places)
            }
            if let number = naming.tables, isPlural(name) != (number == .plural) {
                add(table: name, check: ["tables"], "table name \(name) is not \(number.rawValue)", places)
            }
        }
        for name in columnIndexes.keys.sorted() {
            if naming.snakeCase && !isSnakeCase(name) {
                add(column: name, check: ["case"], "column name \(name) is not snake_case", columnPlaces(name))
            }
            for pattern in naming.forbidden where pattern.matches(name) {
                add(
                    column: name, check: ["forbidden", pattern.source], "column name \(name) is forbidden (matches \(pattern.source))",
                    columnPlaces(name))
            }
        }
        if !naming.requiredColumns.isEmpty {
            let public_ = columns.code(of: "public")
            var columnsOf: [TableCode: Set<Int32>] = [:]
            for index in 0..<columns.count { columnsOf[TableCode(columns, index, public: public_), default: []].insert(columns.name[index]) }
            var lacking: [String: [(project: String, place: String)]] = [:]
            for (project, table) in snapshot.tables
            where table.kind == nil || table.kind == RelationKind.table.rawValue || table.kind == RelationKind.partitionedTable.rawValue {
                let schema = table.schema ?? "public"
                let present = TableCode(columns, project, schema, table.name).flatMap { columnsOf[$0] } ?? []
                for required in naming.requiredColumns where !(columns.code(of: required).map(present.contains) ?? false) {
                    lacking["\(table.name)\u{0}\(required)", default: []].append((project, "\(project) \(schema).\(table.name)"))
                }
            }
            for (key, places) in lacking.sorted(by: { $0.key < $1.key }) {
                let parts = key.split(separator: "\u{0}", omittingEmptySubsequences: false).map(String.init)
                add(
                    table: parts[0], column: parts[1], check: ["required"],
                    "table \(parts[0]) lacks the required column \(parts[1]) in \(Linter.projects(Set(places.map(\.project)).count))", places)
            }
        }
        return findings
    }

    /// Lower-case ASCII letters, digits and underscores, not starting with a digit.
    static func isSnakeCase(_ name: String) -> Bool {
        guard let first = name.utf8.first, !(48...57).contains(first) else { return false }
        return name.utf8.allSatisfy { (97...122).contains($0) || (48...57).contains($0) || $0 == 95 }
    }

    /// Ends in s but not in ss (addresses, statuses and news are plural enough for this check).
    static func isPlural(_ name: String) -> Bool {
        let lower = name.lowercased()
        return lower.hasSuffix("s") && !lower.hasSuffix("ss")
    }
}
