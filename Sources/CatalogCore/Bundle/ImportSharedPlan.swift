/// How one bundled shared definition is reconciled with the target store, decided before anything changes.
public struct ImportSharedStep: Sendable, Equatable {
    /// What happens to the definition.
    public enum Action: String, Sendable, Equatable {
        /// The store has every bundled version, identical: the project is attached.
        case attach
        /// The store has no definition of this name: every bundled version is added under its own number.
        case add
        /// The store has the older versions, identical: the newer bundled ones are added.
        case extend
        /// A version differs and `--keep-target` was given: the store's definition stays; the project adopts it at its next sync.
        case keepTarget = "keep-target"
        /// A version differs and `--adopt-bundle` was given: the bundle's definition becomes a new version in the store.
        case adoptBundle = "adopt-bundle"
    }

    /// The definition's name.
    public var name: String
    /// What happens to it.
    public var action: Action
    /// Bundled versions added to the store under their own numbers (`add`, `extend`).
    public var addedVersions: [Int]
    /// With `adoptBundle`: which bundled version is added, and the number it gets in the store.
    public var adopted: Adoption?
    /// The attachment written: the pinned and synced versions, in the store's numbering.
    public var pinnedVersion: Int?
    /// nil when the project's copy is left for the next sync to adopt.
    public var syncedVersion: Int?
    /// One sentence for the plan.
    public var detail: String

    /// A bundled version added to the store under a new number.
    public struct Adoption: Sendable, Equatable {
        /// The version's number in the bundle.
        public var bundleVersion: Int
        /// The number it gets in the target store.
        public var storeVersion: Int
    }
}

/// Compares the bundle's shared definitions with the target store's, version by version.
enum ImportSharedPlan {
    /// One step per bundled definition; a clash without a choice is refused, naming every clashing version.
    static func steps(
        _ uses: [BundleManifest.SharedUse], store: [String: [Int: String]], choice: ImportRequest.SharedChoice
    ) throws -> [ImportSharedStep] {
        var clashes: [String] = []
        let steps = uses.map { use -> ImportSharedStep in
            let target = store[use.name] ?? [:]
            let differing = use.versions.filter { version in target[version.version].map { $0 != version.sha256 } ?? false }.map(\.version)
            let missing = use.versions.filter { target[$0.version] == nil }.map(\.version)
            let versions = use.versions.map(\.version)
            if differing.isEmpty {
                let action: ImportSharedStep.Action = target.isEmpty ? .add : (missing.isEmpty ? .attach : .extend)
                let detail =
                    switch action {
                    case .add: "new in this store: add \(range(versions)), attach"
                    case .extend: "this store has \(range(versions.filter { !missing.contains($0) })), identical: add \(range(missing)), attach"
                    default: "this store has \(range(versions)), identical: attach"
                    }
                return ImportSharedStep(
                    name: use.name, action: action, addedVersions: missing, adopted: nil,
                    pinnedVersion: use.pinnedVersion, syncedVersion: use.syncedVersion, detail: detail + synced(use.syncedVersion))
            }
            clashes.append("\"\(use.name)\" (version\(differing.count == 1 ? "" : "s") \(differing.map(String.init).joined(separator: ", ")))")
            switch choice {
            case .keepTarget:
                return ImportSharedStep(
                    name: use.name, action: .keepTarget, addedVersions: [], adopted: nil, pinnedVersion: nil, syncedVersion: nil,
                    detail:
                        "differs from this store at \(range(differing)): keep this store's, attach unpinned; the next 'catalog sync' adopts it field by field"
                )
            case .adoptBundle, .refuse:
                // Under .refuse this step is never used: the clash is reported below, with every other one.
                let next = (target.keys.max() ?? 0) + 1
                return ImportSharedStep(
                    name: use.name, action: .adoptBundle, addedVersions: [],
                    adopted: ImportSharedStep.Adoption(bundleVersion: use.usedVersion, storeVersion: next),
                    pinnedVersion: use.pinnedVersion.map { _ in next }, syncedVersion: use.syncedVersion.map { _ in next },
                    detail:
                        "differs from this store at \(range(differing)): add the bundle's version \(use.usedVersion) as version \(next), point the project's _metadata at it, attach"
                )
            }
        }
        if choice == .refuse && !clashes.isEmpty {
            let subject =
                clashes.count == 1 ? "shared definition \(clashes[0]) differs" : "shared definitions \(clashes.joined(separator: " and ")) differ"
            throw CatalogError(.refused, "\(subject) between the bundle and this store; nothing was changed", remedy: .chooseSharedVersion)
        }
        return steps
    }

    private static func range(_ versions: [Int]) -> String {
        guard let first = versions.min(), let last = versions.max() else { return "no versions" }
        return first == last ? "version \(first)" : "versions \(first)-\(last)"
    }

    private static func synced(_ version: Int?) -> String {
        version.map { " (synced at version \($0))" } ?? ""
    }
}
