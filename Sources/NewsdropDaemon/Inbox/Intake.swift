import Dispatch
import Glibc
import Logging

/// Finds files in the inbox and claims them, as fast as the pipeline has room for them.
///
/// Names come from inotify events and from full scans (at start, on a kernel queue overflow,
/// and every rescan interval), so no file is ever missed; in poll-only mode scans alone do the
/// work. Files in `inbox/new/` were renamed there complete and are taken at once; plain drops
/// in `inbox/` are taken once nothing has written to them for the minimum file age. When the
/// claimed-but-uncommitted files reach the queue's capacity (in count or bytes), claiming
/// stops and files wait safely in the inbox until commits make room.
final class Intake: @unchecked Sendable {
    private enum Source: Hashable { case plainDrop, maildir }
    private struct Candidate: Hashable {
        let source: Source
        let name: FileName
    }

    let queue = DispatchQueue(label: "newsdrop.intake")
    private let inbox: DirectoryHandle
    private let inboxNew: DirectoryHandle
    private let work: DirectoryHandle
    private let live: LiveSettings
    /// Fixed for the daemon's life: how the inbox is watched.
    private let pollOnly: Bool
    private let scanInterval: Double
    private let logger: Logger
    private let submit: @Sendable (Claim) -> Void

    // State below is touched only on `queue`.
    private var candidates: [Candidate] = []
    private var candidateHead = 0
    private var queued: Set<Candidate> = []
    private var waitingForQuiet: Set<Candidate> = []
    private var claimIDs = ClaimIDGenerator()
    private var nextSequence: UInt64 = 0
    private var inFlight = 0
    private var inFlightBytes = 0
    private var stopping = false
    private var paused = false
    /// Why the writer cannot commit, while it cannot: claiming stops, so files wait in the inbox.
    private var stalledReason: String?
    private var onDrained: (@Sendable () -> Void)?
    private var watcher: InotifyWatcher?
    private var scanTimer: DispatchSourceTimer?

    /// `submit` is called on the intake queue with each claimed file, in claim order.
    init(layout: StateLayout, settings live: LiveSettings, logger: Logger, submit: @escaping @Sendable (Claim) -> Void) throws {
        inbox = try DirectoryHandle(path: layout.inbox)
        inboxNew = try DirectoryHandle(path: layout.inboxNew)
        work = try DirectoryHandle(path: layout.work)
        self.live = live
        pollOnly = live.current.pollOnly
        scanInterval = pollOnly ? live.current.pollInterval : live.current.rescanInterval
        self.logger = logger
        self.submit = submit
    }

    /// Resubmits what an earlier run claimed but did not finish, then starts watching.
    func start() throws {
        try queue.sync {
            try recoverUnfinishedClaims()
            if !pollOnly {
                watcher = try InotifyWatcher(
                    paths: [(0, inbox.path), (1, inboxNew.path)], queue: queue
                ) { [unowned self] event in
                    switch event {
                    case .entry(let directory, let name, let createdOnly):
                        let candidate = Candidate(source: directory == 1 ? .maildir : .plainDrop, name: name)
                        // A regular file just created is still being written: its IN_CLOSE_WRITE
                        // will come. Creation alone announces only symlinks, FIFOs and folders.
                        if createdOnly, let status = try? (directory == 1 ? inboxNew : inbox).status(of: name),
                           status.st_mode & S_IFMT == S_IFREG { return }
                        enqueue(candidate)
                        pump()
                    case .overflow:
                        logger.warning("inotify queue overflowed; rescanning the inbox")
                        rescan()
                    }
                }
            }
            let interval = scanInterval
            let timer = DispatchSource.makeTimerSource(queue: queue)
            timer.schedule(deadline: .now() + interval, repeating: interval, leeway: .milliseconds(Int(interval * 100)))
            timer.setEventHandler { [unowned self] in rescan() }
            timer.resume()
            scanTimer = timer
            rescan()
        }
    }

    /// A claimed file was committed and disposed of: its room in the queue is free again.
    func completed(_ claim: Claim) {
        queue.async { [self] in
            inFlight -= 1
            inFlightBytes -= claim.size
            if stopping {
                if inFlight == 0, let onDrained {
                    self.onDrained = nil
                    onDrained()
                }
            } else {
                pump()
            }
        }
    }

