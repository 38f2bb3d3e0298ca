/// Binary encodings of features for SQLite BLOBs: little-endian, each starting with a tag byte whose
/// high nibble names the kind and low nibble the version, so a blob of the wrong kind or of a future
/// version is rejected instead of misread. Decoders return nil for anything malformed: wrong tag,
/// truncated, trailing bytes, or values breaking the invariants the encoders' inputs satisfy.
public enum FeatureCoding {
    static let unitsTag: UInt8 = 0x11
    static let weightsTag: UInt8 = 0x21
    static let minhashTag: UInt8 = 0x31

    /// Tag, u32 unit count, then per unit its u32 term count and terms (u32). SPEC §7 sketches u16
    /// counts; u32 costs a few bytes per article and cannot overflow on a pathological text.
    /// Read back in place, as `EncodedUnits`.
    public static func encode(units: [SentenceUnit]) -> [UInt8] {
        var writer = LittleEndianWriter(tag: unitsTag, size: 4 + units.reduce(0) { $0 + 4 + 4 * $1.terms.count })
        writer.append(UInt32(units.count))
        for unit in units {
            writer.append(UInt32(unit.terms.count))
            for term in unit.terms { writer.append(term) }
        }
        return writer.bytes
    }

    /// Tag, u32 count, then (u64 term, f32 weight) pairs, `terms` ascending and `weights`
    /// parallel to them (a story centroid). f32 keeps about 7 digits, plenty for weights that
    /// are only ever compared through a cosine.
    public static func encode(terms: [UInt64], weights: [Double]) -> [UInt8] {
        precondition(terms.count == weights.count, "one weight per term")
        var writer = LittleEndianWriter(tag: weightsTag, size: 4 + 12 * terms.count)
        writer.append(UInt32(terms.count))
        for (term, weight) in zip(terms, weights) {
            writer.append(term)
            writer.append(Float(weight).bitPattern)
        }
        return writer.bytes
    }

    /// Also rejects terms out of order or repeated, and non-finite weights.
    public static func decodeWeights(_ bytes: [UInt8]) -> (terms: [UInt64], weights: [Double])? {
        bytes.withUnsafeBytes { decodeWeights($0) }
    }

    /// The same, from bytes in place (SQLite's, inside a column read).
    public static func decodeWeights(_ bytes: UnsafeRawBufferPointer) -> (terms: [UInt64], weights: [Double])? {
        guard var reader = LittleEndianReader(bytes, tag: weightsTag),
              let count = reader.readUInt32(), reader.remaining == 12 * Int(count) else { return nil }
        var terms: [UInt64] = [], weights: [Double] = []
        terms.reserveCapacity(Int(count))
        weights.reserveCapacity(Int(count))
        for _ in 0..<count {
            guard let term = reader.readUInt64(), let bits = reader.readUInt32(),
                  terms.last.map({ $0 < term }) ?? true, Float(bitPattern: bits).isFinite else { return nil }
            terms.append(term)
            weights.append(Double(Float(bitPattern: bits)))
        }
        return (terms, weights)
    }

    /// Tag, then the 64 values (u64).
    public static func encode(minhash: [UInt64]) -> [UInt8] {
        var writer = LittleEndianWriter(tag: minhashTag, size: 8 * minhash.count)
        for value in minhash { writer.append(value) }
        return writer.bytes
    }

    /// Accepts exactly 64 values: any other length is not a signature of SPEC §3.2.
    public static func decodeMinhash(_ bytes: [UInt8]) -> [UInt64]? {
        bytes.withUnsafeBytes { decodeMinhash($0) }
    }

    private static func decodeMinhash(_ bytes: UnsafeRawBufferPointer) -> [UInt64]? {
        guard var reader = LittleEndianReader(bytes, tag: minhashTag),
              reader.remaining == 8 * MinHashSketch.binCount else { return nil }
        return (0..<MinHashSketch.binCount).compactMap { _ in reader.readUInt64() }
    }
}

/// Fills a blob of a size known in advance, one unaligned store per value: appending each
/// value's bytes as a sequence, even into reserved capacity, made encoding an article's units
/// three times as costly (callgrind, 1.3% of placement against 3.7%).
private struct LittleEndianWriter {
    private var buffer: [UInt8]
    private var offset = 1

