import Dispatch
import Glibc
import NewsdropControlProtocol
import Synchronization

/// Where a command writes its answer: any number of streamed lines, then one final line.
/// The connection reads no further request until the final line is sent, so answers come in
/// request order.
protocol ResponseSink: AnyObject, Sendable {
    func send(_ line: [UInt8])
    func finish(_ line: [UInt8])
    /// Runs `body` on the connection's queue once unsent output is below the streaming
    /// threshold, so a streamed answer never outruns a slow reader.
    func whenWritable(_ body: @escaping @Sendable () -> Void)
    /// True while unsent output is below the streaming threshold.
    var hasRoomToStream: Bool { get }
    /// Runs `body` on the connection's queue after `seconds`.
    func schedule(after seconds: Double, _ body: @escaping @Sendable () -> Void)
    /// False once the client has gone.
    var isOpen: Bool { get }
}

/// One client connection: non-blocking reads and writes through Dispatch sources on its own
/// serial queue, so a slow or hostile client can hold up nobody but itself.
final class ControlConnection: ResponseSink, @unchecked Sendable {
    /// Unsent output above which streamed answers wait for the client to read.
    static let streamingThreshold = 1 << 20
    /// Unsent output above which the client is considered gone.
    static let outputLimit = 64 << 20

    let queue: DispatchQueue
    private let descriptor: Int32
    private let peer: PeerAccess
    private let commands: ControlCommands
    private let idleTimeout: Double
    private let onClose: @Sendable () -> Void

    // Touched only on `queue`.
    /// Received bytes not yet handled start at `inputStart` (consumed lines are not shifted out
    /// one by one, which would make a burst of pipelined requests quadratic).
    private var input: [UInt8] = []
    private var inputStart = 0
    private var output: [UInt8] = []
    private var outputStart = 0
    private var readSource: DispatchSourceRead?
    private var writeSource: DispatchSourceWrite?
    private var writeSourceActive = false
    private var readSuspended = false
    private var awaitingAnswer = false
    private var inputEnded = false
    private var closeWhenFlushed = false
    private var closed = false
    private var writableWaiters: [@Sendable () -> Void] = []
    /// One buffer for every read: allocating (and zeroing) it per request was a measurable
    /// part of a `status` round trip.
    private var chunk = [UInt8](repeating: 0, count: 65_536)
    /// Checks for idleness a few times per timeout. A one-shot timer re-armed at every request
    /// cost a source registration, and a wake-up of Dispatch's timer thread, per round trip.
    private var idleTimer: DispatchSourceTimer?

    init(descriptor: Int32, peer: PeerAccess, commands: ControlCommands, idleTimeout: Double, target: DispatchQueue,
         onClose: @escaping @Sendable () -> Void) {
        self.descriptor = descriptor
        self.peer = peer
        self.commands = commands
        self.idleTimeout = idleTimeout
        self.onClose = onClose
        queue = DispatchQueue(label: "newsdrop.control.connection", target: target)
    }

    func start() {
        queue.async { [self] in
            let read = DispatchSource.makeReadSource(fileDescriptor: descriptor, queue: queue)
            read.setEventHandler { [unowned self] in readAvailable() }
            readSource = read
            let write = DispatchSource.makeWriteSource(fileDescriptor: descriptor, queue: queue)
            write.setEventHandler { [unowned self] in flush() }
            writeSource = write
            read.resume()
            startIdleTimer()
        }
    }

    var isOpen: Bool { !closed }

    /// When the connection last finished an answer with nothing pending (nil while a request
    /// is being answered): the idle timeout counts from it, and the server evicts the
    /// longest-idle connection when it is full.
    private let idleSinceState = Mutex<ContinuousClock.Instant?>(ContinuousClock.now)
    var idleSince: ContinuousClock.Instant? { idleSinceState.withLock { $0 } }

    // MARK: Reading requests

