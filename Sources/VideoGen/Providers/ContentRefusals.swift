import FoundationEssentials

/// The vocabularies in which video services refuse content, as they reach us directly or relayed by a gateway: one
/// table, consulted wherever a provider code or a failure reason is read (`ErrorMapping.error(from:)` for error
/// answers, `ErrorMapping.taskFailure` for failed tasks), so that a refusal is `.contentPolicy` whichever service
/// made it and however a gateway wrapped it. Users treat a refusal differently from a failure: they change the
/// prompt or the image instead of retrying.
///
/// Sources, each the service's own documentation or error table:
/// - Kling: business code 1301 "Trigger content security policy" (Kling's "General Info" error table).
/// - Doubao / Seedance on Volcengine Ark and BytePlus ModelArk: the `…SensitiveContentDetected` family
///   (`SensitiveContentDetected[.SevereViolation|.Violence]`, `Input|Output` + `Text|Image|Video|Audio` +
///   `SensitiveContentDetected[.PrivacyInformation]`, "The request failed because the output video may contain
///   sensitive information") and the ContentSecurityDetection family (`InputTextRiskDetection`, ...,
///   "… includes sensitive content that violates ContentSecurityDetection"); volcengine.com docs 82379/1299023.
/// - Alibaba Wan on DashScope / Model Studio: `DataInspectionFailed` ("Input or output data may contain inappropriate
///   content"), `data_inspection_failed` in the OpenAI-compatible mode (Model Studio status codes).
/// - MiniMax (Hailuo): status codes 1026 "video description contains sensitive content" and 1027 (the generated
///   video contains sensitive content) (platform.minimax.io API reference, error examples).
/// - Vidu: `AuditSubmitIllegal` (input failed the safety review), `CreationPolicyViolation` (the generated content
///   triggered a policy violation), `TaskPromptPolicyViolation` (platform.vidu.com / platform.vidu.cn error codes).
/// - Veo (Gemini API, Vertex AI): RAI-filtered results carry `raiMediaFilteredReasons` texts that end in
///   "Support codes: NNNNNNNN" and say the input "violates Vertex AI's usage guidelines" (Vertex AI "Responsible AI
///   and usage guidelines for Veo").
/// - OpenAI: `moderation_blocked` ("Your request was blocked by our moderation system"), `content_policy_violation`
///   ("… rejected as a result of our safety system"); fal uses `content_policy_violation` too; Azure OpenAI
///   `ResponsibleAIPolicyViolation`.
/// - Runway: failure codes `SAFETY.INPUT.*` and `SAFETY.OUTPUT.*` (docs.dev.runwayml.com, task failures).
enum ContentRefusals {
    /// Refusal codes, folded (see `fold`).
    static let codes: Set<String> = [
        // Kling; MiniMax.
        "1301", "1026", "1027",
        // Vidu.
        "auditsubmitillegal", "creationpolicyviolation", "taskpromptpolicyviolation",
        // OpenAI, fal, Azure OpenAI, and the generic words gateways use.
        "moderationblocked", "contentpolicyviolation", "responsibleaipolicyviolation", "contentfilter",
        "safetyviolation",
    ]

    /// Refusal code families, folded: codes starting with one of these.
    static let codePrefixes = [
        "datainspection",   // DashScope: DataInspectionFailed, data_inspection_failed
        "safety.",          // Runway: SAFETY.INPUT.TEXT, SAFETY.OUTPUT.VIDEO, ...
    ]

    /// Refusal code families, folded: codes containing one of these.
    static let codeInfixes = [
        "sensitivecontentdetected",  // Ark: OutputVideoSensitiveContentDetected, SensitiveContentDetected.Violence, ...
    ]

    /// Refusal code families, folded: codes ending in one of these.
    static let codeSuffixes = [
        "riskdetection",    // Ark ContentSecurityDetection: InputTextRiskDetection, OutputImageRiskDetection, ...
    ]

    /// Phrases (lower-case) that only a refusal's message contains, for answers that relay the upstream text
    /// without its code (new-api's task record keeps only the reason).
    static let phrases = [
        "may contain sensitive information",        // Ark
        "sensitive content that violates",          // Ark ContentSecurityDetection
        "contains sensitive content",               // MiniMax 1026 / 1027
        "may contain inappropriate content",        // DashScope DataInspectionFailed
        "content security policy",                  // Kling 1301
        "usage guidelines",                         // Veo: "violates Vertex AI's usage guidelines"
        "responsible ai",                           // Google: "Responsible AI practices"
        "support codes:",                           // Veo raiMediaFilteredReasons
        "moderation system",                        // OpenAI moderation_blocked
        "safety system",                            // OpenAI content_policy_violation
    ]

    /// A code folded for comparison: lower-case, without `_`, `-` and white space (dots, which separate Ark's and
    /// Runway's sub-codes, are kept).
    static func fold(_ code: String) -> String {
        String(code.lowercased().unicodeScalars.filter { $0 != "_" && $0 != "-" && !$0.properties.isWhitespace })
    }

    /// True when `code` names a refusal in any of the vocabularies.
    static func isRefusal(code: String) -> Bool {
        let folded = fold(code)
        guard !folded.isEmpty else { return false }
        return codes.contains(folded) || codePrefixes.contains { folded.hasPrefix($0) && folded.count > $0.count }
            || codeInfixes.contains { folded.contains($0) } || codeSuffixes.contains { folded.hasSuffix($0) }
    }

    /// A refusal found in a message.
    struct TextMatch: Sendable, Hashable {
        /// The refusal code the text names, as written, when it names one.
        var code: String?
    }

    /// The refusal a message names: the first non-numeric word of the text that is a refusal code (gateways write
    /// reasons such as "task failed, code: DataInspectionFailed , message: …", or only the code), or, when no word
    /// is, a refusal phrase; nil when the text says nothing of a refusal. Numbers are not read as codes from free
    /// text: "1301" in a sentence may be anything.
    static func refusal(inText text: String) -> TextMatch? {
        if let word = codeWord(in: text) { return TextMatch(code: word) }
        let lower = text.lowercased()
        return phrases.contains { lower.contains($0) } ? TextMatch(code: nil) : nil
    }

    /// The first word of `text` that is a non-numeric refusal code, as written.
    private static func codeWord(in text: String) -> String? {
        var word = ""
        func check() -> String? {
            defer { word = "" }
            let separator: (Character) -> Bool = { ".-_".contains($0) }
            let trimmed = String(word.drop(while: separator).reversed().drop(while: separator).reversed())
            guard trimmed.count >= 4, trimmed.count <= 100, !trimmed.allSatisfy(\.isNumber) else { return nil }
            return isRefusal(code: trimmed) ? trimmed : nil
        }
        for character in text {
            if character.isASCII && (character.isLetter || character.isNumber || "._-".contains(character)) {
                word.append(character)
            } else if let found = check() {
                return found
            }
        }
        return check()
    }
}
