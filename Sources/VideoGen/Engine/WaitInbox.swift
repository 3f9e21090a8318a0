/// The part of a wait that webhook callbacks touch from other threads, behind the wait's lock: the events not yet
/// applied and the sleep they may interrupt. Each sleep gets a ticket; whoever claims it first (the timer firing,
/// or an event arriving) runs the wait's next step, the other does nothing.
struct WaitInbox {
    /// Reports received and not yet applied (hints are counted in `hint`).
    private var reports: [StatusReport] = []
    private var hint = false
    /// The sleep in progress: its ticket, its timer once attached, and when it was due (the wait's elapsed time).
    private var sleeping: UInt64?
    private var timer: (any Cancellable)?
    private var wakeAt = 0.0
    private var tickets: UInt64 = 0
    private var closed = false
    /// The task id the wait is registered under in the client's webhook registry, nil when it is not.
    private(set) var registered: String?

    /// Records the wait's registration under `id`; false when the wait already ended (then it must not register).
    mutating func register(_ id: String) -> Bool {
        guard !closed else { return false }
        registered = id
        return true
    }

    /// The wait is about to sleep until `wakeAt`: its ticket, or nil when events are waiting (apply them instead).
    mutating func sleep(until wakeAt: Double) -> UInt64? {
        if closed || !reports.isEmpty || hint {
            self.wakeAt = wakeAt
            return closed ? 0 : nil
        }
        tickets += 1
        sleeping = tickets
        timer = nil
        self.wakeAt = wakeAt
        return tickets
    }

    /// Keeps the sleep's timer so that an event can cancel it; false when an event claimed the sleep already.
    mutating func attach(_ timer: any Cancellable, to ticket: UInt64) -> Bool {
        guard sleeping == ticket else { return false }
        self.timer = timer
        return true
    }

    /// The timer of sleep `ticket` fired: true when it still owns the wait's next step.
    mutating func wake(_ ticket: UInt64) -> Bool {
        guard sleeping == ticket else { return false }
        sleeping = nil
        timer = nil
        return true
    }

    /// An event arrived. Returns nil when the wait is busy (a poll in flight: the event waits for it) or ended;
    /// otherwise the wait slept and the event claimed the sleep: the inner value is the timer to cancel.
    mutating func post(_ report: StatusReport?) -> (any Cancellable)?? {
        guard !closed else { return nil }
        if let report { reports.append(report) } else { hint = true }
        guard sleeping != nil else { return nil }
        sleeping = nil
        defer { timer = nil }
        return .some(timer)
    }

    /// Takes the events: the reports, whether a hint came, and when the interrupted sleep was due.
    mutating func drain() -> ([StatusReport], Bool, Double) {
        defer { reports = []; hint = false }
        return (reports, hint, wakeAt)
    }

    /// The wait ended: nothing more is accepted; returns the timer of a sleep in progress, to cancel.
    mutating func close() -> (any Cancellable)? {
        closed = true
        sleeping = nil
        defer { timer = nil; reports = [] }
        return timer
    }
}

/// Which of two views of a task is further along, so that an event never moves a task backwards.
enum WebhookOrdering {
    /// Queued < running (by progress) < terminal.
    static func rank(_ report: StatusReport) -> Int {
        switch report.state {
        case .queued: return 0
        case .running: return 1 + min(max(report.progress ?? 0, 0), 100)
        default: return 1000
        }
    }

    /// True when `report` tells more than `snapshot` knows: a terminal state for a running task, a later state, or
    /// more progress. A terminal task takes nothing; the same state and progress again is a duplicate.
    static func isAhead(_ report: StatusReport, of snapshot: TaskSnapshot) -> Bool {
        guard !snapshot.state.isTerminal else { return false }
        var known = StatusReport(state: snapshot.state)
        known.progress = snapshot.progress
        return rank(report) > rank(known)
    }
}
