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
        if on(.typeMismatch) { findings += groups.typeMismatches() }
        if on(.nullabilityMismatch) { findings += groups.nullabilityMismatches() }
        if on(.labelMismatch) { findings += groups.labelMismatches() }
        if on(.validationMismatch) { findings += groups.validationMismatches() }
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

    /// `project schema.table` of column `index`, for detail lines.
    static func place(_ columns: CodedColumns, _ index: Int) -> String {
        let text = columns.texts
        let schema = columns.schema[index]
        return "\(text[Int(columns.project[index])]) \(schema == CodedColumns.none ? "public" : text[Int(schema)]).\(text[Int(columns.table[index])])"
    }

    /// `a, b, c and 4 more` for detail lines that name projects.
    static func list(_ names: [String], limit: Int = 12) -> String {
        let shown = names.prefix(limit).joined(separator: ", ")
        return names.count > limit ? "\(shown) and \(names.count - limit) more" : shown
    }

    static func projects(_ count: Int) -> String { count == 1 ? "1 project" : "\(count) projects" }
}

/// Columns grouped by bare name, synonyms joined under the group's first name. Everything is done on
/// the codes of `CodedColumns`; texts are spelled out only for the groups a finding is about.
struct ColumnGroups {
    let columns: CodedColumns
    /// Group (the code of its first name) → indexes of its columns; empty for codes that name no group.
    private var members: [[Int32]]
    /// Group → the codes of the column names in it that occur, kept only when the config has synonyms.
    private var names: [Int32: Set<Int32>] = [:]
    /// Every column's place, worked out on first use (only groups that disagree need it).
    private let placeCache = PlaceCache()
    var placeRanks: ColumnPlaces { placeCache.get(columns) }

    init(_ columns: CodedColumns, synonyms: [[String]]) {
        var columns = columns
        var canonical: [Int32: Int32] = [:]
        for group in synonyms {
            let first = columns.intern(group[0])
            for name in group { canonical[columns.intern(name)] = first }
        }
        self.columns = columns
        members = Array(repeating: [], count: columns.texts.count)
        for index in 0..<columns.count {
            let name = columns.name[index]
            let group = canonical[name] ?? name
            members[Int(group)].append(Int32(index))
            if !canonical.isEmpty { names[group, default: []].insert(name) }
        }
    }

    /// The groups that have columns, by name.
    var groups: [Int32] {
        members.indices.filter { !members[$0].isEmpty }.map(Int32.init).sorted { columns.texts[Int($0)] < columns.texts[Int($1)] }
    }

    func name(_ group: Int32) -> String { columns.texts[Int(group)] }

    /// The detail line that says which names a synonym group joined.
    func joined(_ group: Int32) -> [String] {
        guard let names = names[group], names.count > 1 else { return [] }
        return ["synonyms compared together: \(names.map { columns.texts[Int($0)] }.sorted().joined(separator: ", "))"]
    }

