/// Project names are short handles for commands and URLs: letters, digits, `_`, `-` and `.`.
/// Shared definitions are named by the same rule.
enum ProjectName {
    /// Checks a name; `what` names the thing in the message, such as "project" or "shared definition".
    static func validate(_ name: String, what: String = "project") throws {
        guard !name.isEmpty else {
            throw CatalogError.usage("the \(what) name is empty; give a name such as 'billing'")
        }
        guard name.count <= 63 else {
            throw CatalogError.usage("the \(what) name \"\(name.prefix(20))…\" is longer than 63 characters; pick a shorter name")
        }
        let allowed = name.unicodeScalars.allSatisfy { scalar in
            scalar.isASCII && (scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) || "_-.".unicodeScalars.contains(scalar))
        }
        guard allowed, let first = name.unicodeScalars.first, first.properties.isAlphabetic || ("0"..."9").contains(first) else {
            throw CatalogError.usage(
                "the \(what) name \"\(name)\" may use only ASCII letters, digits, '_', '-' and '.', starting with a letter or digit")
        }
    }

    static func validateTag(_ tag: String) throws {
        guard !tag.isEmpty, tag.count <= 63, !tag.contains(where: { $0 == "," || $0.isWhitespace }) else {
            throw CatalogError.usage("the tag \"\(tag)\" is not valid; tags are non-empty, at most 63 characters, without spaces or commas")
        }
    }
}
