import CatalogCore

/// The API's words for what to do next: the routes and body fields that carry out a library
/// error's `Remedy` (the CLI words the same remedies as commands and flags).
enum APIAdvice {
    /// The message an API client reads for `error`.
    static func message(for error: CatalogError) -> String {
        guard let remedy = error.remedy else { return error.message }
        return "\(error.message); \(words(for: remedy))"
    }

    /// A remedy as routes and fields.
    static func words(for remedy: CatalogError.Remedy) -> String {
        switch remedy {
        case .reviewSyncPlanAgain: "GET /api/v1/sync/plan again and review it"
        case .listProjects: "GET /api/v1/projects lists the registered ones"
        case .registerProject: "register it with POST /api/v1/projects"
        }
    }
}
