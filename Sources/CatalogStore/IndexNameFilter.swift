/// Which names an index read returns: the store turns it into a condition with bound values, so
/// no caller hands it SQL. Regular expressions and case folding are not here: they follow each
/// database's ctype and are evaluated in Swift on the names `.all` returns.
public enum IndexNameFilter: Sendable, Equatable {
    /// Every name.
    case all
    /// Names equal to this one, byte for byte.
    case exact(String)
    /// Names that start with this text.
    case prefix(String)
    /// Names that contain this text.
    case contains(String)

    /// Whether `name` passes, byte for byte as the store's own condition decides: what a copy of the
    /// index held in memory applies instead of the store's WHERE.
    public func admits(_ name: String) -> Bool {
        switch self {
        case .all: return true
        case .exact(let wanted): return name.utf8.elementsEqual(wanted.utf8)
        case .prefix(let wanted): return name.utf8.starts(with: wanted.utf8)
        case .contains(let wanted):
            let haystack = Array(name.utf8)
            let needle = Array(wanted.utf8)
            guard !needle.isEmpty else { return true }
            guard needle.count <= haystack.count else { return false }
            for start in 0...(haystack.count - needle.count) where haystack[start..<(start + needle.count)].elementsEqual(needle) {
                return true
            }
            return false
        }
    }
}
