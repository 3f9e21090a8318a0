/// What the client checks before it keeps a task id or a service's words about a task.
extension VideoGenClient {
    /// Refuses a task id the service answered that the client could not use safely: one that is not exactly one
    /// URL path segment (`PathSegment.problem`: empty, `.`, `..`, control characters, over 1,024 bytes), and one
    /// that contains the API key (it would be kept in the record; rewriting it would name another task). An absent
    /// or empty id says nothing (a submit answer without one is refused by its adapter; a status answer's is ignored).
    /// - Throws: `.protocolError`, before any request is made with the id.
    func checkAnsweredID(_ id: String?) throws {
        guard let id, !id.isEmpty else { return }
        if let problem = PathSegment.problem(id) {
            throw VideoGenError(.protocolError, "the service answered a task id that \(problem); it cannot be used as one path segment")
        }
        if configuration.apiKey.occurs(in: id) {
            throw VideoGenError(.protocolError, "the service answered a task id that contains the API key; it cannot be kept in the task's record")
        }
    }

    /// Refuses a record's task id that the client could not use safely (see `checkAnsweredID`).
    /// - Throws: `.invalidArgument`.
    func checkRecordedID(_ id: String) throws {
        if let problem = PathSegment.problem(id) {
            throw VideoGenError(.invalidArgument, "the task id \(problem); it cannot be used as one path segment")
        }
        if configuration.apiKey.occurs(in: id) {
            throw VideoGenError(.invalidArgument, "the task id contains the API key; it cannot be kept in the task's record")
        }
    }

    /// `snapshot` as it may be kept: the API key removed from the service's words (`TaskSnapshot.redacting`).
    func kept(_ snapshot: TaskSnapshot) -> TaskSnapshot {
        snapshot.redacting(configuration.apiKey)
    }
}
