#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A growing byte buffer that pieces are copied into with `memcpy`: what `JSONStream` writes
/// into. It cannot be copied, so appending needs no reference count or uniqueness check; an
/// array's `append(contentsOf:)` does both for every piece, which was most of the cost of writing
/// a large answer.
///
/// A buffer of a megabyte or more is a mapping of its own, aligned to 2 MB and advised to use huge
/// pages: a 1.4 MB answer otherwise takes 350 page faults to fill, each several microseconds in a
/// virtual machine. It must be its own mapping: carved out of a thread's malloc arena (as
/// `posix_memalign` did), the same advice gave no huge page and all 350 faults (`perf record -e
/// page-faults -d` at N = 1000).
struct ByteWriter: ~Copyable {
    private var start: UnsafeMutablePointer<UInt8>
    private var count = 0
    private var capacity: Int

    init(capacity: Int) {
        (start, self.capacity) = Self.allocate(max(capacity, 64))
    }

    deinit { Self.release(start, capacity: capacity) }

    private static let hugePage = 2 << 20
    private static let mappedFrom = 1 << 20

    private static func allocate(_ capacity: Int) -> (UnsafeMutablePointer<UInt8>, Int) {
        guard capacity >= mappedFrom else { return (malloc(capacity)!.assumingMemoryBound(to: UInt8.self), capacity) }
        let rounded = (capacity + hugePage - 1) / hugePage * hugePage
        // Mapped one huge page larger, then trimmed at both ends to a 2 MB boundary.
        guard let mapped = mmap(nil, rounded + hugePage, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0), mapped != MAP_FAILED
        else { fatalError("out of memory for \(rounded) bytes") }
        let address = UInt(bitPattern: mapped)
        let aligned = (address + UInt(hugePage) - 1) / UInt(hugePage) * UInt(hugePage)
        let lead = Int(aligned - address)
        if lead > 0 { munmap(mapped, lead) }
        munmap(UnsafeMutableRawPointer(bitPattern: aligned + UInt(rounded)), hugePage - lead)
        let memory = UnsafeMutableRawPointer(bitPattern: aligned)!
        #if os(Linux)
            _ = madvise(memory, rounded, MADV_HUGEPAGE)  // advice: without transparent huge pages nothing changes
        #endif
        return (memory.assumingMemoryBound(to: UInt8.self), rounded)
    }

    private static func release(_ start: UnsafeMutablePointer<UInt8>, capacity: Int) {
        if capacity >= mappedFrom { munmap(start, capacity) } else { free(start) }
    }

    /// The bytes written so far, in place.
    func withBytes<Result>(_ body: (UnsafeRawBufferPointer) throws -> Result) rethrows -> Result {
        try body(UnsafeRawBufferPointer(start: start, count: count))
    }

    @inline(__always)
    mutating func append(_ byte: UInt8) {
        if count == capacity { grow(1) }
        start[count] = byte
        count += 1
    }

    @inline(__always)
    mutating func append(_ piece: UnsafeBufferPointer<UInt8>) {
        guard let base = piece.baseAddress else { return }
        if count + piece.count > capacity { grow(piece.count) }
        // Most pieces are a few bytes (a separator, a key, a short name): a loop beats a call to memcpy.
        if piece.count <= 16 {
            for offset in 0..<piece.count { start[count + offset] = base[offset] }
        } else {
            (start + count).update(from: base, count: piece.count)
        }
        count += piece.count
    }

    @inline(__always)
    mutating func append(repeating byte: UInt8, count repeats: Int) {
        if count + repeats > capacity { grow(repeats) }
        (start + count).initialize(repeating: byte, count: repeats)
        count += repeats
    }

    @inline(__always)
    mutating func append(_ text: StaticString) {
        text.withUTF8Buffer { append($0) }
    }

    mutating func append(contentsOf text: String) {
        var text = text
        text.withUTF8 { append($0) }
    }

    private mutating func grow(_ extra: Int) {
        let (moved, grown) = Self.allocate(max(capacity * 2, count + extra))
        moved.update(from: start, count: count)
        Self.release(start, capacity: capacity)
        start = moved
        capacity = grown
    }
}
