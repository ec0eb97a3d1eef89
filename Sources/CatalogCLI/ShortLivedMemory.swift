#if canImport(Glibc)
import Glibc
#endif

/// glibc's allocator, set for a command that runs once and exits.
///
/// By default glibc serves every allocation above 128 KiB with its own `mmap` and gives it back on
/// `free`, and trims the heap as soon as 128 KiB at its top are free. A search answer at N = 1000
/// (5,264 matches, 1.4 MB of JSON) grows and drops buffers of that size many times, so each one came
/// back as fresh pages, faulted in one by one: 4,660 page faults per `find-column --cached`. Kept in
/// the heap, freed memory is reused instead: about 3,780 faults and 10 % less CPU (bench/README.md,
/// "Start-up"). `catalog serve` keeps the defaults, so a long-running process gives memory back.
enum ShortLivedMemory {
    static func configure(for arguments: [String]) {
        #if canImport(Glibc)
        guard arguments.first != "serve", let mallopt = Self.mallopt else { return }
        // The parameters of <malloc.h>, which Swift's Glibc module does not import.
        let (trimThreshold, topPad, mmapThreshold): (Int32, Int32, Int32) = (-1, -2, -3)
        // 32 MiB is the most glibc accepts for the mmap threshold on 64-bit.
        _ = mallopt(mmapThreshold, 32 << 20)
        _ = mallopt(trimThreshold, 256 << 20)
        _ = mallopt(topPad, 32 << 20)
        #endif
    }

    #if canImport(Glibc)
    /// glibc's `mallopt`, looked up at run time because its header is not part of the Glibc module.
    private static var mallopt: (@convention(c) (Int32, Int32) -> Int32)? {
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "mallopt") else { return nil }
        return unsafeBitCast(symbol, to: (@convention(c) (Int32, Int32) -> Int32).self)
    }
    #endif
}
