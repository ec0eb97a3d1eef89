import CatalogCore
import CatalogServer
import CatalogStore
import CatalogSupport
import CatalogTestSupport
import Foundation
import PostgresClient
import Testing

/// `catalog serve`'s start-up rules: loopback without a token only, and how the token file is read.
@Suite struct ConfigurationTests {
    let store = StoreLocation(path: "/tmp/unused.sqlite", isExplicit: true)

    @Test func aNonLoopbackAddressNeedsAToken() throws {
        #expect(throws: CatalogError.self) { try ServerConfiguration(host: "0.0.0.0", store: store).validate() }
        #expect(throws: CatalogError.self) { try ServerConfiguration(host: "192.168.1.5", store: store).validate() }
        try ServerConfiguration(host: "0.0.0.0", token: "secret", store: store).validate()
        try ServerConfiguration(host: "127.0.0.1", store: store).validate()
        try ServerConfiguration(host: "::1", store: store).validate()
        try ServerConfiguration(host: "localhost", store: store).validate()
        #expect(throws: CatalogError.self) { try ServerConfiguration(host: "127.0.0.1", token: "", store: store).validate() }
    }

    @Test func loopbackMeansThisMachineOnly() {
        #expect(ServerConfiguration.isLoopback("127.0.0.1"))
        #expect(ServerConfiguration.isLoopback("127.1.2.3"))
        #expect(ServerConfiguration.isLoopback("::1"))
        #expect(!ServerConfiguration.isLoopback("0.0.0.0"))
        #expect(!ServerConfiguration.isLoopback("127.0.0.1.evil.example"))
        #expect(!ServerConfiguration.isLoopback("10.0.0.1"))
        #expect(!ServerConfiguration.isLoopback("::"))
    }

    @Test func trailingWhitespaceInTheTokenFileIsIgnored() throws {
        let directory = try TestWorkspace.temporaryDirectory()
        let file = directory.appendingPathComponent("token").path
        try "  s3cret value\t \n\n".write(toFile: file, atomically: true, encoding: .utf8)
        #expect(try ServerConfiguration.readToken(path: file) == "  s3cret value")
        try " \n\t".write(toFile: file, atomically: true, encoding: .utf8)
        #expect(throws: CatalogError.self) { try ServerConfiguration.readToken(path: file) }
        #expect(throws: CatalogError.self) { try ServerConfiguration.readToken(path: directory.appendingPathComponent("missing").path) }
    }

    @Test func theCommandRefusesANonLoopbackHostWithoutAToken() throws {
        let outcome = try ChildProcess(TestWorkspace.catalogBinary, ["serve", "--host", "0.0.0.0", "--port", "0"]).run()
        #expect(outcome.status == 64)
        #expect(outcome.stderr.contains("without a token"))
    }
}
