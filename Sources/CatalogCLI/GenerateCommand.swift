import ArgumentParser
import CatalogCore
import Foundation

extension CodegenFormat: ExpressibleByArgument {}

/// `catalog generate FORMAT`: code and schemas from one project's metadata, or from the shared definitions.
struct GenerateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate",
        abstract: "Generate GraphQL SDL, TypeScript, JSON Schema or OpenAPI from a project's metadata.",
        discussion: """
            graphql writes schema.graphql, typescript index.ts, openapi openapi.yaml, and jsonschema one \
            TypeName.json per table (on standard output: one schema whose $defs hold every table). \
            Warnings (renamed identifiers, resolved collisions, rules that do not map) go to stderr and \
            leave the exit status at 0. --out removes the files an earlier run generated from the same \
            metadata that are no longer produced (their first lines name it); --check exits 1 when a file \
            in --out is missing, stale or such a leftover.

            Example: catalog generate typescript --project billing --out src/db/ --check
            """
    )

    @Argument(help: "What to generate: graphql, typescript, jsonschema or openapi.")
    var format: CodegenFormat

    @Option(name: .long, help: "The project whose metadata to read.")
    var project: String?

    @Flag(name: .long, help: "Generate the shared definitions alone, at their current versions, instead of a project.")
    var shared = false

    @Option(
        name: .long, help: ArgumentHelp("Write the files into this directory (created when missing); other files are left alone.", valueName: "dir"))
    var out: String?

    @Flag(name: .long, help: "Write nothing; exit 1 if the files in --out are missing, differ from what would be generated, or are left over.")
    var check = false

    @Flag(name: .long, help: "Read the metadata from the local index; no database is contacted.")
    var cached = false

    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var fanOut: FanOutOptionGroup

    func validate() throws {
        guard (project != nil) != shared else { throw ValidationError("give either --project NAME or --shared") }
        if check && out == nil { throw ValidationError("--check compares the files in --out; give --out DIR") }
        if cached && shared { throw ValidationError("--shared reads the store itself; drop --cached") }
    }

    func run() throws {
        let catalog = try storeOptions.open()
        let target = try out.flatMap { check ? nil : try catalog.codegenDirectory($0) }
        let output = try catalog.generate(format, project: project, cached: cached, files: out != nil, options: fanOut.options)
        for warning in output.warnings { Terminal.warn("warning: \(warning.message)") }
        if let out, check {
            let stale = Catalog.staleGenerated(output, in: out)
            let leftover = Catalog.leftoverGenerated(output, in: out)
            guard stale.isEmpty && leftover.isEmpty else {
                let command = "catalog generate \(format.rawValue) \(project.map { "--project \($0)" } ?? "--shared") --out \(out)"
                let parts =
                    (stale.isEmpty ? [] : ["stale in \(out): \(stale.joined(separator: ", "))"])
                    + (leftover.isEmpty ? [] : ["no longer generated in \(out): \(leftover.joined(separator: ", "))"])
                Terminal.warn("\(parts.joined(separator: "; ")); run '\(command)'")
                throw ExitCode(ExitStatus.partial)
            }
            Terminal.write("\(output.files.count) file(s) in \(out) are up to date\n")
        } else if let target {
            let removed = try catalog.writeGenerated(output, to: target)
            Terminal.write("wrote \(output.files.count) file(s) to \(target.path)\n")
            if !removed.isEmpty { Terminal.write("removed \(removed.count) file(s) no longer generated: \(removed.joined(separator: ", "))\n") }
        } else {
            Terminal.write(output.text)
        }
    }
}
