// bench/json/json_parse.swift: the driver scripts/json-bench.sh measures under valgrind. It parses a poll's status
// body (the emulator's openai `Video` object, 274 bytes) or redacts the API key from the texts a status answer puts
// in a snapshot, ITERATIONS times, inside one function each, so that callgrind's --toggle-collect counts
// those calls and nothing else (one warm-up call before them, not counted, pays the first use's metadata
// instantiation).
//
// Usage: json_parse parse|redact ITERATIONS
import FoundationEssentials
import Glibc
@testable import VideoGen

/// What the emulator answers to `GET /v1/videos/{id}` while the task runs (`json.dumps` with compact separators).
let statusBody = Data(#"{"id":"video_68d7512d07848190b3e45da0","object":"video","created_at":1758941485,"completed_at":null,"expires_at":null,"model":"sora-2","progress":37,"prompt":"a benchmark task","remixed_from_video_id":null,"seconds":"4","size":"720x1280","status":"in_progress","error":null}"#.utf8)

/// The texts `TaskSnapshot.redacting` and `checkAnsweredID` search per poll of a failed task: id, status word,
/// model, video URL, failure message and provider code; none holds the key (the usual case).
let snapshotTexts = [
    "video_68d7512d07848190b3e45da0", "in_progress", "sora-2",
    "https://cdn.example.com/videos/video_68d7512d07848190b3e45da0.mp4?sig=4f2a9c",
    "The request was rejected by the moderation system; please change the prompt and try again.",
    "moderation_blocked",
]
let key = APIKey("sk-bench-7f3e2a1c9b8d4e6f0a1b2c3d4e5f6a7b")

/// The measured calls: callgrind counts what runs inside these two functions (their mangled names hold
/// `10benchParse` and `11benchRedact`).
@inline(never)
func benchParse(_ iterations: Int) -> Int {
    var members = 0
    for _ in 0..<iterations {
        members += (try? JSONValue.parse(statusBody))?.objectValue?.count ?? 0
    }
    return members
}

@inline(never)
func benchRedact(_ iterations: Int) -> Int {
    var bytes = 0
    for _ in 0..<iterations {
        for text in snapshotTexts { bytes += key.redact(text).utf8.count }
    }
    return bytes
}

let arguments = CommandLine.arguments
guard arguments.count == 3, let iterations = Int(arguments[2]), iterations >= 0,
      ["parse", "redact"].contains(arguments[1]) else {
    print("usage: json_parse parse|redact ITERATIONS")
    exit(2)
}
let parse = arguments[1] == "parse"
// Not measured: the first use instantiates metadata.
let warm = parse ? (try? JSONValue.parse(statusBody))?.objectValue?.count ?? 0
    : snapshotTexts.reduce(0) { $0 + key.redact($1).utf8.count }
let total = parse ? benchParse(iterations) : benchRedact(iterations)
print("\(arguments[1]) x\(iterations): \(warm) per call, \(total) in all")
