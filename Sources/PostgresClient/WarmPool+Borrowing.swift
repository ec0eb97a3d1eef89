import CLibPQ
import Foundation

/// The part of the pool only `FanOut` uses: borrowing a connection for one task, waiting for one,
/// and handing it back.
extension WarmPool {
    /// The right to one connection slot, carried by a borrowed connection until it is returned.
    struct Lease {
        let project: String
        let dsn: String
        let server: String
        let generation: Int
    }

    /// A connection (or the right to open one) for one task.
    enum Grant {
        /// Reuse this open connection, which already has these statements prepared.
        case reuse(OpaquePointer, Lease, prepared: Set<String>)
        /// Open a new connection; a slot is reserved for it. `evicted`, when set, is another
        /// project's idle connection that made room, and the caller must close it.
        case open(Lease, evicted: OpaquePointer?)
    }

    /// What a fan-out may do for one task now.
    enum Checkout {
        case granted(Grant)
        /// Every allowed connection is busy: the task is queued, and its grant will arrive in the
        /// mailbox under its token.
        case wait
        /// The project was released with a hold that has not run out: do not connect.
        case held(seconds: Double)
    }

    /// A task queued for a connection.
    struct Waiter {
        let mailbox: Mailbox
        let token: Int
        let project: String
        let dsn: String
        let server: String
    }

    /// Takes an idle connection for `project`, reserves a slot for a new one, or queues the task.
    /// `fresh` skips idle ones (after a reused connection turned out to be broken).
    func checkout(
        project: String, connection: ConnectionString, fresh: Bool = false, now: Double,
        mailbox: Mailbox, token: Int
    ) -> Checkout {
        let server = Self.serverKey(connection)
        lock.lock()
        if let until = holds[project] {
            if until > now {
                lock.unlock()
                return .held(seconds: until - now)
            }
            holds[project] = nil
        }
        if !fresh, let position = idle[project]?.lastIndex(where: { $0.dsn == connection.raw }) {
            let reused = takeIdle(project, at: position)
            counters.reused += 1
            lock.unlock()
            return .granted(.reuse(reused.handle, lease(project, connection.raw, server), prepared: reused.prepared))
        }
        // Idle connections under an old DSN of this project will never be used again: they make way.
        var stale: [OpaquePointer] = []
        while let position = idle[project]?.firstIndex(where: { $0.dsn != connection.raw }) {
            let old = takeIdle(project, at: position)
            serverCount[old.server, default: 1] -= 1
            projectCount[project, default: 1] -= 1
            counters.closed += 1
            stale.append(old.handle)
        }
        let waiter = Waiter(mailbox: mailbox, token: token, project: project, dsn: connection.raw, server: server)
        let outcome: Checkout
        if projectCount[project, default: 0] >= perProjectLimit {
            outcome = queue(waiter, forProject: true)
        } else if serverCount[server, default: 0] < perServerLimit {
            outcome = .granted(reserve(waiter, evicted: nil))
        } else if projectCount[project, default: 0] == 0, let evicted = evictOldestIdle(on: server) {
            outcome = .granted(reserve(waiter, evicted: evicted))
        } else {
            outcome = queue(waiter, forProject: projectCount[project, default: 0] > 0)
        }
        lock.unlock()
        finish(stale)
        return outcome
    }

    /// Takes back a connection whose conversation ended cleanly, with the statements prepared on
    /// it: straight to a task waiting for this project, else idle. It is closed instead if its
    /// project was released while it was out, if a project with no connection needs its slot, or if
    /// its server already holds `idlePerServerLimit` idle connections.
    func checkin(_ handle: OpaquePointer, lease: Lease, prepared: Set<String>, now: Double) {
        lock.lock()
        var closing: [OpaquePointer] = []
        if generations[lease.project, default: 0] != lease.generation {
            closing.append(handle)
            counters.closed += 1
            freeSlot(lease)
        } else if let waiter = nextWaiter(forProject: lease.project, dsn: lease.dsn) {
            counters.reused += 1
            waiter.mailbox.deliver(token: waiter.token, .reuse(handle, self.lease(waiter.project, waiter.dsn, waiter.server), prepared: prepared))
        } else if serverWaiters[lease.server]?.isEmpty == false, let waiter = popServerWaiter(lease.server) {
            // The server is full and a project with no connection is waiting: this one makes room.
            closing.append(handle)
            projectCount[lease.project, default: 1] -= 1
            counters.closed += 1
            projectCount[waiter.project, default: 0] += 1
            counters.opened += 1
            waiter.mailbox.deliver(token: waiter.token, .open(self.lease(waiter.project, waiter.dsn, waiter.server), evicted: nil))
        } else if idlePerServerLimit < .max, idleCount(on: lease.server) >= idlePerServerLimit {
            closing.append(handle)
            counters.closed += 1
            freeSlot(lease)
        } else {
            idle[lease.project, default: []].append(
                IdleConnection(handle: handle, project: lease.project, dsn: lease.dsn, server: lease.server, since: now, prepared: prepared))
        }
        lock.unlock()
        finish(closing)
    }

    /// Idle connections to `server`. Call with the lock held; only pools with an idle bound ask,
    /// and theirs hold a few idle connections per server.
    private func idleCount(on server: String) -> Int {
        idle.values.reduce(0) { count, connections in count + connections.count { $0.server == server } }
    }

