/// The JSON of a metadata edit's plan and of its outcome, shared by the CLI and the API.
public enum CurationJSON {
    /// `advice` words a failure's remedy (the CLI's words or the API's).
    public static func document(
        _ plan: CurationPlan, failures: [ProjectFailure] = [], advice: (CatalogError.Remedy) -> String
    ) -> OrderedJSON {
        .object([
            ("hash", .string(plan.hash)),
            ("changes", .int(plan.changeCount)),
            ("conflicts", .int(plan.conflictCount)),
            ("unchanged", .int(plan.unchangedCount)),
            ("shared_names", .strings(plan.sharedNames)),
            ("projects", .array(plan.projects.map(project))),
            ("failures", .array(failures.map { SearchJSON.failure($0, advice: advice) })),
        ])
    }

    public static func document(_ report: CurationReport, advice: (CatalogError.Remedy) -> String) -> OrderedJSON {
        .object([
            ("hash", .string(report.plan.hash)),
            ("results", .array(report.results.map { result($0, advice: advice) })),
            ("failures", .array(report.failures.map { SearchJSON.failure($0, advice: advice) })),
        ])
    }

    static func project(_ plan: ProjectCurationPlan) -> OrderedJSON {
        .object([("project", .string(plan.project)), ("unchanged", .int(plan.unchanged)), ("changes", .array(plan.changes.map(change)))])
    }

    static func change(_ change: CurationChange) -> OrderedJSON {
        .object([
            ("schema", .string(change.target.schema)),
            ("table", .string(change.target.table)),
            ("column", .text(change.target.column)),
            ("field", .string(change.field.rawValue)),
            ("old", change.old.map(OrderedJSON.init) ?? .null),
            ("new", change.new.map(OrderedJSON.init) ?? .null),
            ("resolution", .string(change.resolution.rawValue)),
            ("shared_name", .text(change.sharedName)),
        ])
    }

    static func result(_ result: ProjectCurationResult, advice: (CatalogError.Remedy) -> String) -> OrderedJSON {
        .object([
            ("project", .string(result.project)),
            ("status", .string(result.outcome.label)),
            ("error", .text(result.outcome.reason(advice: advice))),
            ("written", .array(result.written.map(change))),
        ])
    }
}
