import Foundation
import Testing
@testable import VideoGen

@Suite("status vocabulary per dialect")
struct StatusVocabularyTests {
    /// The words the issue lists, which every dialect must read, with their meaning.
    static let required: [(String, TaskState)] = [
        ("queued", .queued), ("pending", .queued), ("submitted", .queued), ("not_start", .queued), ("unknown", .queued),
        ("in_progress", .running), ("processing", .running), ("running", .running),
        ("succeed", .succeeded), ("succeeded", .succeeded), ("success", .succeeded), ("completed", .succeeded),
        ("failed", .failed), ("failure", .failed), ("cancelled", .cancelled), ("canceled", .cancelled),
        ("expired", .expired),
    ]

    @Test("every dialect reads the common words, case-insensitively", arguments: Dialect.allCases)
    func common(_ dialect: Dialect) {
        let vocabulary = dialect.adapter.statusVocabulary
        for (word, state) in Self.required {
            // DashScope's UNKNOWN names a task it does not know (or one past its 24 hours): expired there.
            let state = dialect == .dashscope && word == "unknown" ? .expired : state
            #expect(vocabulary.state(for: word) == state, "\(dialect) \(word)")
            #expect(vocabulary.state(for: word.uppercased()) == state, "\(dialect) \(word.uppercased())")
        }
        #expect(vocabulary.state(for: " In Progress ") == .running)
        #expect(vocabulary.state(for: "in-progress") == .running)
    }

    @Test("dialect-specific words", arguments: [
        (Dialect.openai, "generating", TaskState.running), (.openai, "preparing", .queued), (.openai, "complete", .succeeded),
        (.openai, "error", .failed), (.unified, "Queueing", .queued), (.unified, "IN_QUEUE", .queued),
        (.unified, "done", .succeeded), (.unified, "aborted", .cancelled), (.unified, "timed_out", .expired),
        (.unified, "generating", .running),
    ])
    func specific(_ dialect: Dialect, _ word: String, _ state: TaskState) {
        #expect(dialect.adapter.statusVocabulary.state(for: word) == state)
    }

    @Test("a word outside a dialect's table is a protocol error naming it", arguments: [
        (Dialect.kling, "generating"), (.routerone, "done"), (.kling, "Queueing"), (.openai, "aborted"),
        (.unified, "pondering"), (.chat, "error"),
    ])
    func unknown(_ dialect: Dialect, _ word: String) {
        let error = expectError(.protocolError) { _ = try dialect.adapter.statusVocabulary.require(word) }
        #expect(error?.message.contains("'\(word)'") == true)
    }

    @Test("extending a vocabulary adds words and may redefine them")
    func extending() {
        let custom = StatusVocabulary.common.extending([.failed: ["unknown"], .running: ["rendering"]])
        #expect(custom.state(for: "rendering") == .running)
        #expect(custom.state(for: "unknown") == .failed)
        #expect(StatusVocabulary.common.state(for: "unknown") == .queued)
    }
}
