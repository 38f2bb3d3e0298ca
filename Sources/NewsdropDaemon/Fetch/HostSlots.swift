import Foundation

/// The fetcher's politeness bookkeeping: transfers in flight per host, and when each host may
/// see the next one start. A value type with the clock passed in, so its rules are tested
/// without waiting.
struct HostSlots {
    private struct Host {
        var active = 0
        var nextStart = Date.distantPast
    }

    private var hosts: [String: Host] = [:]

    enum Admission: Equatable {
        case start
        /// The host has `perHost` transfers running; one must finish first.
        case full
        /// The host's delay since the last start has not passed yet.
        case wait(until: Date)
    }

    func admission(for host: String, at now: Date, perHost: Int) -> Admission {
        let state = hosts[host] ?? Host()
        if state.active >= perHost { return .full }
        return state.nextStart > now ? .wait(until: state.nextStart) : .start
    }

    /// Records a start; the next start on this host may come `delay` seconds later.
    mutating func started(_ host: String, at now: Date, delay: Double) {
        hosts[host, default: Host()].active += 1
        hosts[host]!.nextStart = now.addingTimeInterval(delay)
    }

    /// Records a finish, and forgets idle hosts whose delay has passed, so the table stays as
    /// small as the work in progress.
    mutating func finished(_ host: String, at now: Date) {
        hosts[host]?.active -= 1
        hosts = hosts.filter { $0.value.active > 0 || $0.value.nextStart > now }
    }

    var trackedHosts: Int { hosts.count }
}
