import Foundation
import Testing
@testable import VideoGen

/// One recorded status answer of a provider and what it must parse to: the table row of every adapter's
/// "every status shape" test.
struct StatusFixture: Sendable, CustomTestStringConvertible {
    let name: String
    let body: String
    let state: TaskState
    let progress: Int?
    let url: String?
    /// The expected error code; when nil and `errorMessage` is set, the code is not checked.
    let errorCode: VideoGenError.Code?
    let errorMessage: String?
    var testDescription: String { name }

    init(name: String, body: String, state: TaskState, progress: Int?, url: String?,
         errorCode: VideoGenError.Code? = nil, errorMessage: String?) {
        self.name = name
        self.body = body
        self.state = state
        self.progress = progress
        self.url = url
        self.errorCode = errorCode
        self.errorMessage = errorMessage
    }

    /// Parses the body with `adapter` as the status of task `taskID` and checks every expectation (and the
    /// snapshot's id, when `expectedID` is given).
    func check(_ adapter: any ProviderAdapter, taskID: String, baseURL: URL, expectedID: String? = nil,
               sourceLocation: SourceLocation = #_sourceLocation) throws {
        let report = try adapter.parseStatus(.json(200, body), taskID: taskID, baseURL: baseURL)
        let snapshot = TaskSnapshot(id: taskID, dialect: adapter.dialect.rawValue, baseURL: baseURL.absoluteString)
            .applying(report, at: 1)
        if let expectedID { #expect(snapshot.id == expectedID, sourceLocation: sourceLocation) }
        #expect(snapshot.state == state, sourceLocation: sourceLocation)
        #expect(snapshot.progress == progress, sourceLocation: sourceLocation)
        #expect(snapshot.videoURL == url, sourceLocation: sourceLocation)
        if errorCode != nil || errorMessage == nil {
            #expect(snapshot.error?.code == errorCode, sourceLocation: sourceLocation)
        }
        #expect(snapshot.error?.message == errorMessage, sourceLocation: sourceLocation)
    }
}
