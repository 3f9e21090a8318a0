import Testing
@testable import VideoGen

/// The progress estimator alone: scripted answers in, the estimate out, exactly.
@Suite("progress history")
struct ProgressHistoryTests {
    struct Case: CustomStringConvertible, Sendable {
        let description: String
        /// (state, progress, time) answers, in order.
        let answers: [(TaskState, Int?, Double)]
        let expected: ProgressHistory.Estimate?
    }

    static let cases: [Case] = [
        Case(description: "nothing seen: no estimate", answers: [], expected: nil),
        Case(description: "queued answers are no sample",
             answers: [(.queued, 0, 1), (.queued, nil, 2)], expected: nil),
        Case(description: "a long queue reported as 0 % running is no sample",
             answers: [(.running, 0, 1), (.running, 0, 30)], expected: nil),
        Case(description: "one sample after a queued answer gives only a latest end (the rate is at least 20 % in 2 s)",
             answers: [(.queued, 0, 2), (.running, 20, 4)], expected: .latest(12)),
        Case(description: "one sample with nothing seen before it gives no estimate",
             answers: [(.running, 20, 4)], expected: nil),
        Case(description: "a steady rate: the end its line reaches at 100 %",
             answers: [(.queued, 0, 2), (.running, 10, 4), (.running, 30, 8)], expected: .end(22)),
        Case(description: "the earliest end over the run's baselines (a rate that sped up)",
             answers: [(.running, 10, 0), (.running, 20, 10), (.running, 40, 12)], expected: .end(18)),
        Case(description: "a stall after progress: the baselines before the stall still give an end",
             answers: [(.running, 10, 0), (.running, 50, 4), (.running, 50, 8)], expected: .end(18)),
        Case(description: "progress that never moved gives no estimate",
             answers: [(.running, 30, 4), (.running, 30, 6), (.running, 30, 9)], expected: nil),
        Case(description: "progress going backwards starts a new run that began after the previous answer",
             answers: [(.running, 50, 4), (.running, 60, 6), (.running, 20, 8)], expected: .latest(16)),
        Case(description: "a step back of under 10 points is noise: that answer is no sample",
             answers: [(.running, 10, 0), (.running, 30, 4), (.running, 25, 6)], expected: .end(18)),
        Case(description: "running at 100 % means finishing now",
             answers: [(.running, 40, 1), (.running, 100, 3)], expected: .end(3)),
        Case(description: "a running answer without progress drops the samples",
             answers: [(.running, 10, 1), (.running, 20, 2), (.running, nil, 3)], expected: nil),
        Case(description: "a queued answer after running restarts the history",
             answers: [(.running, 10, 1), (.running, 20, 2), (.queued, 0, 3), (.running, 10, 5)], expected: .latest(23)),
        Case(description: "an answer no later than the last sample is ignored",
             answers: [(.running, 10, 4), (.running, 30, 8), (.running, 90, 8)], expected: .end(22)),
        Case(description: "only the last 8 samples count: an early fast start no longer pulls the end in",
             answers: [(.running, 10, 1)] + (0..<8).map { (.running, 41 + $0, 2 + Double($0)) },
             expected: .end(9 + 52)),
    ]

    @Test("estimates from scripted answers", arguments: cases)
    func estimate(_ c: Case) {
        var history = ProgressHistory()
        for (state, progress, time) in c.answers { history.record(state: state, progress: progress, at: time) }
        #expect(history.estimate == c.expected)
        #expect(history.samples.count <= ProgressHistory.capacity)
    }
}
