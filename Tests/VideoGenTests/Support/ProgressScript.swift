@testable import VideoGen

/// A scripted service for the polling state machine: what a task reports at each instant (seconds since its
/// submit), as knots of a piecewise-linear progress curve, with the integer progress services send.
struct ProgressScript: Sendable, CustomStringConvertible {
    let name: String
    /// The task answers `queued` before this instant.
    var queuedUntil: Double
    /// The task has succeeded from this instant on.
    var doneAt: Double
    /// (time, progress) knots between `queuedUntil` and `doneAt`; empty: the service reports no progress.
    var knots: [(Double, Double)]
    /// Answers with progress 0 while queued (as a running task) instead of `queued`.
    var zeroWhileQueued = false
    /// Progress noise: each answer adds an offset drawn uniformly in -noise...noise (seeded, so the same each run).
    var noise = 0.0
    var seed: UInt64 = 1

    var description: String { name }

    /// The progress the curve gives at `t` (before rounding), nil without knots.
    func curve(_ t: Double) -> Double? {
        guard let first = knots.first else { return nil }
        if t <= first.0 { return first.1 }
        for (a, b) in zip(knots, knots.dropFirst()) where t <= b.0 {
            return a.1 + (b.1 - a.1) * (t - a.0) / (b.0 - a.0)
        }
        return knots.last!.1
    }
}

/// One wait of the machine against a script, with a manual clock: every poll is answered `latency` seconds after
/// it is sent, with the task's state at the instant it was sent.
struct ScriptedWait {
    /// Instants at which polls were sent.
    var polls: [Double] = []
    /// Every sleep the machine asked for, with the instant it was asked.
    var sleeps: [(at: Double, seconds: Double)] = []
    /// The machine's estimate after each poll's answer (nil where it had none), in poll order.
    var estimates: [ProgressHistory.Estimate?] = []
    /// The instant the wait saw the task succeed, nil if it did not.
    var detectedAt: Double?
    /// The action that ended the wait.
    var end: PollingStateMachine.Action?
    /// The machine as it was at the end.
    var machine: PollingStateMachine

    /// Seconds between one poll and the next.
    var gaps: [Double] { zip(polls, polls.dropFirst()).map { $1 - $0 } }

    /// Seconds from the task's end to the wait seeing it.
    func detectionLatency(_ script: ProgressScript) -> Double? { detectedAt.map { $0 - script.doneAt } }

    init(_ script: ProgressScript, policy: PollPolicy, deadline: Double = 3600, latency: Double = 0.01,
         hint: Double? = nil, random: @escaping @Sendable () -> Double = { 0.5 }) {
        machine = PollingStateMachine(policy: policy, retry: RetryPolicy(), deadline: deadline, random: random)
        var generator = SplitMix64(seed: script.seed)
        let base = TaskSnapshot(id: "t", dialect: "openai", baseURL: "https://x")
        func answer(at t: Double) -> TaskSnapshot {
            var snapshot = base
            if t >= script.doneAt {
                snapshot.state = .succeeded
                snapshot.progress = 100
                snapshot.videoURL = "https://x/v"
            } else if t < script.queuedUntil {
                snapshot.state = script.zeroWhileQueued ? .running : .queued
                snapshot.progress = script.knots.isEmpty ? nil : 0
            } else if let value = script.curve(t) {
                let offset = script.noise > 0 ? Double.random(in: -script.noise...script.noise, using: &generator) : 0
                snapshot.state = .running
                snapshot.progress = min(99, max(1, Int((value + offset).rounded(.down))))
            } else {
                snapshot.state = .running
            }
            return snapshot
        }
        var now = 0.0
        var action = machine.start(answer(at: now), now: now, immediately: false)
        for _ in 0..<10_000 {
            switch action {
            case .sleep(let seconds):
                sleeps.append((now, seconds))
                now += seconds
                action = machine.wake(now: now)
            case .poll:
                polls.append(now)
                let snapshot = answer(at: now)
                now += latency
                if snapshot.state == .succeeded { detectedAt = now }
                action = machine.pollSucceeded(snapshot, hint: hint, now: now)
                estimates.append(machine.history.estimate)
            case .finished, .failed:
                end = action
                return
            }
        }
    }
}
