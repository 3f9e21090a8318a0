import Foundation
import Testing
@testable import VideoGen

@Suite("idempotency keys derived from job ids")
struct JobIdempotencyKeyTests {
    // Known answers computed apart from the library (Python's hashlib and uuid, RFC 9562's SHA-256 name-based
    // version-8 UUID over the namespace's 16 bytes, the scope, a zero byte and the job id).
    @Test("known answers", arguments: [
        ("order-42", "", "e2489364-9895-8ee0-8db3-7ffd4e039868"),
        ("order-42", "batch-2026-12", "be18f1c0-9ac7-8dea-a32a-3fae0141c839"),
        ("é/ü 漢", "", "b1f3028a-46f2-886f-a2d8-9d3c26f0223a"),
    ])
    func knownAnswers(job: String, scope: String, key: String) throws {
        #expect(try IdempotencyKey.derive(jobID: job, scope: scope) == key)
    }

    @Test("the same job gives the same key; another job or scope another; the form is a version-8 UUID")
    func deterministic() throws {
        let first = try IdempotencyKey.derive(jobID: "job-1", scope: "s")
        #expect(try IdempotencyKey.derive(jobID: "job-1", scope: "s") == first)
        #expect(try IdempotencyKey.derive(jobID: "job-2", scope: "s") != first)
        #expect(try IdempotencyKey.derive(jobID: "job-1", scope: "t") != first)
        // The scope and the job id are kept apart: moving a character across the boundary changes the key.
        #expect(try IdempotencyKey.derive(jobID: "b", scope: "a") != IdempotencyKey.derive(jobID: "ab", scope: ""))
        let uuid = try #require(UUID(uuidString: first))
        #expect(uuid.uuidString.lowercased() == first)
        let parts = first.split(separator: "-")
        #expect(parts.map(\.count) == [8, 4, 4, 4, 12])
        #expect(parts[2].first == "8" && "89ab".contains(parts[3].first!))
        // A request takes it as its idempotency_key.
        let request = try VideoRequest(json: JSONValue.parse(#"{"model": "m", "prompt": "p", "idempotency_key": "\#(first)"}"#))
        #expect(request.idempotencyKey == first)
    }

    @Test("bad job ids and scopes are refused by name")
    func refusals() throws {
        let long = String(repeating: "j", count: IdempotencyKey.maxBytes)
        _ = try IdempotencyKey.derive(jobID: long, scope: long)
        for (job, scope, field) in [("", "", "job_id"), (long + "j", "", "job_id"), ("j", long + "s", "scope"),
                                    ("a\u{0}b", "", "job_id"), ("j", "s\u{0}", "scope")] {
            let error = #expect(throws: VideoGenError.self) { try IdempotencyKey.derive(jobID: job, scope: scope) }
            #expect(error?.code == .invalidArgument)
            #expect(error?.message.contains(field) == true)
        }
    }
}
