import CatalogStore
import Foundation
import PostgresClient

extension Catalog {
    /// Registers a project after checking its name, tags and connection string. Never connects.
    @discardableResult
    public func addProject(name: String, dsn: String, tags: [String] = []) throws -> Project {
        try ProjectName.validate(name)
        for tag in tags { try ProjectName.validateTag(tag) }
        let connection: ConnectionString
        do {
            connection = try ConnectionString(dsn)
        } catch {
            throw CatalogError("project \"\(name)\": \(PostgresAdvice.explain(error as! PostgresError)); see https://www.postgresql.org/docs/current/libpq-connect.html#LIBPQ-CONNSTRING")
        }
        let project = try wrapped { try store.insert(Project(name: name, dsn: connection.raw, tags: tags)) }
        audit("project.add", target: name, result: "ok", detail: connection.masked)
        return project
    }

    /// One registered project, or a clear error.
    public func project(named name: String) throws -> Project {
        guard let project = try wrapped({ try store.project(named: name) }) else {
            throw CatalogError.unknownProject(name)
        }
        return project
    }

    /// Every registered project, filtered by tags when given.
    public func listProjects(tags: [String] = []) throws -> [Project] {
        let all = try wrapped { try store.projects() }
        guard !tags.isEmpty else { return all }
        try Self.checkTags(tags, registered: all)
        return all.filter { !Set(tags).isDisjoint(with: $0.tags) }
    }

    /// Forgets a project. Never touches its database.
    public func removeProject(named name: String) throws {
        guard try wrapped({ try store.deleteProject(named: name) }) else {
            throw CatalogError.unknownProject(name)
        }
        audit("project.remove", target: name, result: "ok")
    }
}
