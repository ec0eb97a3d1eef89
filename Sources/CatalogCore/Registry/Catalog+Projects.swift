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
            throw Self.connectionStringError(error as! PostgresError, project: name, nothingChanged: false)
        }
        let project = try wrapped { try store.insert(Project(name: name, dsn: connection.raw, tags: tags)) }
        audit("project.add", target: name, result: "ok", detail: connection.masked)
        return project
    }

    /// A connection string libpq refused, pointing at libpq's documentation of the format; or
    /// libpq missing, which no connection string can fix.
    private static func connectionStringError(_ error: PostgresError, project: String, nothingChanged: Bool) -> CatalogError {
        let unchanged = nothingChanged ? "; nothing was changed" : ""
        let format = error.kind == .clientLibrary ? "" : "; see https://www.postgresql.org/docs/current/libpq-connect.html#LIBPQ-CONNSTRING"
        return PostgresAdvice.error(error) { "project \"\(project)\": \($0)\(unchanged)\(format)" }
    }

    /// Changes a project's connection string or tags, keeping its history, backups and
    /// attachments. The new DSN is checked like `addProject`'s, and the change is one transaction.
    /// Returns the entry before and after, for the report.
    @discardableResult
    public func updateProject(name: String, dsn: String? = nil, addTags: [String] = [], removeTags: [String] = []) throws -> ProjectChange {
        guard dsn != nil || !addTags.isEmpty || !removeTags.isEmpty else {
            throw CatalogError(.badInput, "nothing to change", remedy: .giveProjectChange)
        }
        for tag in addTags + removeTags { try ProjectName.validateTag(tag) }
        if let both = addTags.first(where: removeTags.contains) {
            throw CatalogError(.badInput, "the tag \"\(both)\" is both added and removed", remedy: .addOrRemoveTag)
        }
        let connection: ConnectionString?
        do {
            connection = try dsn.map { try ConnectionString($0) }
        } catch {
            throw Self.connectionStringError(error as! PostgresError, project: name, nothingChanged: true)
        }
        let before = try project(named: name)
        var detail: [String] = []
        if let connection { detail.append("dsn \(connection.masked)") }
        if !addTags.isEmpty { detail.append("tag +\(addTags.joined(separator: ",+"))") }
        if !removeTags.isEmpty { detail.append("tag -\(removeTags.joined(separator: ",-"))") }
        let after = try wrapped {
            try store.updateProject(
                named: name, dsn: connection?.raw, addTags: addTags, removeTags: removeTags,
                audit: AuditEntry(action: "project.update", target: name, result: "ok", detail: detail.joined(separator: "; ")))
        }
        return ProjectChange(before: before, after: after)
    }

    /// One registered project, or a clear error.
    public func project(named name: String) throws -> Project {
        if let project = try wrapped({ try store.project(named: name) }) { return project }
        // A rename killed before the store's commit is completed here, under its new name (see `settleLifecycle`).
        if !settleLifecycle(project: name).isEmpty, let project = try wrapped({ try store.project(named: name) }) { return project }
        throw CatalogError.unknownProject(name)
    }

    /// Every registered project, filtered by tags when given; with `strictTags`, a tag that no
    /// registered project has is an error.
    public func listProjects(tags: [String] = [], strictTags: Bool = false) throws -> [Project] {
        let all = try wrapped { try store.projects() }
        guard !tags.isEmpty else { return all }
        if strictTags { try Self.checkTags(tags, registered: all) }
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

/// A project's registry entry before and after `project update`.
public struct ProjectChange: Sendable, Equatable {
    public var before: Project
    public var after: Project

    /// True when the update pointed the project at another connection string.
    public var dsnChanged: Bool { before.dsn != after.dsn }
}