    private func readAvailable() {
        while !closed, !readSuspended {
            let count = chunk.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress, $0.count) }
            if count > 0 {
                input.append(contentsOf: chunk[..<count])
                // Enough buffered for now: the rest waits in the socket until these are handled.
                if input.count - inputStart > ControlProtocol.maximumLineLength { suspendReading() }
                continue
            }
            if count == 0 {
                inputEnded = true  // half-closed: answer what was asked, then close
                suspendReading()
            } else if errno == EINTR {
                continue
            } else if errno != EAGAIN {
                close()
                return
            }
            break
        }
        handleBufferedRequests()
    }

    private func handleBufferedRequests() {
        while !closed, !awaitingAnswer, let newline = input[inputStart...].firstIndex(of: UInt8(ascii: "\n")) {
            var line = input[inputStart..<newline]
            inputStart = newline + 1
            if line.last == UInt8(ascii: "\r") { line = line.dropLast() }
            if line.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { continue }
            awaitingAnswer = true
            idleSinceState.withLock { $0 = nil }
            switch ControlRequestDecoder.decode(line) {
            case .failure(let rejected):
                finish(ControlResponse.failure(id: rejected.id, error: rejected.error))
            case .success(let request):
                commands.handle(request, peer: peer, sink: self)
            }
        }
        if inputStart > 0, inputStart * 2 >= input.count {
            input.removeFirst(inputStart)
            inputStart = 0
        }
        guard !closed, !awaitingAnswer else { return }
        // Checked only between answers, so a pending answer is never overtaken by this error.
        if input.count - inputStart > ControlProtocol.maximumLineLength {
            rejectOversizeLine()
            return
        }
        if readSuspended, !inputEnded { resumeReading() }
        if inputEnded { closeWhenFlushed = true; flush() }
    }

    private func rejectOversizeLine() {
        input.removeAll()
        inputStart = 0
        suspendReading()
        closeWhenFlushed = true
        send(ControlResponse.failure(id: .null, error: ControlError(
            .lineTooLong, "request line longer than \(ControlProtocol.maximumLineLength) bytes; closing the connection")))
    }

    // MARK: ResponseSink (called on `queue`)

    func send(_ line: [UInt8]) {
        guard !closed else { return }
        output.append(contentsOf: line)
        if output.count - outputStart > Self.outputLimit { close(); return }
        flush()
    }

    func finish(_ line: [UInt8]) {
        send(line)
        awaitingAnswer = false
        idleSinceState.withLock { $0 = .now }
        queue.async { [self] in handleBufferedRequests() }
    }

    func whenWritable(_ body: @escaping @Sendable () -> Void) {
        guard !closed else { return }
        if hasRoomToStream {
            // Asynchronously even when there is room: a fast reader must not turn a long
            // stream into one deep recursion.
            queue.async(execute: body)
        } else {
            writableWaiters.append(body)
        }
    }

    var hasRoomToStream: Bool { output.count - outputStart < Self.streamingThreshold }

    func schedule(after seconds: Double, _ body: @escaping @Sendable () -> Void) {
        queue.asyncAfter(deadline: .now() + seconds, execute: body)
    }

    // MARK: Writing

    private func flush() {
        while !closed, outputStart < output.count {
            let count = output[outputStart...].withUnsafeBytes { Glibc.send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if count > 0 {
                outputStart += count
            } else if count < 0, errno == EINTR {
                continue
            } else if count < 0, errno == EAGAIN {
                break
            } else {
                close()
                return
            }
        }
        if outputStart == output.count {
            output.removeAll(keepingCapacity: output.count <= 65_536)
            outputStart = 0
            setWriteSourceActive(false)
            if closeWhenFlushed { close(); return }
        } else {
            if outputStart > 65_536 { output.removeFirst(outputStart); outputStart = 0 }
            setWriteSourceActive(true)
        }
        if output.count - outputStart < Self.streamingThreshold, !writableWaiters.isEmpty {
            let waiters = writableWaiters
            writableWaiters.removeAll()
            for waiter in waiters { waiter() }
        }
    }

    private func setWriteSourceActive(_ active: Bool) {
        guard active != writeSourceActive, let writeSource else { return }
        writeSourceActive = active
        if active { writeSource.resume() } else { writeSource.suspend() }
    }

    private func suspendReading() {
        guard !readSuspended else { return }
        readSuspended = true
        readSource?.suspend()
    }

    private func resumeReading() {
        guard readSuspended else { return }
        readSuspended = false
        readSource?.resume()
    }

    // MARK: Lifetime

    /// Closes the connection once it has been idle (no request being answered) for the idle
    /// timeout, give or take an eighth of it.
    private func startIdleTimer() {
        let timer = DispatchSource.makeTimerSource(queue: queue)
        let interval = idleTimeout / 8
        timer.schedule(deadline: .now() + interval, repeating: interval, leeway: .milliseconds(Int(interval * 100)))
        timer.setEventHandler { [unowned self] in
            if let idleSince, idleSince.duration(to: .now) >= .seconds(idleTimeout) { close() }
        }
        timer.resume()
        idleTimer = timer
    }

    func close() {
        guard !closed else { return }
        closed = true
        writableWaiters.removeAll()
        idleTimer?.cancel()
        // A suspended source must be resumed before it can be cancelled and released.
        if readSuspended { readSource?.resume() }
        if !writeSourceActive { writeSource?.resume() }
        readSource?.cancel()
        writeSource?.cancel()
        let descriptor = descriptor, onClose = onClose
        // Both sources are cancelled on this queue: close the descriptor after their handlers,
        // and leave the server's registry before the descriptor number can be reused.
        queue.async {
            onClose()
            Glibc.close(descriptor)
        }
    }
}
