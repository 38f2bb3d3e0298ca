import Foundation

/// NFKC without sending every article through Foundation's normaliser, which costs more than all other
/// feature extraction together.
///
/// Normalisation never reaches across a boundary before an *inert* scalar: one NFKC leaves unchanged,
/// with combining class 0, that never composes with what precedes it. The text is cut into segments,
/// each an inert head followed by the non-inert scalars after it. A segment that is just its head is
/// copied; the rest, rare in news text (combining marks, ligatures, full-width forms), go through
/// Foundation. A few common compatibility characters (no-break and typographic spaces, ellipsis) are
/// heads with a fixed mapping, since their decompositions start with an inert scalar too.
enum CompatibilityNormalization {
    static func append(_ text: String, to output: inout [Unicode.Scalar]) {
        // ASCII is inert throughout; a third of real articles are pure ASCII and are copied in bulk.
        let copied = text.withUTF8Buffer { bytes in
            guard bytes.isASCII else { return false }
            // Widened in a plain loop over the buffers: appending a lazy map stepped through a
            // generic iterator per byte (3% of feature extraction, callgrind).
            output += [Unicode.Scalar](unsafeUninitializedCapacity: bytes.count) { scalars, count in
                for index in bytes.indices { scalars[index] = Unicode.Scalar(bytes[index]) }
                count = bytes.count
            }
            return true
        }
        if copied { return }
        var writer = SegmentWriter()
        for scalar in text.unicodeScalars { writer.add(scalar, to: &output) }
        writer.finish(to: &output)
    }

    private struct SegmentWriter {
        /// The current segment's head while the segment has no tail yet.
        private var head: Unicode.Scalar?
        /// The current segment once it has a tail (the head, if any, first).
        private var segment: [Unicode.Scalar] = []

        mutating func add(_ scalar: Unicode.Scalar, to output: inout [Unicode.Scalar]) {
            if isHead(scalar) {
                finish(to: &output)
                head = scalar
            } else {
                if let head { segment.append(head) }
                head = nil
                segment.append(scalar)
            }
        }

        mutating func finish(to output: inout [Unicode.Scalar]) {
            if let head {
                if let mapped = directMapping(head) { output.append(contentsOf: mapped) } else { output.append(head) }
                self.head = nil
            } else if !segment.isEmpty {
                var text = String.UnicodeScalarView()
                text.append(contentsOf: segment)
                output.append(contentsOf: String(text).precomposedStringWithCompatibilityMapping.unicodeScalars)
                segment.removeAll(keepingCapacity: true)
            }
        }
    }

    @inline(__always)
    private static func isHead(_ scalar: Unicode.Scalar) -> Bool {
        scalar.isASCII || isInert(scalar.value) || directMapping(scalar) != nil
    }

    /// NFKC of a few frequent compatibility characters.
    private static func directMapping(_ scalar: Unicode.Scalar) -> [Unicode.Scalar]? {
        switch scalar.value {
        case 0xA0, 0x2000...0x200A, 0x202F, 0x205F, 0x3000: return [" "]
        case 0x2011: return ["\u{2010}"]
        case 0x2024: return ["."]
        case 0x2025: return [".", "."]
        case 0x2026: return [".", ".", "."]
        default: return nil
        }
    }

    private static func isInert(_ value: UInt32) -> Bool {
        var low = 0, high = inertRanges.count
        while low < high {
            let middle = (low + high) / 2
            if inertRanges[middle].upperBound < value { low = middle + 1 } else { high = middle }
        }
        return low < inertRanges.count && inertRanges[low].contains(value)
    }

    /// Inert scalars of the blocks news text uses most (Latin, Greek, Cyrillic, punctuation, currency,
    /// symbols, CJK ideographs, Hangul syllables), from Python's unicodedata 14.0. Normalisation
    /// stability keeps them inert in later Unicode versions; scalars outside go through Foundation.
    private static let inertRanges: [ClosedRange<UInt32>] = [
        0x00A1...0x00A7, 0x00A9...0x00A9, 0x00AB...0x00AE, 0x00B0...0x00B1, 0x00B6...0x00B7, 0x00BB...0x00BB,
        0x00BF...0x0131, 0x0134...0x013E, 0x0141...0x0148, 0x014A...0x017E, 0x0180...0x01C3, 0x01CD...0x01F0,
        0x01F4...0x024F, 0x0370...0x0373, 0x0375...0x0377, 0x037B...0x037D, 0x037F...0x037F, 0x0386...0x0386,
        0x0388...0x038A, 0x038C...0x038C, 0x038E...0x03A1, 0x03A3...0x03CF, 0x03D7...0x03EF, 0x03F3...0x03F3,
        0x03F6...0x03F8, 0x03FA...0x0482, 0x0488...0x052F, 0x200B...0x2010, 0x2012...0x2016, 0x2018...0x2023,
        0x2027...0x202E, 0x2030...0x2032, 0x2035...0x2035, 0x2038...0x203B, 0x203D...0x203D, 0x203F...0x2046,
        0x204A...0x2056, 0x2058...0x205E, 0x2060...0x2064, 0x2066...0x206F, 0x20A0...0x20A7, 0x20A9...0x20C0,
        0x2104...0x2104, 0x2108...0x2108, 0x2114...0x2114, 0x2117...0x2118, 0x211E...0x211F, 0x2123...0x2123,
        0x2125...0x2125, 0x2127...0x2127, 0x2129...0x2129, 0x212E...0x212E, 0x2132...0x2132, 0x213A...0x213A,
        0x2141...0x2144, 0x214A...0x214F, 0x2180...0x2188, 0x218A...0x218B, 0x2190...0x222B, 0x222E...0x222E,
        0x2231...0x2328, 0x232B...0x23FF, 0x2500...0x27BF, 0x3001...0x3029, 0x3030...0x3035, 0x3037...0x3037,
        0x303B...0x303F, 0x4E00...0x9FFF, 0xAC00...0xD7A3,
    ]
}
