import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// How a database classifies and case-folds characters, after its `LC_CTYPE`: PostgreSQL's regular
/// expressions and `lower()` follow it, so the index records it per project and `--cached` follows it.
///
/// Under `C` and `POSIX` only ASCII letters have case and classes hold ASCII only. Under another
/// libc locale of a UTF-8 database, PostgreSQL asks the C library (`towlower`, `iswalpha`, …), and
/// so does this type, through the same locale loaded here. ICU-provider databases, other encodings
/// and locales not installed on this machine are not followed: a search that needs them is refused.
public struct CharacterRules: Sendable, Hashable {
    /// The ctype as recorded in the index: a locale name, `icu:<locale>`, or `<locale> (<encoding>)`;
    /// nil for a project indexed before catalog recorded it.
    public let ctype: String?
    private let kind: Kind

    private enum Kind: Hashable {
        case ascii
        case locale(LocaleHandle)
        case unsupported(String)
    }

    /// The rules for a recorded ctype.
    public init(ctype: String?) {
        self.ctype = ctype
        guard let ctype else {
            kind = .unsupported("its LC_CTYPE is not in the local index yet")
            return
        }
        if ctype == "C" || ctype == "POSIX" {
            kind = .ascii
        } else if ctype.hasPrefix("icu:") {
            kind = .unsupported("its database uses ICU for case and character classes")
        } else if ctype.contains(" (") {
            kind = .unsupported("its database is not UTF-8")
        } else if let handle = LocaleHandle.named(ctype) {
            kind = .locale(handle)
        } else {
            kind = .unsupported("its LC_CTYPE '\(ctype)' is not installed on this machine (installing it lets the index match)")
        }
    }

    /// Why these rules cannot be followed here, or nil when they can.
    public var unsupportedReason: String? {
        if case .unsupported(let reason) = kind { return reason }
        return nil
    }

    /// PostgreSQL's `pg_wc_tolower`.
    func lowercase(_ value: UInt32) -> UInt32 {
        switch kind {
        case .ascii, .unsupported: value >= 0x41 && value <= 0x5A ? value + 32 : value
        case .locale(let handle): value > 0x10FFFF ? value : LibcWide.towlower(value, handle.locale)
        }
    }

    /// PostgreSQL's `pg_wc_toupper`.
    func uppercase(_ value: UInt32) -> UInt32 {
        switch kind {
        case .ascii, .unsupported: value >= 0x61 && value <= 0x7A ? value - 32 : value
        case .locale(let handle): value > 0x10FFFF ? value : LibcWide.towupper(value, handle.locale)
        }
    }

    /// PostgreSQL's `lower()` of a string: each character lowered alone, as `str_tolower` does.
    func lowercased(_ text: String) -> String {
        var scalars = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            scalars.append(Unicode.Scalar(lowercase(scalar.value)) ?? scalar)
        }
        return String(scalars)
    }

    /// The members of a class as an ICU set, such as `[\x{30}-\x{39}]`.
    func set(of characterClass: CharacterClass) -> String {
        switch characterClass {
        // Hard-wired by PostgreSQL (regc_locale.c `cclass`), whatever the locale.
        case .ascii: return "[\\x{0}-\\x{7F}]"
        case .blank: return "[\\x{9}\\x{20}]"
        case .cntrl: return "[\\x{0}-\\x{1F}\\x{7F}-\\x{9F}]"
        case .xdigit: return "[\\x{30}-\\x{39}\\x{41}-\\x{46}\\x{61}-\\x{66}]"
        default: break
        }
        switch kind {
        case .ascii, .unsupported:
            return Self.setPattern((0...0x7F).filter { Self.asciiMember($0, of: characterClass) })
        case .locale(let handle):
            return handle.cachedSet(characterClass) { locale in
                let test = LibcWide.test(for: characterClass)
                var members: [UInt32] = []
                var value: UInt32 = 0
                // A tight loop over every code point: about 1.1 million calls, once per class and process.
                while value <= 0x10FFFF {
                    if test(value, locale) != 0 || (characterClass == .word && value == 0x5F) { members.append(value) }
                    value += 1
                }
                return Self.setPattern(members)
            }
        }
    }

    /// The C library's classification in the C locale, which PostgreSQL applies to ASCII only.
    private static func asciiMember(_ value: UInt32, of characterClass: CharacterClass) -> Bool {
        let upper = value >= 0x41 && value <= 0x5A, lower = value >= 0x61 && value <= 0x7A, digit = value >= 0x30 && value <= 0x39
        switch characterClass {
        case .alpha: return upper || lower
        case .alnum: return upper || lower || digit
        case .word: return upper || lower || digit || value == 0x5F
        case .digit: return digit
        case .upper: return upper
        case .lower: return lower
        case .space: return value == 0x20 || (value >= 0x09 && value <= 0x0D)
        case .graph: return value >= 0x21 && value <= 0x7E
        case .print: return value >= 0x20 && value <= 0x7E
        case .punct: return value >= 0x21 && value <= 0x7E && !(upper || lower || digit)
        case .ascii, .blank, .cntrl, .xdigit: return false
        }
    }

    /// An ICU set of the given code points, written as ranges.
    static func setPattern<Members: Sequence<UInt32>>(_ members: Members) -> String {
        var pattern = "["
        var runStart: UInt32?
        var previous: UInt32 = 0
        func closeRun() {
            guard let start = runStart else { return }
            pattern += start == previous ? "\\x{\(hex(start))}" : "\\x{\(hex(start))}-\\x{\(hex(previous))}"
        }
        for value in members {
            if runStart == nil || value != previous + 1 {
                closeRun()
                runStart = value
            }
            previous = value
        }
        closeRun()
        // An empty ICU set does not parse; a set that matches nothing does.
        return runStart == nil ? "[^\\x{0}-\\x{10FFFF}]" : pattern + "]"
    }

    static func hex(_ value: UInt32) -> String { String(value, radix: 16, uppercase: true) }
}

