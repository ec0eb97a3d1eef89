import Hummingbird

/// Reads query-string parameters strictly: a value that is present but malformed is a 400 that
/// names the parameter, never silently a default.
struct QueryParameters {
    let values: Parameters

    init(_ request: Request) {
        values = request.uri.queryParameters
    }

    /// A required, non-empty string.
    func required(_ name: String, example: String) throws -> String {
        guard let value = values.get(name), !value.isEmpty else {
            throw APIError.badRequest("the '\(name)' parameter is required, for example ?\(name)=\(example)")
        }
        return value
    }

    /// Every value of a repeatable parameter, such as `project=a&project=b`.
    func all(_ name: String) -> [String] {
        values.getAll(name).filter { !$0.isEmpty }
    }

    /// `true`/`false` (also `1`/`0`); absent means `false`.
    func flag(_ name: String) throws -> Bool {
        guard let value = values.get(name) else { return false }
        switch value.lowercased() {
        case "true", "1": return true
        case "false", "0": return false
        default: throw APIError.badRequest("the '\(name)' parameter must be true or false, not '\(value)'")
        }
    }

    /// One of an enumeration's raw values; absent means `fallback`.
    func choice<T: RawRepresentable & CaseIterable>(_ name: String, default fallback: T) throws -> T where T.RawValue == String {
        guard let value = values.get(name) else { return fallback }
        guard let choice = T(rawValue: value) else {
            let allowed = T.allCases.map(\.rawValue).joined(separator: ", ")
            throw APIError.badRequest("the '\(name)' parameter must be one of \(allowed), not '\(value)'")
        }
        return choice
    }

    /// A number of seconds from 0 to `maximum`; absent means 0.
    func seconds(_ name: String, maximum: Double) throws -> Double {
        guard let value = values.get(name) else { return 0 }
        guard let seconds = Double(value), seconds.isFinite, (0...maximum).contains(seconds) else {
            throw APIError.badRequest("the '\(name)' parameter must be a number of seconds from 0 to \(Int(maximum)), not '\(value)'")
        }
        return seconds
    }

    /// A whole number of at least `minimum`; absent means nil.
    func integer(_ name: String, minimum: Int) throws -> Int? {
        guard let value = values.get(name) else { return nil }
        guard let number = Int(value), number >= minimum else {
            throw APIError.badRequest("the '\(name)' parameter must be a whole number of at least \(minimum), not '\(value)'")
        }
        return number
    }
}