    /// Closes a borrowed connection that is broken, timed out or mid-statement (or a slot whose
    /// connection never opened, with `nil`), and lets a waiting task have the slot.
    func discard(_ handle: OpaquePointer?, lease: Lease) {
        lock.lock()
        if handle != nil { counters.closed += 1 }
        freeSlot(lease)
        lock.unlock()
        finish(handle.map { [$0] } ?? [])
    }

    /// Returns a grant a task no longer wants (it timed out while waiting).
    func giveBack(_ grant: Grant) {
        switch grant {
        case .reuse(let handle, let lease, let prepared):
            checkin(handle, lease: lease, prepared: prepared, now: Self.now())
        case .open(let lease, let evicted):
            finish(evicted.map { [$0] } ?? [])
            discard(nil, lease: lease)
        }
    }

    /// Takes a waiting task off the queues; false if its grant is already on its way to the mailbox.
    func cancel(project: String, connection: ConnectionString, mailbox: Mailbox, token: Int) -> Bool {
        let server = Self.serverKey(connection)
        let matches = { (waiter: Waiter) in waiter.mailbox === mailbox && waiter.token == token }
        lock.lock()
        defer { lock.unlock() }
        if let position = projectWaiters[project]?.firstIndex(where: matches) {
            projectWaiters[project]!.remove(at: position)
            if projectWaiters[project]!.isEmpty { projectWaiters[project] = nil }
            return true
        }
        if let position = serverWaiters[server]?.firstIndex(where: matches) {
            serverWaiters[server]!.remove(at: position)
            if serverWaiters[server]!.isEmpty { serverWaiters[server] = nil }
            return true
        }
        return false
    }

    // MARK: Internals (call with the lock held)

    func lease(_ project: String, _ dsn: String, _ server: String) -> Lease {
        Lease(project: project, dsn: dsn, server: server, generation: generations[project, default: 0])
    }

    private func takeIdle(_ project: String, at position: Int) -> IdleConnection {
        let taken = idle[project]!.remove(at: position)
        if idle[project]!.isEmpty { idle[project] = nil }
        return taken
    }

    /// Counts a new connection for the waiter and grants it.
    private func reserve(_ waiter: Waiter, evicted: OpaquePointer?) -> Grant {
        serverCount[waiter.server, default: 0] += 1
        projectCount[waiter.project, default: 0] += 1
        counters.opened += 1
        return .open(lease(waiter.project, waiter.dsn, waiter.server), evicted: evicted)
    }

    private func queue(_ waiter: Waiter, forProject: Bool) -> Checkout {
        counters.waits += 1
        if forProject {
            projectWaiters[waiter.project, default: []].append(waiter)
        } else {
            serverWaiters[waiter.server, default: []].append(waiter)
        }
        return .wait
    }

    private func nextWaiter(forProject project: String, dsn: String) -> Waiter? {
        guard let position = projectWaiters[project]?.firstIndex(where: { $0.dsn == dsn }) else { return nil }
        let waiter = projectWaiters[project]!.remove(at: position)
        if projectWaiters[project]!.isEmpty { projectWaiters[project] = nil }
        return waiter
    }

    private func popServerWaiter(_ server: String) -> Waiter? {
        guard serverWaiters[server]?.isEmpty == false else { return nil }
        let waiter = serverWaiters[server]!.removeFirst()
        if serverWaiters[server]!.isEmpty { serverWaiters[server] = nil }
        return waiter
    }

    /// A connection of `lease`'s project went away: a task waiting for that project may open one,
    /// else a task waiting for room on the server.
    private func freeSlot(_ lease: Lease) {
        serverCount[lease.server, default: 1] -= 1
        projectCount[lease.project, default: 1] -= 1
        if let waiter = nextWaiter(forProject: lease.project, dsn: lease.dsn) {
            waiter.mailbox.deliver(token: waiter.token, reserve(waiter, evicted: nil))
        } else {
            serveServerWaiters(lease.server)
        }
    }

    /// Grants free slots (or idle connections to evict, which the receiving task closes) on
    /// `server` to the tasks waiting there.
    func serveServerWaiters(_ server: String) {
        while serverWaiters[server]?.isEmpty == false {
            let evicted = serverCount[server, default: 0] < perServerLimit ? nil : evictOldestIdle(on: server)
            guard serverCount[server, default: 0] < perServerLimit, let waiter = popServerWaiter(server) else { return }
            waiter.mailbox.deliver(token: waiter.token, reserve(waiter, evicted: evicted))
        }
    }

    /// Takes the least recently used idle connection on `server` out of the pool's counts, for the
    /// caller to close; nil if every connection there is busy.
    private func evictOldestIdle(on server: String) -> OpaquePointer? {
        guard let oldest = takeOldestIdle(on: server) else { return nil }
        serverCount[server, default: 1] -= 1
        projectCount[oldest.project, default: 1] -= 1
        counters.closed += 1
        return oldest.handle
    }

    /// Removes the least recently used idle connection on `server`.
    private func takeOldestIdle(on server: String) -> IdleConnection? {
        var oldest: (project: String, position: Int, since: Double)?
        for (project, connections) in idle {
            for (position, connection) in connections.enumerated() where connection.server == server {
                if oldest == nil || connection.since < oldest!.since { oldest = (project, position, connection.since) }
            }
        }
        guard let oldest else { return nil }
        return takeIdle(oldest.project, at: oldest.position)
    }
}
