/// Which columns of views and materialized views are NOT NULL. PostgreSQL marks every view column
/// nullable; scan knows better where the answer is unambiguous: a view column that is a plain
/// reference to a NOT NULL column of a table (or of another view, known NOT NULL the same way),
/// read from the view's `_RETURN` rule (`pg_rewrite.ev_action`).
///
/// A column counts only when every query level on its way to the table is a plain `SELECT`: no set
/// operation (`UNION` may add NULLs), no grouping sets (`ROLLUP` writes NULL for rolled-up columns) and
/// no outer join anywhere at that level (`LEFT JOIN` makes the other side nullable). It may pass
/// through inner joins (`JOIN ... USING` too) and subqueries in `FROM`. Anything else, and any rule
/// this reader cannot parse, stays nullable.
enum ViewNullability {
    /// A column of a relation, by the relation's OID and the column's number.
    struct ColumnKey: Hashable {
        var relation: UInt32
        var number: Int
    }

    /// The relations with their view columns' nullability settled: `isNullable` becomes false where a
    /// view column is known NOT NULL. `rules` holds each view's `_RETURN` rule text, by view OID.
    static func apply(_ relations: [LiveRelation], rules: [UInt32: String]) -> [LiveRelation] {
        guard !rules.isEmpty else { return relations }
        var notNull = Set<ColumnKey>()
        for relation in relations where relation.kind != .view && relation.kind != .materializedView {
            guard let oid = relation.oid else { continue }
            for column in relation.columns where !column.isNullable { notNull.insert(ColumnKey(relation: oid, number: column.position)) }
        }
        // Each view column's source column, if it has one; then NOT NULL spreads through views of views.
        var sources: [ColumnKey: ColumnKey] = [:]
        for relation in relations {
            guard let oid = relation.oid, let text = rules[oid], let tree = NodeTree(text), let query = tree.items.first else { continue }
            for column in relation.columns {
                if let source = source(of: column.position, in: query) { sources[ColumnKey(relation: oid, number: column.position)] = source }
            }
        }
        var changed = true
        while changed {
            changed = false
            for (column, source) in sources where !notNull.contains(column) && notNull.contains(source) {
                notNull.insert(column)
                changed = true
            }
        }
        return relations.map { relation in
            guard let oid = relation.oid, rules[oid] != nil else { return relation }
            var relation = relation
            for index in relation.columns.indices where notNull.contains(ColumnKey(relation: oid, number: relation.columns[index].position)) {
                relation.columns[index].isNullable = false
            }
            return relation
        }
    }

    /// The table (or view) column that output column `number` of `query` plainly refers to.
    static func source(of number: Int, in query: NodeTree) -> ColumnKey? {
        guard query.name == "QUERY", isPlain(query) else { return nil }
        let entry = query["targetList"]?.items.first { $0["resno"]?.int == number && $0["resjunk"]?.isTrue != true }
        guard let expression = entry?["expr"] else { return nil }
        return source(of: expression, in: query)
    }

    /// Where a `Var` of this query level leads.
    private static func source(of variable: NodeTree, in query: NodeTree) -> ColumnKey? {
        guard variable.name == "VAR", variable["varlevelsup"]?.int == 0, let index = variable["varno"]?.int,
            let attribute = variable["varattno"]?.int, attribute > 0
        else { return nil }
        let table = query["rtable"]?.items ?? []
        guard index >= 1, index <= table.count else { return nil }
        let entry = table[index - 1]
        switch entry["rtekind"]?.int {
        case 0:  // RTE_RELATION
            guard let oid = entry["relid"]?.int.flatMap({ UInt32(exactly: $0) }) else { return nil }
            return ColumnKey(relation: oid, number: attribute)
        case 1:  // RTE_SUBQUERY
            guard let subquery = entry["subquery"] else { return nil }
            return source(of: attribute, in: subquery)
        case 2:  // RTE_JOIN: only an inner join passes a column through unchanged
            guard entry["jointype"]?.int == 0 else { return nil }
            let aliases = entry["joinaliasvars"]?.items ?? []
            guard attribute <= aliases.count else { return nil }
            return source(of: aliases[attribute - 1], in: query)
        default:
            return nil
        }
    }

    /// A query level that cannot turn a NOT NULL column into NULL: no set operation, no grouping
    /// sets, no outer join.
    private static func isPlain(_ query: NodeTree) -> Bool {
        guard query["setOperations"]?.isEmpty ?? true, query["groupingSets"]?.isEmpty ?? true else { return false }
        return (query["rtable"]?.items ?? []).allSatisfy { entry in entry["rtekind"]?.int != 2 || entry["jointype"]?.int == 0 }
    }
}
