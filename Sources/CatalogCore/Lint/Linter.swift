import CatalogStore
import Foundation

/// The linter: a pure function from an index snapshot and a config to findings. It reads no
/// database and no file; `Catalog.lint` takes the snapshot and applies a baseline.
public enum Linter {
    /// Every finding of the rules the config leaves on, with the config's severities, minus what its
    /// suppressions hide (each suppression that hides nothing is a finding itself), sorted.
    public static func run(_ snapshot: LintSnapshot, config: LintConfig) -> (findings: [LintFinding], suppressed: Int) {
        var findings: [LintFinding] = []
        let on = { (rule: LintRule) in config.severity(of: rule) != nil }
        let groups = ColumnGroups(snapshot.columns, synonyms: config.synonyms)
        if on(.typeMismatch) { findings += groups.typeMismatches(snapshot.columns) }
        if on(.nullabilityMismatch) { findings += groups.nullabilityMismatches(snapshot.columns) }
        if on(.labelMismatch) { findings += groups.labelMismatches(snapshot.columns) }
        if on(.validationMismatch) { findings += groups.validationMismatches(snapshot.columns) }
        if on(.sharedDivergence) { findings += SharedChecks.divergences(snapshot) }
        if on(.sharedCandidate) { findings += SharedChecks.candidates(snapshot) }
        if on(.naming) { findings += NamingChecks.findings(snapshot, naming: config.naming) }
        if on(.missingMetadata) { findings += MetadataChecks.findings(snapshot) }

        let tags = Dictionary(uniqueKeysWithValues: snapshot.projects.map { ($0.name, $0.tags) })
        var used = Array(repeating: false, count: config.suppressions.count)
        var kept: [LintFinding] = []
        var suppressed = 0
        for finding in findings {
            var hidden = false
            for (index, suppression) in config.suppressions.enumerated() where suppression.matches(finding, tags: tags) {
                used[index] = true
                hidden = true
            }
            if hidden { suppressed += 1 } else { kept.append(finding) }
        }
        if on(.unusedSuppression) {
            for (index, suppression) in config.suppressions.enumerated() where !used[index] {
                if let rule = suppression.rule, let known = try? LintRule.named(rule), !on(known) { continue }
                kept.append(
                    LintFinding(
                        rule: .unusedSuppression, identity: [suppression.summary, suppression.reason], projects: [],
                        message: "the suppression at \(suppression.location) (\(suppression.summary)) matches no finding",
                        details: ["reason given: \(suppression.reason)"]))
            }
        }
        for index in kept.indices {
            let rule = LintRule.all.first { $0.id == kept[index].rule }!
            kept[index].severity = config.severity(of: rule) ?? rule.defaultSeverity
        }
        return (sorted(kept), suppressed)
    }

    /// Most severe first, then in the order of `LintRule.all`, then by name.
    static func sorted(_ findings: [LintFinding]) -> [LintFinding] {
        let order = Dictionary(uniqueKeysWithValues: LintRule.all.enumerated().map { ($1.id, $0) })
        return findings.sorted {
            ($1.severity, order[$0.rule]!, $0.subject, $0.projects.joined(separator: ","), $0.fingerprint)
                < ($0.severity, order[$1.rule]!, $1.subject, $1.projects.joined(separator: ","), $1.fingerprint)
        }
    }

    /// `project schema.table` for detail lines.
    static func place(_ column: IndexedColumn) -> String { "\(column.project) \(column.schema ?? "public").\(column.table)" }

    /// `a, b, c and 4 more` for detail lines that name projects.
    static func list(_ names: [String], limit: Int = 12) -> String {
        let shown = names.prefix(limit).joined(separator: ", ")
        return names.count > limit ? "\(shown) and \(names.count - limit) more" : shown
    }

    static func projects(_ count: Int) -> String { count == 1 ? "1 project" : "\(count) projects" }
}

/// Columns grouped by bare name, synonyms joined under the group's first name.
struct ColumnGroups {
    /// Group name → indexes into the snapshot's columns.
    var members: [String: [Int]] = [:]
    /// Group name → the column names in it that occur.
    var names: [String: Set<String>] = [:]

    init(_ columns: [IndexedColumn], synonyms: [[String]]) {
        var canonical: [String: String] = [:]
        for group in synonyms { for name in group { canonical[name] = group[0] } }
        for (index, column) in columns.enumerated() {
            let group = canonical[column.name] ?? column.name
            members[group, default: []].append(index)
            if group != column.name || !canonical.isEmpty { names[group, default: []].insert(column.name) }
        }
    }

    /// The detail line that says which names a synonym group joined.
    func joined(_ group: String) -> [String] {
        guard let names = names[group], names.count > 1 else { return [] }
        return ["synonyms compared together: \(names.sorted().joined(separator: ", "))"]
    }

