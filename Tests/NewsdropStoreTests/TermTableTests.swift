@testable import NewsdropStore
import XCTest

/// The writer's term hash table against `Dictionary` as the model: the same answers through
/// growth, colliding slots, the key 0, removal and emptying.
final class TermTableTests: XCTestCase {
    func testAgreesWithADictionaryThroughGrowthAndEmptying() {
        var table = TermTable<Int>()
        var model: [UInt64: Int] = [:]
        var random = SystemRandomNumberGenerator()
        // Keys from a small range collide often; large ones exercise the mixing.
        let keys: [UInt64] = (0..<3_000).map { $0 % 3 == 0 ? UInt64($0 % 700) : random.next() } + [0, .max]
        for (step, key) in keys.enumerated() {
            let added = table.modify(key, default: { 0 }) { value -> Int in
                value += step
                return value
            }
            model[key, default: 0] += step
            XCTAssertEqual(added, model[key])
        }
        XCTAssertEqual(table.count, model.count)
        for (key, value) in model { XCTAssertEqual(table[key], value, "key \(key)") }
        XCTAssertNil(table[12_345_678_901], "a key never inserted")
        XCTAssertNil(table.modifyIfPresent(12_345_678_901) { $0 += 1 }, "modifying only when present")
        XCTAssertNil(table[12_345_678_901], "makes no entry")
        if let key = model.keys.first {
            XCTAssertEqual(table.modifyIfPresent(key) { value -> Int in value += 1; return value }, model[key]! + 1)
            model[key]! += 1
        }

        table.removeAll { $0.isMultiple(of: 2) }
        model = model.filter { !$0.value.isMultiple(of: 2) }
        XCTAssertEqual(table.count, model.count)
        for (key, value) in model { XCTAssertEqual(table[key], value, "kept key \(key)") }
        for key in keys where model[key] == nil { XCTAssertNil(table[key], "removed key \(key)") }
        XCTAssertEqual(table.modify(7, default: { 41 }) { value -> Int in value += 1; return value }, model[7].map { $0 + 1 } ?? 42)

        table.removeAll { _ in true }
        XCTAssertEqual(table.count, 0)
        XCTAssertNil(table[0])
    }

    func testKeysThatDifferOnlyInTheirHighBitsAreKeptApart() {
        // Low bits alone would put all of these in one slot.
        var table = TermTable<UInt64>()
        let keys = (0..<200).map { UInt64($0) << 52 }
        for key in keys { table.modify(key, default: { key ^ 1 }) { _ in } }
        XCTAssertEqual(table.count, keys.count)
        for key in keys { XCTAssertEqual(table[key], key ^ 1) }
    }
}
