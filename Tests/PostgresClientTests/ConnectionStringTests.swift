import CatalogTestSupport
import Foundation
@testable import PostgresClient
import Testing

@Suite("Connection strings")
struct ConnectionStringTests {
    @Test("a URI's password is masked and the rest kept")
    func masksURI() throws {
        let connection = try ConnectionString("postgresql://app:hunter2@db.example.com:5433/billing_db?sslmode=require")
        #expect(connection.masked == "postgresql://app:****@db.example.com:5433/billing_db?sslmode=require")
        #expect(!connection.masked.contains("hunter2"))
        #expect(connection.server == "app@db.example.com:5433/billing_db")
        #expect(connection["password"] == "hunter2")
    }

    @Test("a key/value password is masked, even quoted with spaces")
    func masksKeyValue() throws {
        let connection = try ConnectionString("host=127.0.0.1 dbname=shop password='two words'")
        #expect(!connection.masked.contains("two words"))
        #expect(connection.masked.contains("password=****"))
        #expect(connection.databaseName == "shop")
    }

    @Test("percent-encoded URI parts come back encoded")
    func percentEncoding() throws {
        let connection = try ConnectionString("postgresql://us%40er:p%40ss@localhost/db%20name")
        #expect(connection["user"] == "us@er")
        #expect(connection["dbname"] == "db name")
        #expect(connection.masked == "postgresql://us%40er:****@localhost/db%20name")
    }

    @Test("libpq's own keywords such as service and passfile are accepted")
    func acceptsLibpqKeywords() throws {
        let connection = try ConnectionString("service=billing passfile=/tmp/pgpass connect_timeout=3")
        #expect(connection["service"] == "billing")
        #expect(connection["passfile"] == "/tmp/pgpass")
    }

    @Test(
        "malformed strings are refused with libpq's reason and no password",
        arguments: [
            "postgresql://app:secret@host:notaport/db?bogus=1",
            "host=localhost dbname",
            "nonsense=1 password=secret",
            "   ",
        ])
    func refusesMalformed(_ raw: String) {
        #expect {
            try ConnectionString(raw)
        } throws: { error in
            let text = "\(error)"
            return !text.contains("secret") && !text.isEmpty
        }
    }

    /// Malformed strings whose libpq error quotes the fragment holding the password.
    @Test("libpq's quoted fragments are masked in every parse error", arguments: MalformedDSNs.leaky)
    func masksParseErrors(_ raw: String) {
        #expect {
            try ConnectionString(raw)
        } throws: { error in
            let text = "\(error)"
            return !text.contains("secret") && !text.contains("sec ret") && !text.contains("ret2") && !text.contains("se/cret")
                && text.hasPrefix("invalid connection string")
        }
    }

    @Test("replacing the database keeps everything else")
    func replacing() throws {
        let connection = try ConnectionString("postgresql://app:pw@127.0.0.1:5432/billing")
        let maintenance = connection.replacing("dbname", with: "postgres")
        #expect(maintenance["dbname"] == "postgres")
        #expect(maintenance["password"] == "pw")
        #expect(maintenance["port"] == "5432")
        #expect(try ConnectionString(maintenance.raw)["dbname"] == "postgres")
    }

    @Test("bound values never print")
    func queryDescriptionHidesValues() {
        let query = Query("SELECT $1", ["secret-value"])
        #expect(!query.description.contains("secret-value"))
        #expect(query.description.contains("****"))
    }

    @Test("spaces around a connection string are trimmed exactly as Foundation's .whitespaces trims them")
    func trimsLikeFoundation() {
        let samples = [
            "dbname=a", "  dbname=a  ", "\tdbname=a\t", "\u{00A0}dbname=a\u{2003}", "\u{3000} postgresql://u@h/d \u{202F}",
            "\ndbname=a\n", " \r\ndbname=a ", "", "   ", "\t\u{00A0}", "dbname='a b'  ", "é dbname=a é", "\u{200B}dbname=a",
        ]
        for sample in samples {
            #expect(ConnectionString.trimmingSpaces(sample) == sample.trimmingCharacters(in: .whitespaces), "\(Array(sample.unicodeScalars))")
        }
        // Every scalar Foundation calls a space, and every one it does not, up to U+FFFF.
        for value in 0...0xFFFF {
            guard let scalar = Unicode.Scalar(value) else { continue }
            let sample = "\(scalar)x\(scalar)"
            #expect(ConnectionString.trimmingSpaces(sample) == sample.trimmingCharacters(in: .whitespaces), "U+\(String(value, radix: 16))")
        }
    }
}