    /// For one group: each value's projects and column indexes, most projects (then most columns) first; nil when the
    /// group holds at most one value, which is the common case and is found without allocating.
    func tally<Value: Hashable & Comparable>(
        _ indexes: [Int], _ columns: [IndexedColumn], _ value: (Int) -> Value?
    )
        -> [(value: Value, projects: [String], indexes: [Int])]?
    {
        var first: Value?
        var differs = false
        for index in indexes {
            guard let current = value(index) else { continue }
            if let first {
                if first != current {
                    differs = true
                    break
                }
            } else {
                first = current
            }
        }
        guard differs else { return nil }
        var projects: [Value: Set<String>] = [:]
        var members: [Value: [Int]] = [:]
        for index in indexes {
            guard let value = value(index) else { continue }
            projects[value, default: []].insert(columns[index].project)
            members[value, default: []].append(index)
        }
        return projects.map { ($0.key, $0.value.sorted(), members[$0.key]!) }
            .sorted { ($1.projects.count, $1.indexes.count, $0.value) < ($0.projects.count, $0.indexes.count, $1.value) }
    }

    /// `project schema.table` of each column, sorted, for the outliers' detail lines.
    func places(_ indexes: [Int], _ columns: [IndexedColumn]) -> [String] {
        indexes.map { Linter.place(columns[$0]) }.sorted()
    }

    func typeMismatches(_ columns: [IndexedColumn]) -> [LintFinding] {
        // A fleet has few distinct type spellings: normalise each once.
        var cache: [String: LintTypeName] = [:]
        let types = columns.map { column -> LintTypeName? in
            guard let type = column.type else { return nil }
            if let known = cache[type] { return known }
            let name = LintTypeName(type)
            cache[type] = name
            return name
        }
        return members.keys.sorted().compactMap { group in
            guard let counts = tally(members[group]!, columns, { types[$0] }) else { return nil }
            let lengthOnly = Set(counts.map(\.value.base)).count == 1
            let summary = counts.enumerated().map { index, entry in
                "\(entry.value.text) in \(index == 0 ? Linter.projects(entry.projects.count) + " (majority)" : "\(entry.projects.count)")"
            }.joined(separator: ", ")
            let outliers = counts.dropFirst().map { "\($0.value.text): \(Linter.list(places($0.indexes, columns)))" }
            return LintFinding(
                rule: .typeMismatch, column: group, projects: counts.flatMap(\.projects),
                message: (lengthOnly ? "length mismatch: " : "\(counts.count) types: ") + summary,
                details: ["majority: \(counts[0].value.text)"] + outliers + joined(group))
        }
    }

    func nullabilityMismatches(_ columns: [IndexedColumn]) -> [LintFinding] {
        let view = RelationKind.view.rawValue
        let materializedView = RelationKind.materializedView.rawValue
        return members.keys.sorted().compactMap { group in
            let counts = tally(members[group]!, columns) { index -> String? in
                guard let nullable = columns[index].isNullable, columns[index].kind != view, columns[index].kind != materializedView
                else { return nil }
                return nullable ? "nullable" : "NOT NULL"
            }
            guard let counts else { return nil }
            return LintFinding(
                rule: .nullabilityMismatch, column: group, projects: counts.flatMap(\.projects),
                message:
                    "\(counts[0].value) in \(Linter.projects(counts[0].projects.count)) (majority), \(counts[1].value) in \(counts[1].projects.count)",
                details: ["\(counts[1].value): \(Linter.list(places(counts[1].indexes, columns)))"] + joined(group))
        }
    }

    func labelMismatches(_ columns: [IndexedColumn]) -> [LintFinding] {
        members.keys.sorted().compactMap { group in
            let indexes = members[group]!
            let labels = tally(indexes, columns) { columns[$0].label.flatMap { $0.isEmpty ? nil : $0 } } ?? []
            let descriptions = tally(indexes, columns) { columns[$0].description.flatMap { $0.isEmpty ? nil : $0 } } ?? []
            guard labels.count > 1 || descriptions.count > 1 else { return nil }
            var parts: [String] = []
            var details: [String] = []
            if labels.count > 1 {
                parts.append("\(labels.count) labels")
                details += labels.map { "label \"\($0.value)\": \(Linter.list($0.projects))" }
            }
            if descriptions.count > 1 {
                parts.append("\(descriptions.count) descriptions")
                details += descriptions.map { "description \"\($0.value)\": \(Linter.list($0.projects))" }
            }
            return LintFinding(
                rule: .labelMismatch, column: group, projects: (labels + descriptions).flatMap(\.projects),
                message: parts.joined(separator: " and ") + " for one column", details: details + joined(group))
        }
    }

    func validationMismatches(_ columns: [IndexedColumn]) -> [LintFinding] {
        // Rules written the same way are parsed once.
        var canonical: [String: String?] = [:]
        return members.keys.sorted().compactMap { group in
            let counts = tally(members[group]!, columns) { index -> String? in
                guard let text = columns[index].validationRules, !text.isEmpty else { return nil }
                if let known = canonical[text] { return known }
                let rules = (try? JSONValue(json: text))?.canonicalText ?? text
                canonical[text] = rules == "null" || rules == "{}" ? .some(nil) : rules
                return canonical[text]!
            }
            guard let counts else { return nil }
            return LintFinding(
                rule: .validationMismatch, column: group, projects: counts.flatMap(\.projects),
                message: "\(counts.count) different validation_rules",
                details: counts.map { "\($0.value): \(Linter.list($0.projects))" } + joined(group))
        }
    }
}