    /// Stops claiming; `drained` runs (on the intake queue) once every claimed file is done.
    func stop(drained: @escaping @Sendable () -> Void) {
        queue.async { [self] in
            stopping = true
            watcher?.cancel()
            scanTimer?.cancel()
            if inFlight == 0 { drained() } else { onDrained = drained }
        }
    }

    // MARK: Operator controls (from the control socket)

    /// Stops or restarts claiming. Paused, the daemon still notices files; they wait in the inbox.
    func setPaused(_ paused: Bool) {
        queue.sync {
            self.paused = paused
            if !paused { pump() }
        }
    }

    /// Runs `beat` on the intake queue: it comes back only while intake is not stuck.
    func heartbeat(_ beat: @escaping @Sendable () -> Void) {
        queue.async(execute: beat)
    }

    /// Looks at every file in the inbox now, instead of at the next periodic rescan.
    func rescanNow() {
        queue.async { [self] in rescan() }
    }

    /// The writer cannot commit (`reason`), or can again (nil).
    func setStalled(_ reason: String?) {
        queue.async { [self] in
            stalledReason = reason
            if reason == nil { pump() }
        }
    }

    /// Files noticed in the inbox and not yet claimed, files claimed but not yet committed,
    /// and whether claiming is paused or stalled: one look at the intake's state.
    var backlog: (pending: Int, inFlight: Int, paused: Bool, stalled: Bool) {
        queue.sync { (candidates.count - candidateHead + waitingForQuiet.count, inFlight, paused, stalledReason != nil) }
    }

    /// True when nothing waits in the inbox and nothing claimed is uncommitted. The inbox is
    /// listed afresh, so a file whose event has not been handled yet still counts as waiting.
    func isIdle() -> Bool {
        queue.sync {
            guard inFlight == 0, candidateHead == candidates.count, waitingForQuiet.isEmpty else { return false }
            let waiting = [(Source.maildir, inboxNew), (.plainDrop, inbox)].contains { source, directory in
                ((try? directory.entries()) ?? []).contains { name in
                    !InboxRules.isIgnored(name) && !(source == .plainDrop && InboxRules.layoutFolders.contains(name))
                }
            }
            return !waiting
        }
    }

    // MARK: Finding files

    private func rescan() {
        for (source, directory) in [(Source.maildir, inboxNew), (.plainDrop, inbox)] {
            do {
                for name in try directory.entries() { enqueue(Candidate(source: source, name: name)) }
            } catch {
                logger.error("cannot scan the inbox: \(error)")
            }
        }
        pump()
    }

    private func enqueue(_ candidate: Candidate) {
        guard !stopping, !InboxRules.isIgnored(candidate.name),
              !(candidate.source == .plainDrop && InboxRules.layoutFolders.contains(candidate.name)),
              !waitingForQuiet.contains(candidate), queued.insert(candidate).inserted else { return }
        candidates.append(candidate)
    }

    private var hasRoom: Bool {
        let settings = live.current
        return inFlight < settings.queueCapacity && inFlightBytes < settings.queueByteBudget
    }

    /// Claims queued candidates while the pipeline has room.
    private func pump() {
        while !stopping, !paused, stalledReason == nil, hasRoom, candidateHead < candidates.count {
            let candidate = candidates[candidateHead]
            candidateHead += 1
            queued.remove(candidate)
            consider(candidate)
        }
        if candidateHead > 1_024, candidateHead * 2 > candidates.count {
            candidates.removeFirst(candidateHead)
            candidateHead = 0
        }
    }

