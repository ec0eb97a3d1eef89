import Foundation

extension WarmPool {
    /// Where a waiting fan-out receives connections handed to it by other threads. The fan-out's
    /// `poll(2)` watches `descriptor`, which turns readable whenever a grant arrives, so a handed-back
    /// connection starts work at once instead of on the next timer tick.
    final class Mailbox: @unchecked Sendable {
        private let lock = NSLock()
        private var grants: [(token: Int, grant: Grant)] = []
        /// The read end of a pipe; one byte is written to the other end per delivery.
        let descriptor: Int32
        private let writeEnd: Int32

        init() {
            var ends: [Int32] = [-1, -1]
            // A pipe where both ends never block; if it cannot be made, polling falls back to its timer.
            if pipe(&ends) == 0 {
                for end in ends { _ = fcntl(end, F_SETFL, fcntl(end, F_GETFL) | O_NONBLOCK) }
            }
            descriptor = ends[0]
            writeEnd = ends[1]
        }

        deinit {
            if descriptor >= 0 { close(descriptor) }
            if writeEnd >= 0 { close(writeEnd) }
        }

        /// Hands a grant to the task with `token`; called by the pool with its lock held.
        func deliver(token: Int, _ grant: Grant) {
            lock.lock()
            grants.append((token, grant))
            lock.unlock()
            var byte: UInt8 = 1
            _ = write(writeEnd, &byte, 1)
        }

        /// Everything delivered since the last call.
        func take() -> [(token: Int, grant: Grant)] {
            var buffer = [UInt8](repeating: 0, count: 256)
            while read(descriptor, &buffer, buffer.count) > 0 {}
            lock.lock()
            defer { lock.unlock() }
            let taken = grants
            grants = []
            return taken
        }
    }
}