    /// For one group: each value's projects and column indexes, most projects (then most columns) first; nil when the
    /// group holds at most one value. `key` gives a column's code (`CodedColumns.none` leaves it out) and `value` what a
    /// code means; codes are compared first, so the common case (one code in the group) costs no allocation.
    func tally<Value: Hashable & Comparable>(
        _ group: Int32, key: (Int) -> Int32, value: (Int32) -> Value?
    )
        -> [(value: Value, projects: [String], indexes: [Int32])]?
    {
        let indexes = members[Int(group)]
        var first = CodedColumns.none
        var differs = false
        for index in indexes {
            let code = key(Int(index))
            if code == CodedColumns.none { continue }
            if first == CodedColumns.none {
                first = code
            } else if code != first {
                differs = true
                break
            }
        }
        guard differs else { return nil }
        // Codes first (integers), then codes that mean the same value (two spellings of one type) are merged.
        var slotOfCode: [Int32: Int] = [:]
        var slotOfValue: [Value: Int] = [:]
        var values: [Value] = []
        var projects: [Set<Int32>] = []
        var lastProject: [Int32] = []
        var members: [[Int32]] = []
        var lastCode = CodedColumns.none
        var lastSlot = -1
        for index in indexes {
            let code = key(Int(index))
            if code == CodedColumns.none { continue }
            if code != lastCode {
                lastCode = code
                if let known = slotOfCode[code] {
                    lastSlot = known
                } else if let value = value(code) {
                    if let known = slotOfValue[value] {
                        lastSlot = known
                    } else {
                        lastSlot = values.count
                        slotOfValue[value] = lastSlot
                        values.append(value)
                        projects.append([])
                        lastProject.append(CodedColumns.none)
                        members.append([])
                    }
                    slotOfCode[code] = lastSlot
                } else {
                    lastSlot = -1
                    slotOfCode[code] = -1
                }
            }
            guard lastSlot >= 0 else { continue }
            // A project's columns come together: its code is inserted once per run, not once per column.
            let project = columns.project[Int(index)]
            if project != lastProject[lastSlot] {
                projects[lastSlot].insert(project)
                lastProject[lastSlot] = project
            }
            members[lastSlot].append(index)
        }
        guard values.count > 1 else { return nil }
        return values.indices.map { (values[$0], projects[$0].map { columns.texts[Int($0)] }.sorted(), members[$0]) }
            .sorted { ($1.projects.count, $1.indexes.count, $0.value) < ($0.projects.count, $0.indexes.count, $1.value) }
    }

    /// `project schema.table` of these columns, sorted, the first `limit` spelled out (`Linter.list`'s form):
    /// the outliers' detail line. Columns are ordered by their place's rank, so only the places shown are read.
    func places(_ indexes: [Int32], limit: Int = 12) -> String {
        let places = placeRanks
        let ranks = indexes.map { places.rank[Int($0)] }.sorted()
        let shown = ranks.prefix(limit).map { places.texts[Int($0)] }.joined(separator: ", ")
        return ranks.count > limit ? "\(shown) and \(ranks.count - limit) more" : shown
    }

    /// `value(code)` for every code some column has in `field`, worked out once per code.
    func decoded<Value>(_ field: [Int32], _ value: (String) -> Value?) -> [Value?] {
        var values = [Value?](repeating: nil, count: columns.texts.count)
        var seen = [Bool](repeating: false, count: columns.texts.count)
        for code in field where !seen[Int(code)] {
            seen[Int(code)] = true
            if code != CodedColumns.none { values[Int(code)] = value(columns.texts[Int(code)]) }
        }
        return values
    }

    func typeMismatches() -> [LintFinding] {
        // A fleet has few distinct type spellings: normalise each once.
        let types = decoded(columns.type) { LintTypeName($0) }
        return groups.compactMap { group in
            guard let counts = tally(group, key: { columns.type[$0] }, value: { types[Int($0)] }) else { return nil }
            let lengthOnly = Set(counts.map(\.value.base)).count == 1
            let summary = counts.enumerated().map { index, entry in
                "\(entry.value.text) in \(index == 0 ? Linter.projects(entry.projects.count) + " (majority)" : "\(entry.projects.count)")"
            }.joined(separator: ", ")
            let outliers = counts.dropFirst().map { "\($0.value.text): \(places($0.indexes))" }
            return LintFinding(
                rule: .typeMismatch, column: name(group), projects: counts.flatMap(\.projects),
                message: (lengthOnly ? "length mismatch: " : "\(counts.count) types: ") + summary,
                details: ["majority: \(counts[0].value.text)"] + outliers + joined(group))
        }
    }

