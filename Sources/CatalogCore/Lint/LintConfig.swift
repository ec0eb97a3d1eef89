import Foundation
import Yams

/// A regular expression from the config that must match a whole name.
public struct LintPattern: @unchecked Sendable, Equatable {
    public let source: String
    // NSRegularExpression is immutable and safe to share once compiled.
    private let regex: NSRegularExpression

    public init(_ source: String, what: String) throws {
        do {
            regex = try NSRegularExpression(pattern: "^(?:\(source))$")
        } catch {
            throw CatalogError(.badInput, "\(what): the regular expression \"\(source)\" does not compile; fix it (such as legacy_.*)")
        }
        self.source = source
    }

    public func matches(_ name: String) -> Bool {
        regex.firstMatch(in: name, range: NSRange(name.startIndex..., in: name)) != nil
    }

    public static func == (lhs: LintPattern, rhs: LintPattern) -> Bool { lhs.source == rhs.source }
}

/// The naming rules of the config's `naming` section; empty means the `naming` rule finds nothing.
public struct LintNaming: Sendable, Equatable {
    public enum TableNumber: String, Sendable, Equatable, CaseIterable { case singular, plural }

    public var snakeCase = false
    public var forbidden: [LintPattern] = []
    public var tables: TableNumber?
    public var requiredColumns: [String] = []

    public init(snakeCase: Bool = false, forbidden: [LintPattern] = [], tables: TableNumber? = nil, requiredColumns: [String] = []) {
        self.snakeCase = snakeCase
        self.forbidden = forbidden
        self.tables = tables
        self.requiredColumns = requiredColumns
    }
}

/// Hides the findings it matches: every condition given must hold (rule, a column or table name
/// pattern, a project, a tag of one of the finding's projects). A reason is required.
public struct LintSuppression: Sendable, Equatable {
    public var rule: String?
    public var column: LintPattern?
    public var table: LintPattern?
    public var project: String?
    public var tag: String?
    public var reason: String
    /// Where it is written, for the finding that reports it unused.
    public var location: String

    public init(
        rule: String? = nil, column: LintPattern? = nil, table: LintPattern? = nil, project: String? = nil, tag: String? = nil,
        reason: String, location: String = "config"
    ) {
        self.rule = rule
        self.column = column
        self.table = table
        self.project = project
        self.tag = tag
        self.reason = reason
        self.location = location
    }

    /// Whether this suppression hides `finding`; `tags` gives each project's tags.
    func matches(_ finding: LintFinding, tags: [String: [String]]) -> Bool {
        if let rule, rule != finding.rule { return false }
        if let column, !(finding.column.map(column.matches) ?? false) { return false }
        if let table, !(finding.table.map(table.matches) ?? false) { return false }
        if let project, !finding.projects.contains(project) { return false }
        if let tag, !finding.projects.contains(where: { tags[$0]?.contains(tag) ?? false }) { return false }
        return true
    }

    /// How a person recognises it: its conditions.
    var summary: String {
        var parts: [String] = []
        if let rule { parts.append("rule \(rule)") }
        if let column { parts.append("column \(column.source)") }
        if let table { parts.append("table \(table.source)") }
        if let project { parts.append("project \(project)") }
        if let tag { parts.append("tag \(tag)") }
        return parts.isEmpty ? "every finding" : parts.joined(separator: ", ")
    }
}

/// What `catalog-lint.yaml` says: rules switched off or given another severity, naming rules,
/// synonyms and suppressions. The empty config runs every rule at its default severity.
public struct LintConfig: Sendable, Equatable {
    /// A rule's severity, or nil when it is off; missing rules keep their default.
    public var severities: [String: LintSeverity?] = [:]
    public var naming = LintNaming()
    /// Groups of column names that are one semantic column; the first name stands for the group.
    public var synonyms: [[String]] = []
    public var suppressions: [LintSuppression] = []

