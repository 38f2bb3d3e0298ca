import Foundation
@testable import NewsdropCore
import XCTest

/// The counter of story terms against a `Dictionary` as the model: the same weights through
/// growth past its capacity, colliding terms, the hash 0, and entities marked by any occurrence.
final class StoryTermCounterTests: XCTestCase {
    func testAgreesWithADictionaryThroughGrowth() {
        var counter = StoryTermCounter(capacity: 1)
        var model: [UInt64: (count: Double, isEntity: Bool)] = [:]
        var random = SystemRandomNumberGenerator()
        // Terms from a small range repeat and collide; large ones exercise the mixing.
        let terms: [UInt64] = (0..<4_000).map { $0 % 2 == 0 ? UInt64($0 % 900) : random.next() } + [0, .max, 0]
        for (step, term) in terms.enumerated() {
            let amount = step % 5 == 0 ? 2.0 : 1.0, isEntity = step % 7 == 0
            counter.add(term, amount: amount, isEntity: isEntity)
            let counted = model[term] ?? (0, false)
            model[term] = (counted.count + amount, counted.isEntity || isEntity)
        }
        let weights = counter.weights(entityBoost: 1.5)
        XCTAssertEqual(weights.terms, model.keys.sorted())
        for (term, counted) in model {
            let expected = (1 + log(counted.count)) * (counted.isEntity ? 1.5 : 1)
            XCTAssertEqual(weights[term], expected, "term \(term)")
        }
    }

    func testACountBelowOneIsKeptAsItIs() {
        var counter = StoryTermCounter(capacity: 4)
        counter.add(7, amount: 0.5, isEntity: false)
        counter.add(3, amount: 0.5, isEntity: true)
        XCTAssertEqual(counter.weights(entityBoost: 2), [3: 1.0, 7: 0.5])
    }
}
