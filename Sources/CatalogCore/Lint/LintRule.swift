/// How much a finding matters. `--fail-on` compares against it: a finding at or above the
/// threshold makes `catalog lint` exit 1.
public enum LintSeverity: String, Sendable, CaseIterable, Comparable, Codable {
    case info, warning, error

    private var rank: Int {
        switch self {
        case .info: 0
        case .warning: 1
        case .error: 2
        }
    }

    public static func < (lhs: LintSeverity, rhs: LintSeverity) -> Bool { lhs.rank < rhs.rank }

    /// The severity with this name; anything else is refused with the names that exist.
    public static func named(_ text: String, what: String) throws -> LintSeverity {
        guard let severity = LintSeverity(rawValue: text) else {
            throw CatalogError(
                .badInput, "\(what) \"\(text)\" is not a severity; use one of \(allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return severity
    }
}

/// One check `catalog lint` runs: a stable ID (used in configs, baselines and SARIF), a default
/// severity, a one-line summary and the longer text `--explain` prints.
public struct LintRule: Sendable, Equatable {
    public var id: String
    public var defaultSeverity: LintSeverity
    public var summary: String
    public var explanation: String

    /// The rule with this ID, or a bad-input error that lists the IDs that exist.
    public static func named(_ id: String) throws -> LintRule {
        guard let rule = all.first(where: { $0.id == id }) else {
            throw CatalogError(.badInput, "unknown lint rule \"\(id)\"; the rules are \(all.map(\.id).joined(separator: ", "))")
        }
        return rule
    }

    public static let typeMismatch = LintRule(
        id: "type-mismatch", defaultSeverity: .error,
        summary: "One column name has different PostgreSQL types across projects.",
        explanation: """
            Columns are grouped by their bare name (and by the synonyms the config declares), across every \
            selected project, schema and table. When the group holds more than one type, as PostgreSQL prints it \
            (format_type), there is one finding: each type with the number of projects that use it, the majority \
            type, and the outlying projects, schemas and tables. Types that differ only in their length or \
            precision (character varying(255) against character varying(100)) are reported as a length mismatch.
            Fix: change the outlying columns with ALTER TABLE … ALTER COLUMN … TYPE, then run 'catalog metadata scan'. \
            If the difference is deliberate, suppress it in the config with a reason.
            """)

    public static let nullabilityMismatch = LintRule(
        id: "nullability-mismatch", defaultSeverity: .warning,
        summary: "One column name is NOT NULL in some places and nullable in others.",
        explanation: """
            Columns are grouped like type-mismatch. Only columns whose nullability the scan knows take part: \
            PostgreSQL reports every view and materialized view column as nullable, so views are left out. \
            The finding lists the majority and the outlying projects, schemas and tables.
            Fix: ALTER TABLE … ALTER COLUMN … SET NOT NULL (or DROP NOT NULL) where the outliers are, then rescan.
            """)

    public static let sharedDivergence = LintRule(
        id: "shared-divergence", defaultSeverity: .error,
        summary: "A project attached to a shared definition has columns that disagree with its version.",
        explanation: """
            For every attachment, the project's real columns (as the index holds them) are compared with the \
            version the project is pinned to, or the newest version when it follows the newest: a type or \
            nullability that differs, a column the definition has and the table lacks, and a column the table has \
            and the definition lacks. One finding per project and definition.
            Fix: run 'catalog sync' for the project, or change the table; 'catalog drift' shows the same from the databases.
            """)

    public static let sharedCandidate = LintRule(
        id: "shared-candidate", defaultSeverity: .warning,
        summary: "A project has a table named like a shared definition but is not attached to it.",
        explanation: """
            For every shared definition, the projects that have a table of the definition's name and are not \
            attached to it. Closeness is the share of the definition's and the table's columns (by name) that both \
            have with the same type: 100 % means attaching changes nothing.
            Fix: attach the definition to those projects ('catalog shared attach'), or rename the table.
            """)

    public static let labelMismatch = LintRule(
        id: "label-mismatch", defaultSeverity: .info,
        summary: "One column name has different labels or descriptions across projects.",
        explanation: """
            Columns are grouped like type-mismatch; empty labels and descriptions do not count. The finding lists \
            each label (and description) with the projects that use it.
            Fix: agree on one label and set it in the shared definition or in each project's _metadata.
            """)

    public static let validationMismatch = LintRule(
        id: "validation-mismatch", defaultSeverity: .info,
        summary: "One column name has different validation_rules across projects.",
        explanation: """
            Columns are grouped like type-mismatch; the rules are compared as JSON, whatever their key order. \
            Columns without rules do not count.
            Fix: agree on one set of rules; a shared definition carries them to every attached project.
            """)

    public static let naming = LintRule(
        id: "naming", defaultSeverity: .warning,
        summary: "A table or column breaks a naming rule from the config.",
        explanation: """
            The config's 'naming' section sets the rules: 'case: snake_case' (lower-case letters, digits and \
            underscores, not starting with a digit), 'forbidden' (regular expressions a whole table or column name \
            must not match), 'tables: singular' or 'tables: plural' (a name is plural when it ends in s but not \
            in ss), and 'required_columns' (columns every table must have, such as created_at; views are not \
            checked). Without a naming section this rule finds nothing. One finding per name and check, with \
            the projects where it occurs.
            """)

    public static let missingMetadata = LintRule(
        id: "missing-metadata", defaultSeverity: .warning,
        summary: "A project was never read into the index, its _metadata is older than this catalog's, or a shared column has no label.",
        explanation: """
            Three checks: a selected project that the index has no copy of (nothing has read it yet: install \
            and scan its _metadata if it has none, then read it live with catalog lint or a search); a project whose _metadata version is \
            older than this catalog's ('catalog metadata install' upgrades it); and a column of a shared definition's \
            newest version that has no label ('catalog shared add' with a new version sets one).
            """)

    public static let unusedSuppression = LintRule(
        id: "unused-suppression", defaultSeverity: .warning,
        summary: "A suppression in the config matches no finding.",
        explanation: """
            A suppression that matches nothing hides nothing: the finding it was written for is gone, or its \
            pattern is wrong. Remove it from the config, or fix its rule, pattern, project or tag.
            """)

    /// Every rule, in the order reports list them.
    public static let all: [LintRule] = [
        typeMismatch, nullabilityMismatch, sharedDivergence, sharedCandidate, labelMismatch, validationMismatch, naming,
        missingMetadata, unusedSuppression,
    ]
}
