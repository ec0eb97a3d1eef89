/// The one `CREATE DATABASE` builder: restore, import, `project create` and `project clone` all make
/// their databases with it, so every option is quoted the same way (identifiers with
/// `quoteIdentifier`, values with `quoteLiteral`) and none is built from user text.
struct CreateDatabaseStatement: Sendable, Equatable {
    var name: String
    var owner: String? = nil
    var template: String? = nil
    var encoding: String? = nil
    var collate: String? = nil
    var ctype: String? = nil
    /// `libc`, `icu` or `builtin`; with `providerLocale`, adds the locale provider clause.
    var localeProvider: String? = nil
    var providerLocale: String? = nil
    /// `-1` (or nil) for no limit.
    var connectionLimit: Int? = nil
    /// `WAL_LOG` or `FILE_COPY` (PostgreSQL 15 and later); nil for the server's default.
    var strategy: String? = nil

    static let builtInTemplates: Set<String> = ["template0", "template1"]

    /// `CREATE DATABASE "name" WITH OWNER = … TEMPLATE = … ENCODING = '…' …`, in that order.
    func sql(_ quoting: RestorePlan.Quoting) throws -> String {
        var sql = "CREATE DATABASE \(try quoting.identifier(name)) WITH"
        if let owner { sql += " OWNER = \(try quoting.identifier(owner))" }
        // The built-in templates print bare, as people write them; any other name is quoted.
        if let template { sql += " TEMPLATE = \(Self.builtInTemplates.contains(template) ? template : try quoting.identifier(template))" }
        if let encoding { sql += " ENCODING = \(try quoting.literal(encoding))" }
        if let collate { sql += " LC_COLLATE = \(try quoting.literal(collate))" }
        if let ctype { sql += " LC_CTYPE = \(try quoting.literal(ctype))" }
        if let localeProvider {
            sql += try RestorePlan.localeProviderClause(localeProvider, locale: providerLocale, literal: quoting.literal)
        }
        if let connectionLimit, connectionLimit != -1 { sql += " CONNECTION LIMIT = \(connectionLimit)" }
        if let strategy { sql += " STRATEGY = \(strategy)" }
        return sql
    }
}
