import CatalogTestSupport

/// The three sample projects, registered, installed and scanned (see `SampleFleet`).
typealias FixtureFleet = SampleFleet