    public init(
        severities: [String: LintSeverity?] = [:], naming: LintNaming = LintNaming(), synonyms: [[String]] = [],
        suppressions: [LintSuppression] = []
    ) {
        self.severities = severities
        self.naming = naming
        self.synonyms = synonyms
        self.suppressions = suppressions
    }

    /// The severity a rule runs at, or nil when the config switched it off.
    public func severity(of rule: LintRule) -> LintSeverity? {
        if let configured = severities[rule.id] { return configured }
        return rule.defaultSeverity
    }

    /// The largest config read, in bytes.
    public static let maximumBytes = 1024 * 1024

    /// Reads a config file; every error is one line naming the file and the line.
    public static func read(path: String) throws -> LintConfig {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw CatalogError(.badInput, "cannot read the lint config \(path); check the path")
        }
        guard data.count <= maximumBytes else {
            throw CatalogError(.badInput, "\(path) is larger than 1 MiB, which no lint config needs; check that it is the right file")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw CatalogError(.badInput, "\(path) is not UTF-8 text; give a YAML lint config")
        }
        return try parse(text, file: path)
    }

    /// Parses a config. Unknown keys, unknown rule IDs, severities, regular expressions that do not
    /// compile, suppressions without a reason, and YAML anchors and aliases are refused.
    public static func parse(_ text: String, file: String) throws -> LintConfig {
        if let line = YAMLAliasCheck.firstAnchorOrAliasLine(in: text) {
            throw CatalogError(
                .badInput, "\(file):\(line): YAML anchors and aliases (&name, *name) are not allowed in the lint config; write each value out")
        }
        let node: Node?
        do {
            node = try Yams.compose(yaml: text)
        } catch let error as YamlError {
            throw CatalogError(.badInput, "\(file): not valid YAML: \(Self.describe(error)); fix the syntax and try again")
        } catch {
            throw CatalogError(.badInput, "\(file): not valid YAML; fix the syntax and try again")
        }
        guard let node else { return LintConfig() }
        return try Reader(file: file).config(node)
    }

    private static func describe(_ error: YamlError) -> String {
        switch error {
        case .scanner(_, let problem, let mark, _), .parser(_, let problem, let mark, _), .composer(_, let problem, let mark, _):
            "line \(mark.line): \(problem)"
        case .duplicatedKeysInMapping(let duplicates, _):
            "duplicate key \(duplicates.joined(separator: ", "))"
        default:
            "\(error)".split(separator: "\n").first.map(String.init) ?? "syntax error"
        }
    }

    private struct Reader {
        let file: String

        func fail(_ node: Node, _ message: String) -> CatalogError {
            CatalogError(.badInput, "\(place(node)): \(message)")
        }

        func place(_ node: Node) -> String { file + (node.mark.map { ":\($0.line)" } ?? "") }

        func mapping(_ node: Node, _ what: String, allowed: [String]) throws -> [(key: String, node: Node, value: Node)] {
            guard case .mapping(let mapping) = node else { throw fail(node, "\(what) must be a mapping of keys to values") }
            var seen = Set<String>()
            return try mapping.map { pair in
                guard let key = pair.key.string else { throw fail(pair.key, "\(what) has a key that is not text") }
                guard allowed.contains(key) else {
                    throw fail(pair.key, "unknown key '\(key)' in \(what); allowed keys: \(allowed.joined(separator: ", "))")
                }
                guard seen.insert(key).inserted else { throw fail(pair.key, "duplicate key '\(key)' in \(what)") }
                return (key, pair.key, pair.value)
            }
        }

        func text(_ node: Node, _ key: String) throws -> String {
            guard case .scalar = node, DefinitionFile.tagName(node) != .null, let value = node.string, !value.isEmpty else {
                throw fail(node, "'\(key)' must be non-empty text")
            }
            return value
        }

        func texts(_ node: Node, _ key: String) throws -> [String] {
            guard case .sequence(let sequence) = node else { throw fail(node, "'\(key)' must be a list") }
            return try sequence.map { try text($0, key) }
        }

        func config(_ node: Node) throws -> LintConfig {
            var config = LintConfig()
            for (key, _, value) in try mapping(node, "the lint config", allowed: ["rules", "naming", "synonyms", "suppressions"]) {
                switch key {
                case "rules": config.severities = try rules(value)
                case "naming": config.naming = try naming(value)
                case "synonyms":
                    guard case .sequence(let groups) = value else { throw fail(value, "'synonyms' must be a list of lists of column names") }
                    config.synonyms = try groups.map { group in
                        let names = try texts(group, "synonyms")
                        guard names.count >= 2 else { throw fail(group, "a synonym group needs at least two column names") }
                        return names
                    }
                    var owner: [String: Int] = [:]
                    for (index, group) in config.synonyms.enumerated() {
                        for name in group where owner.updateValue(index, forKey: name) != nil {
                            throw fail(value, "the column name '\(name)' is in more than one synonym group; merge the groups")
                        }
                    }
                default:
                    guard case .sequence(let items) = value else { throw fail(value, "'suppressions' must be a list") }
                    config.suppressions = try items.map(suppression)
                }
            }
            return config
        }

        func rules(_ node: Node) throws -> [String: LintSeverity?] {
            guard case .mapping(let mapping) = node else { throw fail(node, "'rules' must map rule IDs to a severity or off") }
            var result: [String: LintSeverity?] = [:]
            for pair in mapping {
                let id = try text(pair.key, "rules")
                do { _ = try LintRule.named(id) } catch let error as CatalogError { throw fail(pair.key, error.message) }
                let value = try text(pair.value, id)
                if value == "off" || DefinitionFile.tagName(pair.value) == .bool && pair.value.bool == false {
                    result[id] = .some(nil)
                } else {
                    do { result[id] = try LintSeverity.named(value, what: "the severity of \(id)") } catch let error as CatalogError {
                        throw fail(pair.value, error.message + " or off")
                    }
                }
            }
            return result
        }

        func naming(_ node: Node) throws -> LintNaming {
            var naming = LintNaming()
            for (key, _, value) in try mapping(node, "'naming'", allowed: ["case", "forbidden", "tables", "required_columns"]) {
                switch key {
                case "case":
                    guard try text(value, key) == "snake_case" else { throw fail(value, "'case' must be snake_case") }
                    naming.snakeCase = true
                case "forbidden":
                    naming.forbidden = try texts(value, key).map { pattern in
                        try LintPattern(pattern, what: "\(self.place(value)): 'forbidden'")
                    }
                case "tables":
                    guard let number = LintNaming.TableNumber(rawValue: try text(value, key)) else {
                        throw fail(value, "'tables' must be singular or plural")
                    }
                    naming.tables = number
                default:
                    naming.requiredColumns = try texts(value, key)
                }
            }
            return naming
        }

        func suppression(_ node: Node) throws -> LintSuppression {
            let fields = try mapping(node, "a suppression", allowed: ["rule", "column", "table", "project", "tag", "reason"])
            var suppression = LintSuppression(reason: "", location: (self.place(node) as NSString).lastPathComponent)
            for (key, _, value) in fields {
                let text = try text(value, key)
                switch key {
                case "rule":
                    do { _ = try LintRule.named(text) } catch let error as CatalogError { throw fail(value, error.message) }
                    suppression.rule = text
                case "column": suppression.column = try LintPattern(text, what: "\(self.place(value)): 'column'")
                case "table": suppression.table = try LintPattern(text, what: "\(self.place(value)): 'table'")
                case "project": suppression.project = text
                case "tag": suppression.tag = text
                default: suppression.reason = text
                }
            }
            guard !suppression.reason.isEmpty else { throw fail(node, "a suppression needs a 'reason' saying why the finding is accepted") }
            return suppression
        }
    }
}
