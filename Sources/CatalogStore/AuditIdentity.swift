import Foundation
import Synchronization

/// Who an audit entry names, and which replica wrote it.
///
/// The CLI names the operating-system user. `catalog serve` names the API's caller (the token's
/// name, or the name a web session signed in with) for the request being served: the request's task
/// carries it (`taskActor`), and the thread that runs the request's blocking work takes it over
/// (`withThreadActor`), since a thread of catalog's own does not see task-local values. The replica
/// is set once per process (`serve --replica-name`; the host name otherwise).
public enum AuditIdentity {
    /// The API caller of the request this task serves, if any.
    @TaskLocal public static var taskActor: String?

    private static let replicaName = Mutex<String?>(nil)
    private static let threadKey = "catalog.audit.actor"

    /// The name of this replica, written into every audit entry.
    public static var replica: String {
        get { replicaName.withLock { $0 } ?? ProcessInfo.processInfo.hostName }
        set { replicaName.withLock { $0 = newValue } }
    }

    /// The actor for an entry written now: this thread's, this task's, or the operating-system user.
    public static var currentActor: String {
        if let actor = Thread.current.threadDictionary[threadKey] as? String { return actor }
        if let actor = taskActor { return actor }
        return ProcessInfo.processInfo.environment["USER"] ?? ProcessInfo.processInfo.userName
    }

    /// Runs blocking `body` on this thread with `actor` as the audit actor (nil keeps the default).
    public static func withThreadActor<T>(_ actor: String?, _ body: () throws -> T) rethrows -> T {
        guard let actor else { return try body() }
        let dictionary = Thread.current.threadDictionary
        let previous = dictionary[threadKey]
        dictionary[threadKey] = actor
        defer { dictionary[threadKey] = previous }
        return try body()
    }
}
