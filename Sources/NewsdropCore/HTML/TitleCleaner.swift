/// Removes the site name that `<title>` usually carries ("Bridge to close | Harbor Times").
///
/// The part after the last separator goes. When that would leave fewer than three words the
/// site name was probably in front ("Harbor Times - Bridge to close"), so the part after the
/// first separator is kept instead. A cut that leaves four words or fewer is not trusted — a
/// short title may well contain a dash — unless the removed part is the page's own site name.
enum TitleCleaner {
    private static let separators = [" | ", " - ", " – ", " — ", " · ", " :: ", " / ", " » ", " > ", " \\ "]

    static func clean(_ title: String, siteName: String?) -> String {
        let marks = separatorRanges(in: title)
        guard let last = marks.last, let first = marks.first else { return title }
        var kept = String(title[..<last.lowerBound])
        var removed = String(title[last.upperBound...])
        if wordCount(kept) < 3 {
            kept = String(title[first.upperBound...])
            removed = String(title[..<first.lowerBound])
        }
        kept = WhiteSpace.collapse(kept)
        let isSiteName = siteName.map { normalizedName($0) == normalizedName(removed) } ?? false
        return wordCount(kept) > 4 || (isSiteName && !kept.isEmpty) ? kept : title
    }

    private static func separatorRanges(in title: String) -> [Range<String.Index>] {
        var ranges: [Range<String.Index>] = []
        var index = title.startIndex
        while index < title.endIndex {
            if let separator = separators.first(where: { title[index...].hasPrefix($0) }) {
                let end = title.index(index, offsetBy: separator.count)
                ranges.append(index..<end)
                index = end
            } else {
                index = title.index(after: index)
            }
        }
        return ranges
    }

    private static func wordCount(_ text: String) -> Int {
        text.split(whereSeparator: { $0.isWhitespace }).count
    }

    private static func normalizedName(_ text: String) -> String {
        WhiteSpace.collapse(text).lowercased()
    }
}
