import Testing
@testable import VideoGen

/// Expects `body` to throw a `VideoGenError` with `code`; returns it for further checks.
@discardableResult
func expectError(_ code: VideoGenError.Code, sourceLocation: SourceLocation = #_sourceLocation,
                 _ body: () throws -> Void) -> VideoGenError? {
    do {
        try body()
        Issue.record("expected \(code) but nothing was thrown", sourceLocation: sourceLocation)
    } catch let error as VideoGenError {
        #expect(error.code == code, "\(error)", sourceLocation: sourceLocation)
        return error
    } catch {
        Issue.record("expected VideoGenError \(code), got \(error)", sourceLocation: sourceLocation)
    }
    return nil
}

/// Async form of `expectError`.
@discardableResult
func expectError(_ code: VideoGenError.Code, sourceLocation: SourceLocation = #_sourceLocation,
                 _ body: () async throws -> Void) async -> VideoGenError? {
    do {
        try await body()
        Issue.record("expected \(code) but nothing was thrown", sourceLocation: sourceLocation)
    } catch let error as VideoGenError {
        #expect(error.code == code, "\(error)", sourceLocation: sourceLocation)
        return error
    } catch {
        Issue.record("expected VideoGenError \(code), got \(error)", sourceLocation: sourceLocation)
    }
    return nil
}
