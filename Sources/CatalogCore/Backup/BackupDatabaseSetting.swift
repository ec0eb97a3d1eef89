/// One `ALTER DATABASE … SET` (or `ALTER ROLE … IN DATABASE … SET`) that a restore copies to the new database.
public struct BackupDatabaseSetting: Sendable, Equatable {
    /// The role it applies to; nil for every role.
    public var role: String?
    /// The setting, such as `search_path`.
    public var name: String
    /// The value, split into elements for list settings such as `search_path`.
    public var values: [String]

    /// A setting as read from the server or built by a test.
    public init(role: String?, name: String, values: [String]) {
        self.role = role
        self.name = name
        self.values = values
    }

    /// Settings whose stored value is a quoted list, as pg_dump's `variable_is_guc_list_quote` knows them.
    static let listSettings: Set<String> = [
        "local_preload_libraries", "search_path", "session_preload_libraries",
        "shared_preload_libraries", "temp_tablespaces", "unix_socket_directories",
    ]

    /// Parses one `name=value` element of `pg_db_role_setting.setconfig`.
    init?(role: String?, entry: String) {
        guard let equals = entry.firstIndex(of: "=") else { return nil }
        let name = String(entry[..<equals])
        let value = String(entry[entry.index(after: equals)...])
        self.init(role: role, name: name, values: Self.listSettings.contains(name.lowercased()) ? Self.splitList(value) : [value])
    }

    /// Splits a list setting the way pg_dump's `SplitGUCList` does: commas separate, double quotes
    /// protect (a doubled quote is a quote), spaces outside quotes go.
    static func splitList(_ value: String) -> [String] {
        var elements: [String] = []
        var rest = Array(value)[...]
        while true {
            while rest.first == " " { rest.removeFirst() }
            var element = ""
            if rest.first == "\"" {
                rest.removeFirst()
                while let character = rest.popFirst() {
                    if character == "\"" {
                        guard rest.first == "\"" else { break }
                        rest.removeFirst()
                    }
                    element.append(character)
                }
                while rest.first == " " { rest.removeFirst() }
            } else {
                while let character = rest.first, character != "," {
                    element.append(character)
                    rest.removeFirst()
                }
                while element.last == " " { element.removeLast() }
            }
            elements.append(element)
            guard rest.first == "," else { return elements }
            rest.removeFirst()
        }
    }
}
