/// Connection strings libpq cannot parse, each with a secret where a password goes: the parse
/// error must never echo it (the client's own tests and the CLI's use the same list).
public enum MalformedDSNs {
    public static let leaky = [
        "postgresql://u:p%zzsecret@h/db",
        "postgresql://u:secret%zz@h/db",
        "postgresql://u:%zsecret@h:5432/db?sslmode=disable",
        "postgresql://u:secret@h:5432/db?password=sec%zzret2",
        "postgresql://u:secret@h:5432/db?password=secret2&bogus",
        "postgresql://u:secret@[::1/db",
        "postgresql://u:se/cret@h/db",
        "postgresql://u:secret@h:54x32/db",
        "host=h password=secret dbname",
        "host=h password=sec ret dbname=x",
        "host=h password='secret dbname=x",
        "password=secret sslmode=bogus",
        "password = secret port=99999",
    ]
}

/// Ports for tests.
public enum TemporaryClusterPort {
    /// A port nothing listens on.
    public static func closed() throws -> Int { try TemporaryCluster.freePort() }
}
