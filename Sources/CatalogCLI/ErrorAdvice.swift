import CatalogCore

/// The CLI's own words for what to do next: library errors state what happened and carry a
/// `Remedy`; the commands and flags that carry it out are named here, where the commands live.
enum ErrorAdvice {
    /// The one line printed for `error`.
    static func line(for error: CatalogError) -> String {
        guard let remedy = error.remedy else { return "error: \(error.message)" }
        return "error: \(error.message); \(words(for: remedy))"
    }

    /// A remedy as a command line.
    static func words(for remedy: CatalogError.Remedy) -> String {
        switch remedy {
        case .reviewSyncPlanAgain: "run 'catalog sync --plan' again and review it"
        case .listProjects: "run 'catalog project list' to see the registered ones"
        case .registerProject(let name): "register it with 'catalog project add \(name) --dsn …'"
        }
    }
}
