import Foundation
import Glibc
import NewsdropCore

/// Human output: aligned tables, relative times, sizes, and bold headers only on a terminal.
enum Output {
    static let isTerminal = isatty(STDOUT_FILENO) == 1

    /// Prints rows under a header with every column but the last padded to its widest cell;
    /// the last column is cut to fit the terminal.
    static func table(_ header: [String], _ rows: [[String]]) {
        let widths = header.indices.map { column in
            ([header] + rows).map { $0[column].count }.max() ?? 0
        }
        let lineWidth = Int(ProcessInfo.processInfo.environment["COLUMNS"] ?? "") ?? 120
        func line(_ cells: [String]) -> String {
            var text = ""
            for (column, cell) in cells.enumerated() {
                if column == cells.count - 1 {
                    let room = max(20, lineWidth - text.count)
                    text += cell.count > room ? String(cell.prefix(room - 1)) + "…" : cell
                } else {
                    text += cell.padding(toLength: widths[column], withPad: " ", startingAt: 0) + "  "
                }
            }
            return text
        }
        print(bold(line(header)))
        for row in rows { print(line(row)) }
    }

    /// "label   value" lines with the labels aligned.
    static func fields(_ pairs: [(String, String)]) {
        let width = pairs.map(\.0.count).max() ?? 0
        for (label, value) in pairs {
            print(bold(label.padding(toLength: width, withPad: " ", startingAt: 0)) + "  " + value)
        }
    }

    static func bold(_ text: String) -> String { isTerminal ? "\u{1B}[1m\(text)\u{1B}[0m" : text }

    /// "3m ago", "2h ago", "5d ago"; the timestamp itself when it cannot be read.
    static func relative(_ iso: String?) -> String {
        guard let iso else { return "—" }
        guard let time = DateParser.parse(iso) else { return iso }
        return duration(Date().timeIntervalSince1970 - Double(time.secondsSinceEpoch)) + " ago"
    }

    static func duration(_ seconds: Double) -> String {
        let s = Int(max(0, seconds))
        switch s {
        case ..<60: return "\(s)s"
        case ..<3_600: return "\(s / 60)m \(s % 60)s"
        case ..<86_400: return "\(s / 3_600)h \(s % 3_600 / 60)m"
        default: return "\(s / 86_400)d \(s % 86_400 / 3_600)h"
        }
    }

    static func size(_ bytes: Int64) -> String {
        let units = ["B", "KiB", "MiB", "GiB", "TiB"]
        var value = Double(bytes), unit = 0
        while value >= 1_024, unit < units.count - 1 { value /= 1_024; unit += 1 }
        return unit == 0 ? "\(bytes) B" : String(format: "%.1f %@", value, units[unit])
    }

    static func seconds(_ value: Double?) -> String {
        guard let value else { return "—" }
        return value < 1 ? String(format: "%.1f ms", value * 1_000) : String(format: "%.2f s", value)
    }
}
