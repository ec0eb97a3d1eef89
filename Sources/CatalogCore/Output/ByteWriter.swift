/// A growing byte buffer that copies each piece in with `memcpy`: what `JSONStream` writes into.
/// An array's `append(contentsOf:)` checks uniqueness and capacity and goes through generic code
/// for every piece, which was most of the cost of writing a large answer.
struct ByteWriter {
    private final class Storage {
        var start: UnsafeMutablePointer<UInt8>
        var count = 0
        var capacity: Int

        init(capacity: Int) {
            self.capacity = max(capacity, 64)
            start = .allocate(capacity: self.capacity)
        }

        deinit { start.deallocate() }

        func copy() -> Storage {
            let copy = Storage(capacity: capacity)
            copy.start.update(from: start, count: count)
            copy.count = count
            return copy
        }

        func reserve(_ extra: Int) {
            guard count + extra > capacity else { return }
            let grown = max(capacity * 2, count + extra)
            let moved = UnsafeMutablePointer<UInt8>.allocate(capacity: grown)
            moved.update(from: start, count: count)
            start.deallocate()
            start = moved
            capacity = grown
        }
    }

    private var storage: Storage

    init(capacity: Int) {
        storage = Storage(capacity: capacity)
    }

    var bytes: [UInt8] { Array(UnsafeBufferPointer(start: storage.start, count: storage.count)) }

    /// Copy on write: a copy of the writer keeps the bytes it had.
    @inline(__always)
    private mutating func reserve(_ extra: Int) {
        if !isKnownUniquelyReferenced(&storage) { storage = storage.copy() }
        storage.reserve(extra)
    }

    @inline(__always)
    mutating func append(_ byte: UInt8) {
        reserve(1)
        storage.start[storage.count] = byte
        storage.count += 1
    }

    @inline(__always)
    mutating func append(_ piece: UnsafeRawBufferPointer) {
        guard let base = piece.baseAddress, piece.count > 0 else { return }
        reserve(piece.count)
        (storage.start + storage.count).update(from: base.assumingMemoryBound(to: UInt8.self), count: piece.count)
        storage.count += piece.count
    }

    mutating func append(_ text: StaticString) {
        text.withUTF8Buffer { append(UnsafeRawBufferPointer($0)) }
    }

    mutating func append(_ text: String) {
        var text = text
        text.withUTF8 { append(UnsafeRawBufferPointer($0)) }
    }
}
