@testable import NewsdropStore
import XCTest

/// The writer's term hash table against `Dictionary` as the model: the same answers through
/// growth, colliding slots, the key 0 and emptying.
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

        table.removeAll()
        XCTAssertEqual(table.count, 0)
        XCTAssertNil(table[0])
        XCTAssertNil(table[keys[5]])
        XCTAssertEqual(table.modify(7, default: { 41 }) { value -> Int in value += 1; return value }, 42)
        XCTAssertEqual(table[7], 42)
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
