import CatalogStore
import Foundation

// The JSON documents the CLI's `--format json` and the HTTP API both print, built in one place so
// the two cannot drift apart. Objects list their keys in written (sorted) order.

/// A sync plan in the JSON shape `catalog sync --plan --format json` and the HTTP API share.
public enum SyncJSON {
    /// One object per flat line of a project's plan.
    public static func rows(_ plan: ProjectSyncPlan) -> [OrderedJSON] {
        plan.lines.map { line in
            .object([
                ("action", .string(plan.action.rawValue)), ("definition", .string(plan.definition)), ("field", .text(line.field)),
                ("from_version", .number(plan.fromVersion)), ("ours", .text(line.ours)), ("project", .string(plan.project)),
                ("resolution", .text(line.resolution)), ("theirs", .text(line.theirs)), ("to_version", .int(plan.toVersion)),
            ])
        }
    }

    /// The whole plan: its hash and every line.
    public static func document(_ plan: SyncPlan) -> OrderedJSON {
        .object([("changes", .array(plan.projects.flatMap(rows))), ("hash", .string(plan.hash))])
    }
}

/// A drift report as `catalog drift --format json` and `GET /api/v1/drift` print it.
public enum DriftJSON {
    /// The report; `advice` words an item's or a failure's remedy (the CLI's words or the API's).
    public static func document(_ report: DriftReport, advice: (CatalogError.Remedy) -> String) -> OrderedJSON {
        let items: [OrderedJSON] = report.items.map { item in
            .object([
                ("detail", .string(item.detail(advice: advice))), ("kind", .string(item.kind)), ("layer", .string(item.layer.rawValue)),
                ("object", .string(item.object)), ("project", .string(item.project)),
            ])
        }
        return .object([
            ("drift", .bool(report.hasDrift)), ("failures", .array(report.failures.map { SearchJSON.failure($0, advice: advice) })),
            ("items", .array(items)),
        ])
    }
}

/// The answer to `catalog sql` as its `--format json` and `POST /api/v1/sql` print it: one object
/// per row, keyed by column name, and the projects that could not be read.
public enum SQLJSON {
    /// The answer; `advice` words a failure's remedy (the CLI's words or the API's).
    public static func document(_ result: FederatedSQLResult, advice: (CatalogError.Remedy) -> String) -> OrderedJSON {
        let rows = result.answer.rows.map { row in
            OrderedJSON.object(zip(result.answer.columns, row.map(value)).map { ($0, $1) })
        }
        return .object([("failures", .array(result.failures.map { SearchJSON.failure($0, advice: advice) })), ("rows", .array(rows))])
    }

    static func value(_ value: SQLValue) -> OrderedJSON {
        switch value {
        case .null: .null
        case .integer(let number): .int(Int(number))
        case .real(let number): .double(number)
        case .text(let text): .string(text)
        }
    }
}
