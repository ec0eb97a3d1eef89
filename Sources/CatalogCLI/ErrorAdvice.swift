import CatalogCore

/// The CLI's own words for what to do next: library errors state what happened and carry their
/// facts; the commands and flags that fix it are named here, where the commands live.
enum ErrorAdvice {
    /// The one line printed for `error`.
    static func line(for error: CatalogError) -> String {
        switch error.code {
        case .planChanged:
            return "error: \(error.message); run 'catalog sync --plan' again and review it"
        default:
            return "error: \(error.message)"
        }
    }
}
