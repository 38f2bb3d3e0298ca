/// Rows of cells printed as aligned columns: text left-aligned, numbers right-aligned.
struct TextTable {
    private var rows: [[String]] = []

    init(_ header: String...) {
        rows.append(header)
    }

    mutating func add(_ cells: String...) {
        rows.append(cells)
    }

    func lines(indent: String = "  ") -> [String] {
        let widths = (0..<(rows.map(\.count).max() ?? 0)).map { column in
            rows.map { column < $0.count ? $0[column].count : 0 }.max() ?? 0
        }
        return rows.map { row in
            let cells = row.enumerated().map { column, cell in
                let padding = String(repeating: " ", count: widths[column] - cell.count)
                return Double(cell) != nil ? padding + cell : cell + padding
            }
            return indent + cells.joined(separator: "  ").trimmingTrailingSpaces()
        }
    }
}

private extension String {
    func trimmingTrailingSpaces() -> String {
        String(self[..<(lastIndex { $0 != " " }.map(index(after:)) ?? startIndex)])
    }
}
