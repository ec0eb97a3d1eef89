import CatalogStore
import CatalogSupport
import CatalogTestSupport
import Foundation
import PostgresClient

// The README's first command ends here: start a throwaway cluster (unless --server is given),
// create the sample projects, and drive the real `catalog` binary through the main job.

/// Prints unbuffered, so our lines and the child commands' output interleave in order.
func say(_ text: String) {
    FileHandle.standardOutput.write(Data((text + "\n").utf8))
}

let arguments = Array(CommandLine.arguments.dropFirst())
var server: String?
var keep = false
var index = 0
while index < arguments.count {
    switch arguments[index] {
    case "--server" where index + 1 < arguments.count:
        server = arguments[index + 1]
        index += 1
    case "--keep":
        keep = true
    default:
        FileHandle.standardError.write(Data("usage: catalog-demo [--server POSTGRES_URL] [--keep]\n".utf8))
        exit(64)
    }
    index += 1
}

let catalogBinary = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("catalog").path
let workDirectory = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("catalog-demo-\(getpid())")
try FileManager.default.createDirectory(at: workDirectory, withIntermediateDirectories: true)
let store = workDirectory.appendingPathComponent("catalog.sqlite").path

/// Quotes an argument the way a person would type it in a shell.
func shellQuoted(_ argument: String) -> String {
    guard argument.contains(where: { " *'?\"$".contains($0) }) else { return argument }
    return argument.contains("'") ? "\"\(argument)\"" : "'\(argument)'"
}

/// Runs `catalog ARGS` with the demo store, echoing the command and its output like a terminal session.
@discardableResult
func catalog(_ arguments: String...) -> Int32 {
    say("$ catalog " + arguments.map(shellQuoted).joined(separator: " "))
    do {
        let outcome = try ChildProcess(catalogBinary, arguments, environment: ["CATALOG_STORE": store]).run()
        say(outcome.output)
        return outcome.status
    } catch {
        say("could not run \(catalogBinary): \(error); build it first with 'swift build'")
        exit(2)
    }
}

var cluster: TemporaryCluster?
let serverURL: String
let databasePrefix: String
do {
    if let server {
        serverURL = server
        databasePrefix = "catalog_demo_"
    } else {
        say("Starting a throwaway PostgreSQL cluster (initdb in \(NSTemporaryDirectory()))…")
        let started = try TemporaryCluster()
        cluster = started
        // The password goes into a passfile, as it should in real use, so no command line shows it.
        let passfile = workDirectory.appendingPathComponent("pgpass")
        try "127.0.0.1:\(started.port):*:\(started.superuser):\(started.password)\n".write(to: passfile, atomically: true, encoding: .utf8)
        chmod(passfile.path, 0o600)
        serverURL = "postgresql://\(started.superuser)@127.0.0.1:\(started.port)/postgres?passfile=\(passfile.path)"
        databasePrefix = ""
        say("PostgreSQL is listening on 127.0.0.1:\(started.port)\n")
    }
    for name in Fixtures.projectNames {
        let database = "\(databasePrefix)\(name)_db"
        try DemoDatabases.create(database, on: serverURL, script: Fixtures.projectSQL(name))
        catalog("project", "add", name, "--dsn", DemoDatabases.url(serverURL, database: database), "--tag", name == "crm" ? "internal" : "prod")
    }
    catalog("metadata", "install", "--all")
    catalog("project", "check", "--all")
    catalog("project", "list")
    catalog("metadata", "status", "--all")
    catalog("metadata", "scan", "--all")
    catalog("find-column", "email")
    catalog("find-column", "email", "--match", "contains", "--tag", "prod")
    catalog("find-table", "users")
    catalog("find-column", "email", "--cached")
    catalog("sql", "select project, count(*) as jsonb_columns from columns where pg_type = 'jsonb' group by 1 order by 2 desc")
    catalog("shared", "add", "users", "--from", "shop:public.users", "--note", "the shop's users table is the reference")
    catalog("shared", "attach", "users", "--project", "saas", "--project", "shop")
    catalog("sync", "--plan")
    catalog("sync", "--project", "shop")
    catalog("shared", "list")
    catalog("drift", "--project", "shop")
} catch {
    say("demo failed: \(error)")
    cluster?.stop()
    exit(1)
}

if keep, let cluster {
    say("The cluster keeps running: \(cluster.url(database: "postgres").replacingOccurrences(of: cluster.password, with: "****"))")
    say("Store: \(store). Stop the cluster with: runuser -u postgres -- \(cluster.binDirectory)/pg_ctl -D \(cluster.dataDirectory) stop")
} else {
    cluster?.stop()
    try? FileManager.default.removeItem(at: workDirectory)
    say("Demo finished; the throwaway cluster was stopped and deleted.")
}
