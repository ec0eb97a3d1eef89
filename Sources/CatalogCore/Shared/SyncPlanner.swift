/// The three sides of one sync decision.
public struct SyncSides: Sendable, Equatable {
    public var project: String
    public var definition: String
    /// The version last synced into this project, and its content; nil before the first sync.
    public var base: (version: Int, definition: TableDefinition)?
    /// The shared version to sync to.
    public var theirs: (version: Int, definition: TableDefinition)
    /// The project's current rows for the table; nil when the table is not mapped there.
    public var ours: MappedTable?

    public init(
        project: String, definition: String, base: (version: Int, definition: TableDefinition)?,
        theirs: (version: Int, definition: TableDefinition), ours: MappedTable?
    ) {
        self.project = project
        self.definition = definition
        self.base = base
        self.theirs = theirs
        self.ours = ours
    }

    public static func == (lhs: SyncSides, rhs: SyncSides) -> Bool {
        lhs.project == rhs.project && lhs.definition == rhs.definition && lhs.base?.version == rhs.base?.version
            && lhs.base?.definition == rhs.base?.definition && lhs.theirs.version == rhs.theirs.version
            && lhs.theirs.definition == rhs.theirs.definition && lhs.ours == rhs.ours
    }
}

/// The sync planner: a pure function of base, theirs and ours. No I/O.
public enum SyncPlanner {
    public static func plan(_ sides: SyncSides, force: Bool = false) -> ProjectSyncPlan {
        let theirs = sides.theirs.definition
        var plan = ProjectSyncPlan(
            project: sides.project, definition: sides.definition, schema: theirs.schema, table: theirs.table,
            action: .unchanged, fromVersion: sides.base?.version, toVersion: sides.theirs.version, newColumns: [], changes: [])
        guard let ours = sides.ours else {
            plan.action = .create
            plan.newColumns = theirs.columns.map(\.name)
            plan.changes = SyncFields.of(theirs).sorted { $0.key < $1.key }.map {
                FieldChange(path: $0.key, base: nil, ours: nil, theirs: $0.value, resolution: .update)
            }
            return plan
        }
        plan.newColumns = theirs.columns.map(\.name).filter { ours.columns[$0] == nil }
        // A column that left the shared definition is no longer the definition's to change: its
        // mapping stays as the project has it (the column itself may well still be there).
        let removed = Set(sides.base?.definition.columns.map(\.name) ?? []).subtracting(theirs.columns.map(\.name))
        plan.removedColumns = removed.filter { ours.columns[$0] != nil }.sorted()
        let baseFields = sides.base.map { SyncFields.of($0.definition) }
        let theirFields = SyncFields.of(theirs)
        let ourFields = SyncFields.of(ours)
        let paths = SyncFields.paths([sides.base?.definition, theirs], []).filter { path in
            SyncFields.split(path).map { !removed.contains($0.column) } ?? true
        }
        for path in paths {
            let resolution = resolve(base: baseFields.map { .some($0[path]) } ?? nil, ours: ourFields[path], theirs: theirFields[path], force: force)
            if let resolution {
                plan.changes.append(
                    FieldChange(path: path, base: baseFields?[path], ours: ourFields[path], theirs: theirFields[path], resolution: resolution))
            }
        }
        let bookkeepingStale = !ours.isShared || ours.sharedName != sides.definition || ours.sharedVersion != sides.theirs.version
        if !plan.conflicts.isEmpty {
            plan.action = .conflict
        } else if !plan.writes.isEmpty || !plan.newColumns.isEmpty || bookkeepingStale {
            plan.action = .update
        }
        return plan
    }

    /// Settles one field. `base` is `.none` before the first sync (adoption), `.some(nil)` when
    /// the base left the field empty. Returns nil when there is nothing to say.
    static func resolve(base: JSONValue??, ours: JSONValue?, theirs: JSONValue?, force: Bool) -> FieldResolution? {
        if ours == theirs { return nil }
        if force {
            // The shared version wins every field it sets; a field it leaves empty is not its to clear.
            // Only values the project chose itself are lost: a copy of the base is simply updated.
            guard theirs != nil else { return .keepLocal }
            if ours == nil { return .update }
            if case .some(let base) = base, ours == base { return .update }
            return .overwriteLocal
        }
        switch base {
        case .none:
            // Adoption: an empty local field takes the shared value, a field the shared version
            // leaves empty stays the project's, and two different values conflict.
            guard theirs != nil else { return .keepLocal }
            return ours == nil ? .update : .conflict
        case .some(let base):
            if ours == base { return .update }
            if theirs == base { return .keepLocal }
            return .conflict
        }
    }
}