    func nullabilityMismatches() -> [LintFinding] {
        // Views and materialized views take no part: PostgreSQL reports their columns as nullable.
        var columns = columns
        let views: Set<Int32> = [columns.intern(RelationKind.view.rawValue), columns.intern(RelationKind.materializedView.rawValue)]
        let nullable = columns.nullable
        let kind = columns.kind
        return groups.compactMap { group in
            let counts = tally(
                group, key: { index in nullable[index] < 0 || views.contains(kind[index]) ? CodedColumns.none : Int32(nullable[index]) + 1 },
                value: { $0 == 2 ? "nullable" : "NOT NULL" })
            guard let counts else { return nil }
            return LintFinding(
                rule: .nullabilityMismatch, column: name(group), projects: counts.flatMap(\.projects),
                message:
                    "\(counts[0].value) in \(Linter.projects(counts[0].projects.count)) (majority), \(counts[1].value) in \(counts[1].projects.count)",
                details: ["\(counts[1].value): \(places(counts[1].indexes))"] + joined(group))
        }
    }

    func labelMismatches() -> [LintFinding] {
        let nonEmpty = { (code: Int32) -> String? in
            let text = columns.texts[Int(code)]
            return text.isEmpty ? nil : text
        }
        return groups.compactMap { group in
            let labels = tally(group, key: { columns.label[$0] }, value: nonEmpty) ?? []
            let descriptions = tally(group, key: { columns.description[$0] }, value: nonEmpty) ?? []
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
                rule: .labelMismatch, column: name(group), projects: (labels + descriptions).flatMap(\.projects),
                message: parts.joined(separator: " and ") + " for one column", details: details + joined(group))
        }
    }

    func validationMismatches() -> [LintFinding] {
        // Rules written the same way are parsed once.
        let rules = decoded(columns.validationRules) { text -> String? in
            guard !text.isEmpty else { return nil }
            let rules = (try? JSONValue(json: text))?.canonicalText ?? text
            return rules == "null" || rules == "{}" ? nil : rules
        }
        return groups.compactMap { group in
            guard let counts = tally(group, key: { columns.validationRules[$0] }, value: { rules[Int($0)] }) else { return nil }
            return LintFinding(
                rule: .validationMismatch, column: name(group), projects: counts.flatMap(\.projects),
                message: "\(counts.count) different validation_rules",
                details: counts.map { "\($0.value): \(Linter.list($0.projects))" } + joined(group))
        }
    }
}

/// Every column's `project schema.table` as a rank among the snapshot's places in text order: detail
/// lines sort integers, and spell out only the places they show. Consecutive columns mostly share a table.
struct ColumnPlaces {
    /// Rank → text, sorted.
    let texts: [String]
    /// Column → the rank of its place.
    let rank: [Int32]

    init(_ columns: CodedColumns) {
        var ids: [TableCode: Int32] = [:]
        var keys: [TableCode] = []
        var idOfColumn = [Int32](repeating: 0, count: columns.count)
        var last: TableCode?
        var lastID: Int32 = 0
        for index in 0..<columns.count {
            let key = TableCode(columns, index, public: nil)
            if key != last {
                if let known = ids[key] {
                    lastID = known
                } else {
                    lastID = Int32(keys.count)
                    ids[key] = lastID
                    keys.append(key)
                }
                last = key
            }
            idOfColumn[index] = lastID
        }
        let text = columns.texts
        let spelled = keys.map { key in
            "\(text[Int(key.project)]) \(key.schema == CodedColumns.none ? "public" : text[Int(key.schema)]).\(text[Int(key.table)])"
        }
        let order = spelled.indices.sorted { spelled[$0] < spelled[$1] }
        var rankOfID = [Int32](repeating: 0, count: keys.count)
        for (rank, id) in order.enumerated() { rankOfID[id] = Int32(rank) }
        texts = order.map { spelled[$0] }
        rank = idOfColumn.map { rankOfID[Int($0)] }
    }
}

/// Holds `ColumnPlaces` once made; a class so the groups, a value, can fill it on first use.
final class PlaceCache {
    private var places: ColumnPlaces?

    func get(_ columns: CodedColumns) -> ColumnPlaces {
        if let places { return places }
        let made = ColumnPlaces(columns)
        places = made
        return made
    }
}
