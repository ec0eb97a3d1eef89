import CatalogCore
import CatalogStore
import CatalogTestSupport
import Foundation
import PostgresClient
import Testing

@Suite("catalog lint")
struct LintTests {
    static func fleet(divergent: Bool) throws -> (catalog: Catalog, planted: [LintFleet.Planted]) {
        let path = try TestWorkspace.temporaryDirectory().appendingPathComponent("lint.sqlite").path
        return try LintFleet.make(at: path, divergent: divergent)
    }

    static func lint(_ catalog: Catalog, config: LintConfig? = nil, baseline: LintBaseline? = nil) throws -> LintReport {
        try catalog.lint(LintRequest(config: config ?? LintFleet.config(), baseline: baseline))
    }

    @Test("the clean control fleet has no findings")
    func controlFleetIsClean() throws {
        var config = try LintFleet.config()
        config.suppressions = []
        let report = try Self.lint(try Self.fleet(divergent: false).catalog, config: config)
        #expect(report.findings.map { "\($0.rule) \($0.subject): \($0.message)" } == [])
        #expect(report.projects.count == 20)
    }

    @Test("every planted divergence is found (100 % recall) and nothing else is (0 false positives)")
    func recallAndFalsePositives() throws {
        let (catalog, planted) = try Self.fleet(divergent: true)
        let report = try Self.lint(catalog)
        #expect(planted.count >= 50)
        #expect(Set(planted.flatMap { $0.expected.map(\.rule) }) == Set(LintRule.all.map(\.id)), "every rule is covered")
        var missed: [String] = []
        for divergence in planted {
            for expected in divergence.expected where !report.findings.contains(where: expected.matches) {
                missed.append("\(divergence): \(expected)")
            }
        }
        #expect(missed == [], "recall: \(planted.count - Set(missed).count) of \(planted.count)")
        let expectations = planted.flatMap(\.expected)
        let unexplained = report.findings.filter { finding in !expectations.contains { $0.matches(finding) } }
        #expect(unexplained.map { "\($0.rule) \($0.subject): \($0.message)" } == [])
        #expect(report.suppressed == 1, "the legacyCode naming finding is suppressed")
        #expect(!report.findings.contains { $0.column == "legacyCode" })
    }

    @Test("fingerprints stay when an unrelated project is added or changes")
    func fingerprintsAreStable() throws {
        let (catalog, _) = try Self.fleet(divergent: true)
        let before = try Self.lint(catalog).findings
        try LintFleet.addUnrelated(catalog, project: "p23")
        let after = try Self.lint(catalog).findings
        #expect(Set(before.map(\.fingerprint)) == Set(after.map(\.fingerprint)))
        let email = try #require(after.first { $0.rule == "type-mismatch" && $0.column == "email" })
        #expect(email.projects.contains("p23"), "the new project is counted, the fingerprint is the same")
        #expect(Set(before.map(\.fingerprint)).count == before.count, "fingerprints are unique")
    }

    @Test("a baseline hides what it accepted; a foreign or newer baseline is refused")
    func baselines() throws {
        let (catalog, _) = try Self.fleet(divergent: true)
        let first = try Self.lint(catalog)
        let text = LintBaseline.document(first.findings).rendered
        let baseline = try LintBaseline.parse(Data(text.utf8), file: "b.json")
        let second = try Self.lint(catalog, baseline: baseline)
        #expect(second.findings.isEmpty)
        #expect(second.baselined == first.findings.count)
        #expect(!second.fails(at: .info))
        let foreign = #"{"version": "2.1.0", "runs": []}"#
        #expect(throws: CatalogError.self) { try LintBaseline.parse(Data(foreign.utf8), file: "b.json") }
        let newer = #"{"format": "catalog-lint-baseline", "version": 99, "findings": []}"#
        let error = try #require(throws: CatalogError.self) { try LintBaseline.parse(Data(newer.utf8), file: "b.json") }
        #expect(error.code == .badInput)
        #expect(error.message.contains("newer"))
    }

