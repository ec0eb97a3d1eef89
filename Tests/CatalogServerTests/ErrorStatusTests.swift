import CatalogCore
import Testing

@testable import CatalogServer

/// Library error codes become HTTP statuses without re-reading anything: an ordinary refusal is never a 500.
@Suite struct ErrorStatusTests {
    @Test func everyCodeHasItsStatus() {
        let expected: [CatalogError.Code: Int] = [
            .notFound: 404, .alreadyExists: 409, .conflict: 409, .planChanged: 409,
            .refused: 422, .badInput: 422, .unreachable: 503, .timedOut: 503, .failed: 500,
        ]
        for code in CatalogError.Code.allCases {
            #expect(ErrorMiddleware.status(for: code).code == expected[code], "\(code)")
        }
    }
}
