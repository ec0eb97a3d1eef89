import CLibPQ

/// libpq is opened on first use, not at process start (see `CLibPQ/LazyLibPQ.c`). Everything that
/// can create a `PGconn` or parse a connection string calls this first, so a machine without libpq
/// gets a one-line error from the command that needed it, and every other command still runs.
enum LibPQLoading {
    static func ensureLoaded() throws(PostgresError) {
        if let error = catalog_libpq_load_error() {
            throw PostgresError(kind: .clientLibrary, message: String(cString: error))
        }
    }
}