    @Test(
        "bad configs are refused with one line",
        arguments: [
            ("rules: [unclosed", "not valid YAML"),
            ("rules:\n  no-such-rule: error\n", "unknown lint rule \"no-such-rule\""),
            ("rules:\n  type-mismatch: fatal\n", "is not a severity"),
            ("naming:\n  forbidden: [\"(unclosed\"]\n", "does not compile"),
            ("suppressions:\n  - column: \"[a-\"\n    reason: r\n", "does not compile"),
            ("suppressions:\n  - rule: naming\n", "needs a 'reason'"),
            ("base: &a [1]\nrules: *a\n", "anchors and aliases"),
            ("colour: blue\n", "unknown key 'colour'"),
        ])
    func badConfigs(text: String, message: String) throws {
        let error = try #require(throws: CatalogError.self) { try LintConfig.parse(text, file: "c.yaml") }
        #expect(error.code == .badInput)
        #expect(error.message.contains(message), "\(error.message)")
        #expect(!error.message.contains("\n"))
        #expect(error.message.hasPrefix("c.yaml"))
    }

    @Test("types compare as PostgreSQL prints them; a length difference is named so")
    func typeNames() throws {
        func column(_ project: String, _ type: String) -> IndexedColumn {
            var column = IndexedColumn(
                schema: "public", table: "t", kind: "table", name: "c", type: type, graphqlField: nil, label: nil, description: nil,
                isNullable: false, validationRules: nil, position: 1)
            column.project = project
            return column
        }
        let projects = ["a", "b", "c"].map { LintSnapshot.ProjectState(name: $0, index: nil) }
        let length = LintSnapshot(
            projects: projects,
            columns: [column("a", "character varying(255)"), column("b", "character varying(255)"), column("c", "character varying(100)")],
            tables: [])
        let (findings, _) = Linter.run(length, config: LintConfig(severities: ["missing-metadata": LintSeverity?.none]))
        #expect(findings.count == 1)
        #expect(findings.first?.message == "length mismatch: character varying(255) in 2 projects (majority), character varying(100) in 1")
        let same = LintSnapshot(
            projects: projects, columns: [column("a", "timestamp with time zone"), column("b", "timestamp with time zone")], tables: [])
        let sameFindings = Linter.run(same, config: LintConfig(severities: ["missing-metadata": LintSeverity?.none])).findings
        #expect(sameFindings.isEmpty)
    }

    @Test("rules can be switched off or given another severity")
    func severities() throws {
        let (catalog, _) = try Self.fleet(divergent: true)
        var config = try LintFleet.config()
        config.severities["type-mismatch"] = .some(nil)
        config.severities["naming"] = .some(.error)
        let report = try Self.lint(catalog, config: config)
        #expect(!report.findings.contains { $0.rule == "type-mismatch" })
        #expect(report.findings.filter { $0.rule == "naming" }.allSatisfy { $0.severity == .error })
        #expect(report.findings.contains { $0.rule == "unused-suppression" } == false, "a suppression for a rule that is off is not reported unused")
    }

    @Test("lint --live reads real databases after a scan and finds a planted type mismatch")
    func liveOverRealDatabases() throws {
        let fleet = try SampleFleet.make(["saas", "crm"])
        try fleet.connect("saas").query("ALTER TABLE users ADD COLUMN region varchar(10)")
        try fleet.connect("crm").query("ALTER TABLE sales.contacts ADD COLUMN region text")
        _ = try fleet.catalog.scanMetadata(.everything)
        let cold = try fleet.catalog.lint(LintRequest())
        #expect(cold.findings.filter { $0.rule == "missing-metadata" }.map(\.projects) == [["crm"], ["saas"]], "nothing read yet")
        let live = try fleet.catalog.lint(LintRequest(live: true))
        #expect(live.failures.isEmpty)
        let region = try #require(live.findings.first { $0.rule == "type-mismatch" && $0.column == "region" })
        #expect(region.projects == ["crm", "saas"])
        #expect(region.message.contains("character varying(10)"))
        #expect(!live.findings.contains { $0.rule == "missing-metadata" && $0.message.contains("never") })
        // From the index again: the same findings, without contacting the databases.
        let cached = try fleet.catalog.lint(LintRequest())
        #expect(cached.findings.map(\.fingerprint) == live.findings.map(\.fingerprint))
    }
}
