import CatalogCore
import CatalogServer
import CatalogStore
import CatalogSupport
import CatalogTestSupport
import Foundation
import PostgresClient
import Testing

/// `catalog serve`'s start-up rules: a token always (unless --insecure-no-auth on loopback), how the token file is read, checked or generated.
@Suite struct ConfigurationTests {
    let store = StoreLocation(path: "/tmp/unused.sqlite", isExplicit: true)

    @Test func aNonLoopbackAddressNeedsAToken() throws {
        #expect(throws: CatalogError.self) { try ServerConfiguration(host: "0.0.0.0", store: store).validate() }
        #expect(throws: CatalogError.self) { try ServerConfiguration(host: "192.168.1.5", store: store).validate() }
        #expect(throws: CatalogError.self) { try ServerConfiguration(host: "0.0.0.0", insecureNoAuth: true, store: store).validate() }
        try ServerConfiguration(host: "0.0.0.0", token: "secret-0123456789", store: store).validate()
        try ServerConfiguration(host: "127.0.0.1", insecureNoAuth: true, store: store).validate()
        try ServerConfiguration(host: "::1", insecureNoAuth: true, store: store).validate()
        try ServerConfiguration(host: "localhost", insecureNoAuth: true, store: store).validate()
        #expect(throws: CatalogError.self) { try ServerConfiguration(host: "127.0.0.1", token: "", store: store).validate() }
    }

    @Test func evenLoopbackNeedsATokenUnlessAuthenticationIsTurnedOff() throws {
        #expect(throws: CatalogError.self) { try ServerConfiguration(host: "127.0.0.1", store: store).validate() }
        #expect(throws: CatalogError.self) { try ServerConfiguration(host: "localhost", store: store).validate() }
    }

    @Test func aTokenShorterThanSixteenCharactersIsRefused() throws {
        #expect(throws: CatalogError.self) { try ServerConfiguration(token: "x", store: store).validate() }
        #expect(throws: CatalogError.self) { try ServerConfiguration(token: String(repeating: "a", count: 15), store: store).validate() }
        try ServerConfiguration(token: String(repeating: "a", count: 16), store: store).validate()

        let file = try TestWorkspace.temporaryDirectory().appendingPathComponent("token").path
        try "x\n".write(toFile: file, atomically: true, encoding: .utf8)
        #expect(throws: CatalogError.self) { try ServerConfiguration.readToken(path: file) }
        chmod(file, 0o644)
        let outcome = try Self.runBriefly(["serve", "--port", "0", "--token-file", file, "--store", "/tmp/unused.sqlite"])
        #expect(outcome.status == 2)
        #expect(outcome.stderr.split(separator: "\n").count == 1, "\(outcome.stderr)")
        #expect(outcome.stderr.contains("at least 16"))
    }

    @Test func aTokenFileOthersCanReadIsWarnedAbout() throws {
        let file = try TestWorkspace.temporaryDirectory().appendingPathComponent("token").path
        try "a-long-enough-token-value\n".write(toFile: file, atomically: true, encoding: .utf8)
        chmod(file, 0o600)
        #expect(ServerToken.permissionWarning(file: file) == nil)
        chmod(file, 0o640)
        #expect(ServerToken.permissionWarning(file: file)?.contains("chmod 600") == true)
        chmod(file, 0o604)
        #expect(ServerToken.permissionWarning(file: file)?.contains("readable by other users") == true)

        let fleet = try ServerFleet.make([])
        _ = try fleet.application { $0.tokenFile = file }
        #expect(fleet.logs.text.contains("readable by other users"))
        #expect(!fleet.logs.text.contains("a-long-enough-token-value"))
    }

    @Test func aGeneratedTokenIsPrivateStableAndNeverPrinted() throws {
        let store = StoreLocation(path: try TestWorkspace.temporaryDirectory().appendingPathComponent("sub/catalog.sqlite").path, isExplicit: true)
        let first = try ServerToken.resolve(tokenFile: nil, store: store)
        #expect(first.generated)
        #expect(first.file == store.path + ".serve-token")
        #expect(first.token.count == 64)
        let mode = try FileManager.default.attributesOfItem(atPath: first.file)[.posixPermissions] as? NSNumber
        #expect(mode?.intValue == 0o600)
        #expect(try ServerToken.resolve(tokenFile: nil, store: store).token == first.token)
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
        try "  s3cret value, long enough\t \n\n".write(toFile: file, atomically: true, encoding: .utf8)
        #expect(try ServerConfiguration.readToken(path: file) == "  s3cret value, long enough")
        try " \n\t".write(toFile: file, atomically: true, encoding: .utf8)
        #expect(throws: CatalogError.self) { try ServerConfiguration.readToken(path: file) }
        #expect(throws: CatalogError.self) { try ServerConfiguration.readToken(path: directory.appendingPathComponent("missing").path) }
    }

    @Test func theCommandRefusesANonLoopbackHostWithoutAToken() throws {
        let outcome = try ChildProcess(TestWorkspace.catalogBinary, ["serve", "--host", "0.0.0.0", "--port", "0"]).run()
        #expect(outcome.status == 64)
        #expect(outcome.stderr.contains("without a token"))
    }

    /// Runs `catalog` and kills it if it is still running after `seconds`: a server that should
    /// have refused to start must fail the test, not hang it.
    static func runBriefly(_ arguments: [String], seconds: Double = 15) throws -> (status: Int32, stderr: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: TestWorkspace.catalogBinary)
        process.arguments = arguments
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(seconds)
        while process.isRunning, Date() < deadline { usleep(50_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        let text = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return (process.terminationStatus, text)
    }
}
