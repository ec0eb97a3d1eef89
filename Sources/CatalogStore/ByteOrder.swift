import Foundation

/// Text ordered by its UTF-8 bytes: SQLite's BINARY collation and PostgreSQL's "C". Answers list
/// rows in this order, so what the store returns sorted needs no sorting again.
public enum ByteOrder {
    /// Whether `left` comes first; nil when both are the same bytes. A missing value comes first.
    public static func precedes(_ left: String?, _ right: String?) -> Bool? {
        switch (left, right) {
        case (nil, nil): return nil
        case (nil, _): return true
        case (_, nil): return false
        case (var left?, var right?):
            // memcmp on the strings' own bytes: iterating two UTF-8 views cost about 1,600 instructions
            // a comparison, and an answer checks thousands.
            return left.withUTF8 { leftBytes in
                right.withUTF8 { rightBytes in
                    let shared = min(leftBytes.count, rightBytes.count)
                    let order = shared == 0 ? 0 : memcmp(leftBytes.baseAddress!, rightBytes.baseAddress!, shared)
                    if order != 0 { return order < 0 }
                    return leftBytes.count == rightBytes.count ? nil : leftBytes.count < rightBytes.count
                }
            }
        }
    }
}
