/// Display defaults derived when reading: `customer_email` reads as "Customer email" while its label is empty.
enum DisplayName {
    static func derive(_ identifier: String) -> String {
        var words: [String] = []
        var current = ""
        var previous: Character?
        for character in identifier {
            if character == "_" || character == " " || character == "-" {
                if !current.isEmpty { words.append(current) }
                current = ""
            } else if character.isUppercase, let previous, previous.isLowercase {
                words.append(current)
                current = String(character)
            } else {
                current.append(character)
            }
            previous = character
        }
        if !current.isEmpty { words.append(current) }
        let sentence = words.map { $0.lowercased() }.joined(separator: " ")
        return sentence.prefix(1).uppercased() + sentence.dropFirst()
    }
}
