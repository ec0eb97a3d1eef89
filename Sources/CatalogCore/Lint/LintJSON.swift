import Foundation

/// `catalog lint --format json` and `GET /api/v1/lint`: the findings, each project's freshness and
/// a summary. Timestamps are the index copies', so the document is stable between runs.
public enum LintJSON {
    /// `advice` words a failure's remedy (the CLI's words or the API's).
    public static func document(_ report: LintReport, advice: (CatalogError.Remedy) -> String) -> OrderedJSON {
        .object([
            ("failures", .array(report.failures.map { SearchJSON.failure($0, advice: advice) })),
            ("findings", .array(report.findings.map(finding))),
            ("live", .bool(report.live)),
            ("projects", .array(report.projects.map(project))),
            (
                "summary",
                .object(
                    LintSeverity.allCases.map { ($0.rawValue, OrderedJSON.int(report.count($0))) } + [
                        ("baselined", .int(report.baselined)), ("suppressed", .int(report.suppressed)),
                    ])
            ),
        ])
    }

    public static func finding(_ finding: LintFinding) -> OrderedJSON {
        .object([
            ("column", .text(finding.column)), ("details", .strings(finding.details)), ("fingerprint", .string(finding.fingerprint)),
            ("message", .string(finding.message)), ("projects", .strings(finding.projects)), ("rule", .string(finding.rule)),
            ("severity", .string(finding.severity.rawValue)), ("table", .text(finding.table)),
        ])
    }

    static func project(_ project: LintSnapshot.ProjectState) -> OrderedJSON {
        .object([
            ("fetched_at", .timestamp(project.index?.fetchedAt)), ("in_index", .bool(project.index != nil)),
            ("metadata_version", .number(project.index?.metadataVersion)), ("name", .string(project.name)),
            ("revision", project.index?.revision.map { .int(Int($0)) } ?? .null),
        ])
    }

    /// The rules as the API and `--explain` list them.
    public static func rule(_ rule: LintRule, config: LintConfig) -> OrderedJSON {
        .object([
            ("default_severity", .string(rule.defaultSeverity.rawValue)), ("explanation", .string(rule.explanation)),
            ("id", .string(rule.id)), ("severity", .text(config.severity(of: rule)?.rawValue)), ("summary", .string(rule.summary)),
        ])
    }
}

/// `catalog lint --format sarif`: SARIF 2.1.0, one result per finding, its fingerprint in
/// `partialFingerprints`, and the places as logical locations (projects have no files).
public enum LintSARIF {
    public static let schema = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"

    public static func document(_ report: LintReport, config: LintConfig, toolVersion: String) -> OrderedJSON {
        let rules = LintRule.all.map { rule in
            OrderedJSON.object([
                ("defaultConfiguration", .object([("level", .string(level(config.severity(of: rule) ?? rule.defaultSeverity)))])),
                ("fullDescription", .object([("text", .string(rule.explanation))])),
                ("id", .string(rule.id)),
                ("shortDescription", .object([("text", .string(rule.summary))])),
            ])
        }
        let indexes = Dictionary(uniqueKeysWithValues: LintRule.all.enumerated().map { ($1.id, $0) })
        let results = report.findings.map { finding in
            OrderedJSON.object([
                ("level", .string(level(finding.severity))),
                ("locations", .array(locations(finding))),
                ("message", .object([("text", .string(([finding.subject + ": " + finding.message] + finding.details).joined(separator: "\n")))])),
                ("partialFingerprints", .object([("catalogLint/v1", .string(finding.fingerprint))])),
                ("properties", .object([("projects", .strings(finding.projects))])),
                ("ruleId", .string(finding.rule)),
                ("ruleIndex", .int(indexes[finding.rule] ?? 0)),
            ])
        }
        let run = OrderedJSON.object([
            ("results", .array(results)),
            (
                "tool",
                .object([
                    (
                        "driver",
                        .object([
                            ("name", .string("catalog lint")),
                            ("rules", .array(rules)), ("version", .string(toolVersion)),
                        ])
                    )
                ])
            ),
        ])
        return .object([("$schema", .string(schema)), ("runs", .array([run])), ("version", .string("2.1.0"))])
    }

    static func level(_ severity: LintSeverity) -> String {
        switch severity {
        case .error: "error"
        case .warning: "warning"
        case .info: "note"
        }
    }

    /// One logical location per project, named `project/table.column` (or the part the finding has).
    static func locations(_ finding: LintFinding) -> [OrderedJSON] {
        let names = finding.projects.isEmpty ? [""] : finding.projects
        return names.prefix(100).map { project in
            let name = [project, finding.subject].filter { !$0.isEmpty }.joined(separator: "/")
            return .object([
                (
                    "logicalLocations",
                    .array([.object([("fullyQualifiedName", .string(name)), ("kind", .string(finding.column == nil ? "type" : "member"))])])
                )
            ])
        }
    }
}
