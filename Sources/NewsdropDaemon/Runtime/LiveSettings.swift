import Synchronization

/// The settings the running daemon uses now. Components read them at the moment they need a
/// value, so a reload that swaps in new values takes effect at once, without restarting them.
final class LiveSettings: Sendable {
    private let state: Mutex<DaemonSettings>

    init(_ settings: DaemonSettings) {
        state = Mutex(settings)
    }

    var current: DaemonSettings { state.withLock { $0 } }

    func replace(with settings: DaemonSettings) {
        state.withLock { $0 = settings }
    }
}
