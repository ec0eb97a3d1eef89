import PostgresClient

/// Whether a project publishes its revision for the fast path (`_metadata` 0004), and if not, why
/// and what to run. `metadata status`, `metadata install` and `drift` read it.
public struct RevisionSignalStatus: Sendable, Equatable {
    public enum State: String, Sendable, Equatable {
        /// The published value is the project's current revision: fresh searches skip reading it.
        case publishing
        /// `_metadata` is missing or older than 0004: nothing is published.
        case notInstalled = "not_installed"
        /// The revision trigger is disabled: writes are neither counted nor published.
        case triggerDisabled = "trigger_disabled"
        /// The publishing function does not belong to the database owner.
        case notOwner = "not_owner"
        /// The owner may not set `catalog.revision` at database level (PostgreSQL 15 needs a GRANT).
        case noGrant = "no_grant"
        /// Allowed to publish, but nothing is published yet (the next write to `_metadata` publishes).
        case unpublished
        /// The published value is not the current revision (a publish failed after a grant was revoked
        /// or the database changed owner, or it is a copy's value).
        case stale
    }

    public var state: State
    /// What is wrong and what follows from it, for people.
    public var detail: String?
    /// What to run to turn the signal on, when one statement does it, such as
    /// `GRANT SET ON PARAMETER catalog.revision TO alice` (as a superuser).
    public var fix: String?

    public var publishes: Bool { state == .publishing }

    /// Reads the trigger, the publishing function, the grant and the published value of the database
    /// the connection is on; `hasRevision` says whether `_metadata.revision` exists there.
    static func query(hasRevision: Bool) -> Query {
        let expected =
            hasRevision
            ? "(SELECT format('%s/%s:%s', d.oid, to_jsonb(r) ->> 'lineage', r.value) FROM _metadata.revision r LIMIT 1)" : "NULL::text"
        return Query(
            """
            SELECT pg_get_userbyid(d.datdba) AS owner,
                   (SELECT string_agg(c.relname || '=' || t.tgenabled::text, ',' ORDER BY c.relname)
                    FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace
                    WHERE n.nspname = '_metadata' AND t.tgname = 'bump_revision') AS triggers,
                   p.proowner IS NOT NULL AS has_publisher, pg_get_userbyid(p.proowner) AS publisher_owner,
                   pg_has_role(p.proowner, d.datdba, 'USAGE') AS publisher_is_owner,
                   has_parameter_privilege(p.proowner, '\(PublishedRevision.setting)', 'SET') AS may_set,
                   format('GRANT SET ON PARAMETER \(PublishedRevision.setting) TO %I', pg_get_userbyid(coalesce(p.proowner, d.datdba))) AS grant_statement,
                   format('ALTER FUNCTION _metadata.publish_revision() OWNER TO %I', pg_get_userbyid(d.datdba)) AS owner_statement,
                   (SELECT substr(c, \(PublishedRevision.setting.count + 2)) FROM pg_db_role_setting s, unnest(s.setconfig) AS c
                    WHERE s.setdatabase = d.oid AND s.setrole = 0 AND c LIKE '\(PublishedRevision.setting)=%' LIMIT 1) AS published,
                   \(expected) AS expected
            FROM pg_database d LEFT JOIN pg_proc p ON p.oid = to_regprocedure('_metadata.publish_revision()')
            WHERE d.datname = current_database()
            """)
    }

    /// Disabled triggers, by table, from the `triggers` column (`D` disabled, `R` replica sessions only).
    static func disabledTriggers(_ record: QueryResult.Record?) -> [String] {
        (record?["triggers"] ?? "").split(separator: ",").compactMap { entry in
            let parts = entry.split(separator: "=", maxSplits: 1)
            return parts.count == 2 && (parts[1] == "D" || parts[1] == "R") ? "_metadata.\(parts[0])" : nil
        }
    }

    /// The status from `query`'s row.
    init(_ record: QueryResult.Record?) {
        let disabled = Self.disabledTriggers(record)
        if record?.bool("has_publisher") != true {
            self.init(
                state: .notInstalled, detail: "_metadata has no revision signal (older than migration 0004, or not installed)",
                fix: "catalog metadata install")
        } else if !disabled.isEmpty {
            self.init(
                state: .triggerDisabled,
                detail:
                    "trigger bump_revision is disabled on \(disabled.joined(separator: ", ")): writes there are neither counted nor published, so fresh searches miss them until the next published write or a live read",
                fix: disabled.map { "ALTER TABLE \($0) ENABLE ALWAYS TRIGGER bump_revision" }.joined(separator: "; "))
        } else if record?.bool("publisher_is_owner") != true {
            self.init(
                state: .notOwner,
                detail:
                    "_metadata.publish_revision() belongs to \(record?["publisher_owner"] ?? "?"), not to the database owner \(record?["owner"] ?? "?"), so it may not publish",
                fix: record?["owner_statement"])
        } else if record?.bool("may_set") != true {
            self.init(
                state: .noGrant,
                detail:
                    "role \(record?["publisher_owner"] ?? "?") may not set \(PublishedRevision.setting); a superuser runs the GRANT once per server",
                fix: record?["grant_statement"])
        } else if record?["published"] == nil {
            self.init(state: .unpublished, detail: "nothing published yet; the next write to _metadata publishes", fix: nil)
        } else if record?["published"] != record?["expected"] {
            self.init(
                state: .stale,
                detail:
                    "published \(record?["published"] ?? "") but the database is at \(record?["expected"] ?? "?"); fresh searches read this project until its next write publishes",
                fix: nil)
        } else {
            self.init(state: .publishing, detail: nil, fix: nil)
        }
    }

    init(state: State, detail: String?, fix: String?) {
        self.state = state
        self.detail = detail
        self.fix = fix
    }
}
