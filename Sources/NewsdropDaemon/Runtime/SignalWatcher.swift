import Dispatch
import Glibc

/// Delivers signals as Dispatch events. Each signal is ignored first (so its default action
/// cannot kill the process), and `init` returns only after every source is registered: a
/// signal that arrives during start-up is handled, not lost.
final class SignalWatcher: @unchecked Sendable {
    private var sources: [DispatchSourceSignal] = []

    init(signals: [Int32], queue: DispatchQueue, handler: @escaping (Int32) -> Void) {
        let registered = DispatchGroup()
        for number in signals {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: queue)
            source.setEventHandler { handler(number) }
            registered.enter()
            source.setRegistrationHandler { registered.leave() }
            source.resume()
            sources.append(source)
        }
        registered.wait()
    }
}
