import CLibPQ

/// The keyword/value arrays handed to `PQconnectdbParams` / `PQconnectStartParams`.
///
/// The user's string goes in as `dbname` with `expand_dbname = 1`, so libpq parses it exactly as
/// `psql` would (URI, key/value, `service`, `passfile`, `PG*` variables). Later keywords override it.
struct ConnectionParameters {
    var keywords: [String] = []
    var values: [String] = []

    /// `hostAddresses`, when given, are the resolved addresses of the connection's single host;
    /// the host is repeated once per address so libpq tries each in turn, as it would itself.
    /// `applicationName` is the fallback `application_name`: a DSN's own setting wins.
    init(_ connection: ConnectionString, hostAddresses: [String]? = nil, defaultConnectTimeout: Int = 10, applicationName: String = "catalog") {
        add("dbname", connection.raw)
        add("fallback_application_name", applicationName)
        if connection["connect_timeout"] == nil { add("connect_timeout", String(defaultConnectTimeout)) }
        if let hostAddresses, let host = connection["host"], !hostAddresses.isEmpty {
            add("host", Array(repeating: host, count: hostAddresses.count).joined(separator: ","))
            add("hostaddr", hostAddresses.joined(separator: ","))
        }
    }

    private mutating func add(_ keyword: String, _ value: String) {
        keywords.append(keyword)
        values.append(value)
    }

    /// Calls `body` with NULL-terminated C arrays, valid only inside `body`.
    func withCArrays<R>(_ body: (UnsafePointer<UnsafePointer<CChar>?>, UnsafePointer<UnsafePointer<CChar>?>) -> R) -> R {
        (keywords.map { Optional($0) } + [nil]).withCStringArray { keywordPointers in
            (values.map { Optional($0) } + [nil]).withCStringArray { valuePointers in
                keywordPointers.withUnsafeBufferPointer { keywordBuffer in
                    valuePointers.withUnsafeBufferPointer { valueBuffer in
                        body(keywordBuffer.baseAddress!, valueBuffer.baseAddress!)
                    }
                }
            }
        }
    }
}

/// libpq prints NOTICE messages to stderr by default; catalog's output must stay clean.
func silenceNotices(_ connection: OpaquePointer) {
    PQsetNoticeProcessor(connection, { _, _ in }, nil)
}
