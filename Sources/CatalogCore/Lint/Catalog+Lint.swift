import CatalogStore
import Foundation

/// What `catalog lint` is asked: which projects, the config, which rules and severities to report,
/// an optional baseline, and whether to refresh the index from the databases first.
public struct LintRequest: Sendable {
    public var selection: ProjectSelection
    public var config: LintConfig
    /// Rule IDs to run, among those the config leaves on; empty runs them all.
    public var rules: [String]
    /// Report only findings at or above this severity; nil reports every finding.
    public var minimumSeverity: LintSeverity?
    public var baseline: LintBaseline?
    public var live: Bool
    public var options: FanOutOptions

    public init(
        selection: ProjectSelection = ProjectSelection(), config: LintConfig = LintConfig(), rules: [String] = [],
        minimumSeverity: LintSeverity? = nil, baseline: LintBaseline? = nil, live: Bool = false, options: FanOutOptions = FanOutOptions()
    ) {
        self.selection = selection
        self.config = config
        self.rules = rules
        self.minimumSeverity = minimumSeverity
        self.baseline = baseline
        self.live = live
        self.options = options
    }

    /// The config with every rule that `rules` leaves out switched off; an unknown rule ID is bad input.
    func effectiveConfig() throws -> LintConfig {
        guard !rules.isEmpty else { return config }
        let chosen = Set(try rules.map { try LintRule.named($0).id })
        var config = config
        for rule in LintRule.all where !chosen.contains(rule.id) { config.severities[rule.id] = .some(nil) }
        return config
    }
}

/// What `catalog lint` found, with how fresh each project's copy is.
public struct LintReport: Sendable {
    /// The findings left after suppressions, the baseline and the minimum severity, most severe first.
    public var findings: [LintFinding]
    /// Every finding before the baseline was applied (what `--write-baseline` writes).
    public var unbaselined: [LintFinding]
    public var projects: [LintSnapshot.ProjectState]
    public var suppressed: Int
    public var baselined: Int
    /// Projects `--live` could not read; their older copy (if any) was linted.
    public var failures: [ProjectFailure]
    public var live: Bool

    /// Where each indexed project's copy came from and how old it is, for the freshness line.
    public var sources: [AnswerSource] {
        projects.compactMap { project in
            project.index.map { AnswerSource(project: project.name, live: live, revision: $0.revision, fetchedAt: $0.fetchedAt) }
        }
    }

    /// Whether any finding is at or above `threshold`.
    public func fails(at threshold: LintSeverity) -> Bool { findings.contains { $0.severity >= threshold } }

    /// How many findings there are of each severity.
    public func count(_ severity: LintSeverity) -> Int { findings.filter { $0.severity == severity }.count }
}

extension Catalog {
    /// Lints the selected projects (every project by default) from the index: no database is
    /// contacted unless `live` asks to refresh the index first, through the same read search uses.
    public func lint(_ request: LintRequest) throws -> LintReport {
        let config = try request.effectiveConfig()
        let projects = try searchProjects(request.selection)
        var failures: [ProjectFailure] = []
        if request.live {
            failures = try readLive(projects, question: nil, options: request.options).failures.sorted { $0.project < $1.project }
        }
        let snapshot = try lintSnapshot(projects)
        let (findings, suppressed) = Linter.run(snapshot, config: config)
        let accepted = request.baseline?.fingerprints ?? []
        let kept = findings.filter { !accepted.contains($0.fingerprint) }
        let shown = request.minimumSeverity.map { minimum in kept.filter { $0.severity >= minimum } } ?? kept
        return LintReport(
            findings: shown, unbaselined: findings, projects: snapshot.projects, suppressed: suppressed,
            baselined: findings.count - kept.count, failures: failures, live: request.live)
    }

    /// The index, shared definitions and attachments of these projects, read from the store.
    func lintSnapshot(_ projects: [Project]) throws -> LintSnapshot {
        try wrapped {
            let names = projects.map(\.name)
            let states = try store.indexStates()
            let archived = try store.archivedSharedNames()
            let versions = try store.sharedVersions().filter { !archived.contains($0.name) }.map(Self.sharedVersion)
            var newest: [String: SharedVersion] = [:]
            for version in versions where (newest[version.name]?.version ?? 0) < version.version { newest[version.name] = version }
            let selected = Set(names)
            let attachments = try store.attachments().filter { selected.contains($0.project) && newest[$0.definition] != nil }.map { stored in
                let pinned = stored.pinnedVersion.flatMap { pin in versions.first { $0.name == stored.definition && $0.version == pin } }
                return LintSnapshot.Attachment(
                    project: stored.project, definition: stored.definition, version: pinned ?? newest[stored.definition]!)
            }
            return LintSnapshot(
                projects: projects.map { LintSnapshot.ProjectState(name: $0.name, tags: $0.tags, index: states[$0.name]) },
                columns: try store.codedColumns(projects: names),
                tables: try store.indexedTables(projects: names, filter: .all),
                shared: newest.values.sorted { $0.name < $1.name }, attachments: attachments)
        }
    }
}
