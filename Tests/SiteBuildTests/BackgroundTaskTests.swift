import Foundation
@testable import SiteBuild
import Testing

@Suite("Build: work started in the background")
struct BackgroundTaskTests {
    struct Refused: Error, Equatable {}

    @Test func givesTheValueOnceFinishedAndAgainWhenAskedAgain() throws {
        let work = BackgroundTask { () -> [Int] in
            Thread.sleep(forTimeInterval: 0.05)
            return (1...3).map { $0 * 2 }
        }
        #expect(try work.wait() == [2, 4, 6])
        #expect(try work.wait() == [2, 4, 6])
    }

    @Test func passesOnTheErrorItThrew() {
        let work = BackgroundTask { () throws -> Int in throw Refused() }
        #expect(throws: Refused.self) { try work.wait() }
    }
}
