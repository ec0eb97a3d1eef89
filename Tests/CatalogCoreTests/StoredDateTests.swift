import Foundation
import GRDB
import Testing

@testable import CatalogStore

/// The store reads its dates without GRDB's decoder where it can (`StoredDate`); the `Date` must be
/// the one GRDB gives, to the bit, or a value would depend on which path read it.
@Suite("Stored dates")
struct StoredDateTests {
    @Test("dates as GRDB stores them read back exactly as GRDB reads them")
    func sameAsGRDB() {
        var generator = SystemRandomNumberGenerator()
        var dates = [
            Date(timeIntervalSince1970: 0), Date(timeIntervalSince1970: 1_764_740_695.083), Date(timeIntervalSince1970: 951_782_400.999),
            Date(timeIntervalSince1970: -1.5), Date(timeIntervalSinceReferenceDate: 0),
            // Adding the fraction to the day's start instead of to the time of day gave another Double here.
            Date(timeIntervalSince1970: 978_192_490.635),
        ]
        for _ in 0..<20_000 {
            dates.append(Date(timeIntervalSince1970: Double(Int.random(in: -2_000_000_000_000...4_102_444_800_000, using: &generator)) / 1000))
        }
        for _ in 0..<5_000 { dates.append(Date(timeIntervalSince1970: Double.random(in: 0...4_102_444_800, using: &generator))) }
        // Years 1600 to 9999, the range read here.
        for _ in 0..<5_000 {
            dates.append(Date(timeIntervalSince1970: Double(Int.random(in: -11_676_096_000_000...253_402_300_799_000, using: &generator)) / 1000))
        }
        var differing: [String] = []
        for date in dates {
            guard case .string(let stored) = date.databaseValue.storage else { continue }
            if StoredDate.parse(stored) != Date.fromDatabaseValue(date.databaseValue) { differing.append(stored) }
        }
        #expect(differing.isEmpty, "\(differing.prefix(5))")
    }

    @Test("other shapes are left to GRDB", arguments: ["2026-12-03", "1581-12-03 05:50:38.000", "2026-12-03T05:50:38", "2026-12-03 05:50:38Z", "2026-13-03 05:50:38", "2026-12-03 05:50:38.", "x"])
    func otherShapes(text: String) {
        #expect(StoredDate.parse(text) == nil)
    }

    @Test("seconds without a fraction are read here; a longer fraction is left to GRDB")
    func fractions() {
        #expect(StoredDate.parse("2026-12-03 05:50:38") == Date.fromDatabaseValue("2026-12-03 05:50:38".databaseValue))
        #expect(StoredDate.parse("2026-12-03 05:50:38.123456") == nil)
    }
}
