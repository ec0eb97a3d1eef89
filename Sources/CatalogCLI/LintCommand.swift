import ArgumentParser
import CatalogCore
import Foundation

/// `catalog lint`'s output formats: table for people, json for scripts, sarif for code-scanning views.
enum LintFormat: String, ExpressibleByArgument, CaseIterable {
    case table, json, sarif
}

struct LintCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lint",
        abstract: "Find where projects disagree: types, nullability, shared tables, labels, naming, metadata.",
        discussion: """
            Reads the local index, so no database is contacted (--live refreshes it first). Exits 0 when no \
            finding is at or above --fail-on, 1 when one is, 2 when lint could not run (a bad config, baseline \
            or option). Rules: \(LintRule.all.map(\.id).joined(separator: ", ")); --explain ID says more. \
            Example: catalog lint --tag prod --config catalog-lint.yaml --baseline lint-baseline.json --fail-on warning
            """
    )

    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var filter: ProjectFilterOptions

    @Flag(name: .long, help: "Every registered project (the default when no --project or --tag is given).")
    var all = false

    @Option(name: .long, help: "Output format: table for people; json or sarif for scripts and code-scanning views.")
    var format: LintFormat = .table

    @Option(name: .long, help: ArgumentHelp("A YAML config: rules, severities, naming, synonyms, suppressions.", valueName: "file"))
    var config: String?

    @Option(name: .long, help: ArgumentHelp("Hide the findings this baseline file accepted.", valueName: "file"))
    var baseline: String?

    @Option(name: .customLong("write-baseline"), help: ArgumentHelp("Write every current finding to a baseline file.", valueName: "file"))
    var writeBaseline: String?

    @Option(name: .long, help: ArgumentHelp("Run only this rule (repeatable), among those the config leaves on.", valueName: "rule"))
    var rule: [String] = []

    @Option(name: .customLong("fail-on"), help: ArgumentHelp("Exit 1 if a finding is at or above: error, warning or info.", valueName: "severity"))
    var failOn = "error"

    @Option(name: .long, help: ArgumentHelp("Explain one rule and exit.", valueName: "rule"))
    var explain: String?

    @Flag(name: .long, help: "Refresh the index from every selected database first.")
    var live = false

    @OptionGroup var fanOut: FanOutOptionGroup

    func run() throws {
        let report: LintReport
        let lintConfig: LintConfig
        do {
            let threshold = try LintSeverity.named(failOn, what: "--fail-on")
            if let explain {
                Terminal.write(LintOutput.explain(try LintRule.named(explain)))
                return
            }
            lintConfig = try config.map(LintConfig.read) ?? LintConfig()
            let accepted = try baseline.map(LintBaseline.read)
            let catalog = try storeOptions.open(live ? .readWrite : .readOnly)
            var selection = filter.selection
            selection.all = all
            report = try catalog.lint(
                LintRequest(
                    selection: selection, config: lintConfig, rules: rule, baseline: accepted, live: live, options: fanOut.options))
            if let writeBaseline {
                try LintBaseline.write(report.unbaselined, path: writeBaseline, store: catalog.store.location)
            }
            switch format {
            case .table: Terminal.write(LintOutput.table(report))
            case .json: Terminal.write(LintJSON.document(report, advice: ErrorAdvice.words(for:)).rendered)
            case .sarif: Terminal.write(LintSARIF.document(report, config: lintConfig, toolVersion: CatalogCommand.version).rendered)
            }
            SearchOutput.reportFailures(report.failures, sources: report.live ? [] : report.sources)
            if let writeBaseline {
                Terminal.warn("wrote \(report.unbaselined.count) finding(s) to the baseline \(writeBaseline)")
                return
            }
            if report.fails(at: threshold) || !report.failures.isEmpty {
                let over = report.findings.filter { $0.severity >= threshold }.count
                throw PartialFailure(
                    failed: over, total: report.findings.count,
                    summary: "\(over) finding(s) at or above \(threshold.rawValue)"
                        + (report.failures.isEmpty ? "" : "; \(report.failures.count) project(s) could not be read"))
            }
        } catch let error as CatalogError {
            // Lint documents one status for "could not run", bad input included, so CI can tell it from findings.
            Terminal.warn(ErrorAdvice.line(for: error))
            throw ExitCode(ExitStatus.failure)
        }
    }
}

/// The table view: grouped by rule, one block per finding however many projects it spans.
enum LintOutput {
    static let detailLines = 6

    static func table(_ report: LintReport) -> String {
        var text = ""
        var rule: String?
        for finding in report.findings {
            if finding.rule != rule {
                rule = finding.rule
                let summary = (try? LintRule.named(finding.rule))?.summary ?? ""
                text += (text.isEmpty ? "" : "\n") + "\(finding.rule): \(summary)\n"
            }
            let projects = finding.projects.count > 1 ? " [\(finding.projects.count) projects]" : ""
            text += "  \(finding.severity.rawValue.uppercased()) \(finding.subject)\(projects): \(finding.message)\n"
            for line in finding.details.prefix(detailLines) { text += "      \(line)\n" }
            if finding.details.count > detailLines { text += "      … \(finding.details.count - detailLines) more (--format json lists all)\n" }
            text += "      fingerprint \(finding.fingerprint)\n"
        }
        let counts = LintSeverity.allCases.reversed().map { "\(report.count($0)) \($0.rawValue)" }.joined(separator: ", ")
        let summary =
            report.findings.isEmpty
            ? "no findings in \(report.projects.count) project(s)"
            : "\(report.findings.count) finding(s) in \(report.projects.count) project(s): \(counts)"
        return text + (text.isEmpty ? "" : "\n") + summary + "; \(report.suppressed) suppressed, \(report.baselined) baselined\n"
    }

    static func explain(_ rule: LintRule) -> String {
        "\(rule.id) (default severity: \(rule.defaultSeverity.rawValue))\n\(rule.summary)\n\n\(rule.explanation)\n"
    }
}