    private func consider(_ candidate: Candidate) {
        let settings = live.current
        let directory = candidate.source == .maildir ? inboxNew : inbox
        let status: stat
        do {
            guard let found = try directory.status(of: candidate.name) else { return }  // already gone
            status = found
        } catch {
            logger.error("cannot examine \(candidate.name) in the inbox: \(error)")
            return
        }
        let isRegular = status.st_mode & S_IFMT == S_IFREG
        // The inode change time, not the modification time: the kernel sets it on every write
        // and rename, while `cp -p`, `rsync -t` or `tar x` can set a modification time from a
        // producer's clock (even one in the future).
        let lastChange = min(status.st_ctim.seconds, Self.now())
        // Plain drops wait until quiet. A maildir file is complete when it arrives, except an
        // empty one that a scan found mid-copy (a producer writing straight into new/).
        if isRegular, candidate.source == .plainDrop || status.st_size == 0 {
            let quietFor = Self.now() - lastChange
            if quietFor < settings.minimumFileAge {
                waitUntilQuiet(candidate, delay: settings.minimumFileAge - quietFor)
                return
            }
        }
        let size = isRegular && Int(status.st_size) <= settings.maximumFileSize ? Int(status.st_size) : 0
        claim(candidate.name, from: directory, size: size, droppedAt: lastChange)
    }

    private func waitUntilQuiet(_ candidate: Candidate, delay: Double) {
        guard waitingForQuiet.insert(candidate).inserted else { return }
        queue.asyncAfter(deadline: .now() + delay + 0.02) { [self] in
            waitingForQuiet.remove(candidate)
            enqueue(candidate)
            pump()
        }
    }

    private func claim(_ name: FileName, from directory: DirectoryHandle, size: Int, droppedAt: Double) {
        let id = claimIDs.next()
        let claim = Claim(id: id, name: name, layout: Claim.layout(id: id, name: name), sequence: nextSequence,
                          size: size, droppedAt: droppedAt)
        do {
            if claim.layout == .folder { try work.makeDirectory(id, mode: 0o700) }
            try directory.move(name, to: work, as: claim.path)
        } catch {
            if claim.layout == .folder { try? work.removeDirectory(id) }
            // ENOENT: another reader (or the producer) took the file first; nothing to do.
            if (error as? SystemError)?.code != ENOENT {
                logger.error("cannot claim \(name): \(error)")
            }
            return
        }
        accept(claim)
    }

    private func accept(_ claim: Claim) {
        nextSequence += 1
        inFlight += 1
        inFlightBytes += claim.size
        submit(claim)
    }

    /// Claims left in `work/` by a run that stopped before committing them, flat or in folders.
    private func recoverUnfinishedClaims() throws {
        let settings = live.current
        var recovered = 0
        let entries = try work.entries().filter { !InboxRules.isIgnored($0) }.compactMap { entry in
            if let parsed = Claim.parse(workEntry: entry) { return (entry, parsed) }
            logger.warning("ignoring \(entry) in the work folder: not a claim")
            return nil
        }
        let inClaimOrder = entries.map { (order: ClaimIDGenerator.claimOrder(of: $0.1.id), entry: $0) }
            .sorted { $0.order.lexicographicallyPrecedes($1.order) }.map(\.entry)
        for (entry, parsed) in inClaimOrder {
            let name: FileName
            let layout: Claim.Layout
            let status: stat?
            if let flatName = parsed.flatName {
                (name, layout, status) = (flatName, .flat, try work.status(of: entry))
            } else {
                guard let folder = try? work.openDirectory(entry) else {
                    logger.warning("ignoring \(entry) in the work folder: not a claim folder")
                    continue
                }
                let names = try folder.entries()
                if names.isEmpty {
                    try work.removeDirectory(entry)  // the run stopped between mkdir and rename
                    continue
                }
                if names.count > 1 {
                    logger.warning("claim folder \(entry) holds \(names.count) files; only \(names[0]) is resumed")
                }
                (name, layout, status) = (names[0], .folder, try folder.status(of: names[0]))
            }
            let size = status.map { $0.st_mode & S_IFMT == S_IFREG ? Int($0.st_size) : 0 } ?? 0
            let droppedAt = status.map { min($0.st_ctim.seconds, Self.now()) } ?? Self.now()
            accept(Claim(id: parsed.id, name: name, layout: layout, sequence: nextSequence,
                         size: min(size, settings.maximumFileSize), droppedAt: droppedAt))
            recovered += 1
        }
        if recovered > 0 { logger.notice("resuming \(recovered) file(s) claimed before the last stop") }
    }

    private static func now() -> Double {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        return now.seconds
    }
}

extension timespec {
    var seconds: Double { Double(tv_sec) + Double(tv_nsec) / 1e9 }
}
