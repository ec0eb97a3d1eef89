/// Why the store could not be opened or changed, in words a user can act on.
public struct StoreError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What kind of failure this is, for callers that react to it.
    public enum Code: String, Sendable, Equatable {
        case notFound = "not_found"
        case alreadyExists = "already_exists"
        case conflict
        /// Another command holds the store.
        case busy
        case refused
        /// The store cannot be written.
        case readOnly = "read_only"
        case badInput = "bad_input"
        case timedOut = "timed_out"
        /// The store's database server cannot be reached (a PostgreSQL registry that is down).
        case unreachable
        case failed
    }

    public var code: Code
    public var message: String
    /// What to do next, worded by the front ends (the message names no command or flag).
    public var remedy: StoreRemedy?

    /// An error of kind `failed`.
    public init(_ message: String, remedy: StoreRemedy? = nil) { self.init(.failed, message, remedy: remedy) }

    /// An error of a given kind.
    public init(_ code: Code, _ message: String, remedy: StoreRemedy? = nil) {
        self.code = code
        self.message = message
        self.remedy = remedy
    }

    public var description: String { message }
}