/// A C library locale loaded once per ctype and kept for the life of the process (a handful at most).
final class LocaleHandle: Hashable, @unchecked Sendable {
    let name: String
    let locale: locale_t
    private let lock = NSLock()
    private var sets: [CharacterClass: String] = [:]

    private init(name: String, locale: locale_t) {
        self.name = name
        self.locale = locale
    }

    nonisolated(unsafe) private static var loaded: [String: LocaleHandle] = [:]
    private static let loadedLock = NSLock()

    /// The locale named `name`, loaded with `newlocale(LC_CTYPE_MASK, …)`, or nil when it is not installed.
    static func named(_ name: String) -> LocaleHandle? {
        loadedLock.lock()
        defer { loadedLock.unlock() }
        if let handle = loaded[name] { return handle }
        guard let locale = newlocale(LC_CTYPE_MASK, name, nil) else { return nil }
        let handle = LocaleHandle(name: name, locale: locale)
        loaded[name] = handle
        return handle
    }

    /// A class's ICU set, computed once: listing a class means asking about every code point.
    func cachedSet(_ characterClass: CharacterClass, compute: (locale_t) -> String) -> String {
        lock.lock()
        defer { lock.unlock() }
        if let set = sets[characterClass] { return set }
        let set = compute(locale)
        sets[characterClass] = set
        return set
    }

    static func == (lhs: LocaleHandle, rhs: LocaleHandle) -> Bool { lhs.name == rhs.name }
    func hash(into hasher: inout Hasher) { hasher.combine(name) }
}

/// The C library's wide-character functions with an explicit locale (`towlower_l`, `iswalpha_l`, …),
/// the ones PostgreSQL calls. Swift's Glibc module does not export `<wctype.h>`, so they are looked
/// up by name once; glibc has had every one of them since 2.3.
private enum LibcWide {
    typealias Fold = @convention(c) (UInt32, locale_t) -> UInt32
    typealias Test = @convention(c) (UInt32, locale_t) -> Int32

    private static func function<T>(_ name: String, as type: T.Type) -> T {
        guard let symbol = dlsym(nil, name) else { fatalError("the C library has no \(name)") }
        return unsafeBitCast(symbol, to: type)
    }

    static let towlower = function("towlower_l", as: Fold.self)
    static let towupper = function("towupper_l", as: Fold.self)
    static let iswalpha = function("iswalpha_l", as: Test.self)
    static let iswalnum = function("iswalnum_l", as: Test.self)
    static let iswdigit = function("iswdigit_l", as: Test.self)
    static let iswupper = function("iswupper_l", as: Test.self)
    static let iswlower = function("iswlower_l", as: Test.self)
    static let iswspace = function("iswspace_l", as: Test.self)
    static let iswgraph = function("iswgraph_l", as: Test.self)
    static let iswprint = function("iswprint_l", as: Test.self)
    static let iswpunct = function("iswpunct_l", as: Test.self)

    /// The test for a class that PostgreSQL asks the C library about (`\w` is alnum plus `_`).
    static func test(for characterClass: CharacterClass) -> Test {
        switch characterClass {
        case .alpha: iswalpha
        case .alnum, .word: iswalnum
        case .digit: iswdigit
        case .upper: iswupper
        case .lower: iswlower
        case .space: iswspace
        case .graph: iswgraph
        case .print: iswprint
        case .punct: iswpunct
        case .ascii, .blank, .cntrl, .xdigit: preconditionFailure("PostgreSQL hard-wires [:\(characterClass.rawValue):]")
        }
    }
}
