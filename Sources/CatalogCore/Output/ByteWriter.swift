/// A growing byte buffer that pieces are copied into with `memcpy`: what `JSONStream` writes
/// into. It cannot be copied, so appending needs no reference count or uniqueness check; an
/// array's `append(contentsOf:)` does both for every piece, which was most of the cost of writing
/// a large answer.
struct ByteWriter: ~Copyable {
    private var start: UnsafeMutablePointer<UInt8>
    private var count = 0
    private var capacity: Int

    init(capacity: Int) {
        self.capacity = max(capacity, 64)
        start = .allocate(capacity: self.capacity)
    }

    deinit { start.deallocate() }

    /// The bytes written so far, copied out.
    var bytes: [UInt8] { Array(UnsafeBufferPointer(start: start, count: count)) }

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
        let grown = max(capacity * 2, count + extra)
        let moved = UnsafeMutablePointer<UInt8>.allocate(capacity: grown)
        moved.update(from: start, count: count)
        start.deallocate()
        start = moved
        capacity = grown
    }
}
