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
}
