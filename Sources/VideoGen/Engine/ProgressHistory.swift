/// What one wait has seen of a task's reported progress, and when the task should finish at the rate it shows.
/// Pure data: the polling state machine feeds it every status answer with the time it arrived.
///
/// Rules:
/// - A sample is an answer that found the task running with a progress of 1 to 99 (100 while still running means
///   "finishing now"). Queued answers and running ones at 0 % (a service that reports a long queue as 0 % running)
///   are no sample: they only move `notStartedAt`, the last instant the task was seen not yet progressing.
/// - Progress that goes back by `restartDrop` points or more starts a new run (a service that restarted the job or
///   moved to another stage): the earlier samples are dropped, and the run began after the previous answer. A
///   smaller step back is noise: that answer is no sample.
/// - A running answer without progress drops the samples: there is no rate to trust.
/// - Only the last `capacity` samples are kept: the rate follows the recent past, and the memory a wait holds is
///   bounded.
/// - The expected end is, over every earlier sample of the run with a lower progress, the end that the straight
///   line from that sample to the latest one reaches at 100 %, and the earliest of them. Long baselines smooth the
///   integer steps and noise of reported progress; short ones follow a rate that speeds up; taking the earliest
///   means an estimate that is wrong errs towards one poll too early (which costs a request and refines the
///   estimate) rather than too late (which costs waiting).
/// - With a single sample, the rate is at least progress / (time since `notStartedAt`), because the task started
///   after it was last seen not progressing; that gives a latest end (`Estimate.latest`), never an expected one.
/// - Progress that has not moved since the run began gives no estimate.
public struct ProgressHistory: Sendable, Equatable {
    /// One status answer that reported progress.
    public struct Sample: Sendable, Equatable {
        /// When the answer arrived, on the wait's clock.
        public var time: Double
        /// The progress it reported, 1 to 100.
        public var progress: Double
    }

    /// When the task should finish, on the wait's clock.
    public enum Estimate: Sendable, Equatable {
        /// The end the rate of the samples leads to.
        case end(Double)
        /// Only a bound: from one sample, the task finishes no later than this if its rate is steady.
        case latest(Double)
    }

    /// Samples kept (the most recent ones).
    public static let capacity = 8
    /// A step back of at least this many points starts a new run; a smaller one is noise.
    public static let restartDrop = 10.0

    /// The current run's samples, oldest first.
    public private(set) var samples: [Sample] = []
    /// The last time the task was seen queued or at 0 %, if it was.
    public private(set) var notStartedAt: Double?

    /// An empty history.
    public init() {}

    /// Takes in one status answer.
    /// - Parameters:
    ///   - state: the task's state in the answer.
    ///   - progress: the progress it reported (0-100), nil when it reported none.
    ///   - time: when the answer arrived.
    public mutating func record(state: TaskState, progress: Int?, at time: Double) {
        guard state == .running else {
            if state == .queued {
                samples.removeAll()
                notStartedAt = time
            }
            return
        }
        guard let progress else {
            samples.removeAll()
            return
        }
        if progress <= 0 {
            samples.removeAll()
            notStartedAt = time
            return
        }
        let value = Double(min(progress, 100))
        if let last = samples.last {
            guard time > last.time else { return }
            if value <= last.progress - Self.restartDrop {
                notStartedAt = last.time
                samples.removeAll()
            } else if value < last.progress {
                return
            }
        }
        samples.append(Sample(time: time, progress: value))
        if samples.count > Self.capacity { samples.removeFirst(samples.count - Self.capacity) }
    }

    /// When the task should finish, from the samples; nil when they say nothing about it.
    public var estimate: Estimate? {
        guard let last = samples.last else { return nil }
        if last.progress >= 100 { return .end(last.time) }
        if samples.count == 1 {
            guard let start = notStartedAt, start < last.time else { return nil }
            return .latest(start + 100 * (last.time - start) / last.progress)
        }
        var earliest: Double?
        for first in samples.dropLast() where first.progress < last.progress {
            let rate = (last.progress - first.progress) / (last.time - first.time)
            let end = last.time + (100 - last.progress) / rate
            earliest = min(earliest ?? end, end)
        }
        return earliest.map { .end($0) }
    }
}
