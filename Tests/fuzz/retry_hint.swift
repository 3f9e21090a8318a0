// Fuzz target retry_hint: arbitrary header values for RetryHint.retryAfter and RetryHint.pollAfter. The input is
// split at NUL bytes into up to three values: retry-after, retry-after-ms, openai-poll-after-ms (each also tried
// alone). Every delay returned must be finite and within [0, RetryHint.ceiling] (reliability goal, row 5).
import Foundation
@testable import VideoGen

private let now = Date(timeIntervalSince1970: 1_700_000_000)

private func check(_ delay: Double?, _ what: String) {
    guard let delay else { return }
    if !delay.isFinite || delay < 0 || delay > RetryHint.ceiling {
        fatalError("\(what): delay \(delay) outside [0, \(RetryHint.ceiling)]")
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzRetryHint(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let parts = UnsafeBufferPointer(start: data, count: size).split(separator: 0, maxSplits: 2, omittingEmptySubsequences: false)
    let values = parts.map { String(decoding: $0, as: UTF8.self) }
    let names = ["retry-after", "retry-after-ms", "openai-poll-after-ms"]
    var headers: [String: String] = [:]
    for (name, value) in zip(names, values) {
        headers[name] = value
        check(RetryHint.retryAfter([name: value], now: now), "retryAfter(\(name))")
        check(RetryHint.pollAfter([name: value]), "pollAfter(\(name))")
    }
    check(RetryHint.retryAfter(headers, now: now), "retryAfter(all)")
    check(RetryHint.pollAfter(headers), "pollAfter(all)")
    return 0
}
