/// The four things `catalog generate` writes.
public enum CodegenFormat: String, Sendable, CaseIterable {
    case graphql, typescript, jsonschema, openapi
}

/// What a generator produced: the files (by name, for `--out`), the one text printed to standard output
/// without `--out`, and the warnings.
public struct CodegenOutput: Sendable, Equatable {
    public var format: CodegenFormat
    public var files: [CodegenFile]
    /// The text for standard output and the API: the one file, or for JSON Schema one schema whose
    /// `$defs` hold every table (empty when the files were asked for).
    public var text: String
    public var warnings: [CodegenWarning]
    /// The line every generated file carries (a comment, or JSON Schema's `$comment` and OpenAPI's
    /// `info.description`), naming the metadata it came from: how `--out` tells its own files.
    public var marker: String = ""

    /// The extension of this format's files, which a leftover file must have too.
    public var fileExtension: String {
        switch format {
        case .graphql: ".graphql"
        case .typescript: ".ts"
        case .jsonschema: ".json"
        case .openapi: ".yaml"
        }
    }

    /// The media type the API answers with.
    public var mediaType: String {
        switch format {
        case .graphql: "application/graphql; charset=utf-8"
        case .typescript: "text/plain; charset=utf-8"
        case .jsonschema: "application/schema+json"
        case .openapi: "application/yaml; charset=utf-8"
        }
    }
}

/// One generated file.
public struct CodegenFile: Sendable, Equatable {
    public var name: String
    public var content: String
}

/// Runs one generator over an input: the pure step between reading the metadata and writing files.
public enum Codegen {
    /// `files` false leaves `files` empty for JSON Schema (standard output and the API need only `text`);
    /// the other formats are one file whose content is `text`.
    public static func generate(_ format: CodegenFormat, from input: CodegenInput, files wantFiles: Bool = true) throws -> CodegenOutput {
        let model = try CodegenModel(input)
        let files: [CodegenFile]
        var text: String
        switch format {
        case .graphql:
            text = GraphQLGenerator.generate(model)
            files = [CodegenFile(name: "schema.graphql", content: text)]
        case .typescript:
            text = TypeScriptGenerator.generate(model)
            files = [CodegenFile(name: "index.ts", content: text)]
        case .jsonschema:
            text = wantFiles ? "" : JSONSchemaGenerator.document(model)
            files = wantFiles ? JSONSchemaGenerator.files(model).map { CodegenFile(name: $0.name, content: $0.content) } : []
        case .openapi:
            text = OpenAPIGenerator.generate(model)
            files = [CodegenFile(name: "openapi.yaml", content: text)]
        }
        return CodegenOutput(format: format, files: files, text: text, warnings: model.warnings, marker: model.marker)
    }
}