    /// `size`: exactly the bytes that follow the tag.
    init(tag: UInt8, size: Int) {
        buffer = [UInt8](repeating: 0, count: 1 + size)
        buffer[0] = tag
    }

    mutating func append<T: FixedWidthInteger>(_ value: T) {
        precondition(offset + MemoryLayout<T>.size <= buffer.count, "a blob holds the size it was made for")
        buffer.withUnsafeMutableBytes { $0.storeBytes(of: value.littleEndian, toByteOffset: offset, as: T.self) }
        offset += MemoryLayout<T>.size
    }

    var bytes: [UInt8] {
        precondition(offset == buffer.count, "a blob is filled to the size it was made for")
        return buffer
    }
}

/// Reads a blob in place; used only inside the decoder's call, while `bytes` is valid.
private struct LittleEndianReader {
    private let bytes: UnsafeRawBufferPointer
    private var offset = 1

    /// Nil unless the blob starts with `tag`.
    init?(_ bytes: UnsafeRawBufferPointer, tag: UInt8) {
        guard bytes.first == tag else { return nil }
        self.bytes = bytes
    }

    var remaining: Int { bytes.count - offset }

    mutating func readUInt32() -> UInt32? { read(UInt32.self) }

    mutating func readUInt64() -> UInt64? { read(UInt64.self) }

    /// The next `count` u32 values as a view of the bytes, or nil when fewer remain.
    mutating func readTerms(_ count: Int) -> UnitTerms? {
        guard count <= remaining / 4 else { return nil }
        let terms = UnitTerms(bytes: UnsafeRawBufferPointer(rebasing: bytes[offset..<(offset + 4 * count)]))
        offset += 4 * count
        return terms
    }

    private mutating func read<T: FixedWidthInteger>(_: T.Type) -> T? {
        let size = MemoryLayout<T>.size
        guard remaining >= size else { return nil }
        // One unaligned load, not a byte at a time: the writer decodes up to 16 candidates'
        // units per article, and the byte loop was a tenth of placement (callgrind).
        let value = T(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: T.self))
        offset += size
        return value
    }
}

/// A units blob (`FeatureCoding.encode(units:)`) read where it lies: checked whole when made,
/// then each unit's terms are read straight from the bytes. Verifying a candidate this way
/// makes no array per unit; decoding into `SentenceUnit`s had made about 800 per placed
/// article (callgrind). Valid only while its bytes are, such as inside SQLite's blob callback.
public struct EncodedUnits: Sequence {
    /// Positioned at the first unit: every iteration starts from it.
    private let firstUnit: LittleEndianReader
    public let count: Int

    /// Nil for a blob of another kind, a malformed one, or a unit whose terms are not
    /// strictly ascending (sorted and distinct).
    public init?(_ bytes: UnsafeRawBufferPointer) {
        // Each unit takes at least 4 bytes, which bounds the count before it is trusted.
        guard var reader = LittleEndianReader(bytes, tag: FeatureCoding.unitsTag),
              let count = reader.readUInt32(), Int(count) <= reader.remaining / 4 else { return nil }
        let firstUnit = reader
        for _ in 0..<count {
            guard let length = reader.readUInt32(), let terms = reader.readTerms(Int(length)),
                  terms.isStrictlyAscending else { return nil }
        }
        guard reader.remaining == 0 else { return nil }
        self.firstUnit = firstUnit
        self.count = Int(count)
    }

    public func makeIterator() -> Iterator {
        Iterator(reader: firstUnit, left: count)
    }

    public struct Iterator: IteratorProtocol {
        fileprivate var reader: LittleEndianReader
        fileprivate var left: Int

        /// Reads what `init` checked, so nothing can fail here.
        public mutating func next() -> UnitTerms? {
            guard left > 0, let length = reader.readUInt32() else { return nil }
            left -= 1
            return reader.readTerms(Int(length))
        }
    }
}

/// One stored unit's terms, read in place from its blob.
public struct UnitTerms: RandomAccessCollection {
    fileprivate let bytes: UnsafeRawBufferPointer

    public var startIndex: Int { 0 }
    public var endIndex: Int { bytes.count / 4 }

    public subscript(position: Int) -> UInt32 {
        UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: 4 * position, as: UInt32.self))
    }

    fileprivate var isStrictlyAscending: Bool {
        var index = 1
        while index < count {
            guard self[index - 1] < self[index] else { return false }
            index += 1
        }
        return true
    }
}
