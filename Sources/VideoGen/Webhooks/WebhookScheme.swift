/// How a provider signs its callbacks.
public enum WebhookScheme: String, Sendable, Hashable, CaseIterable {
    /// Standard Webhooks (OpenAI, Replicate, the Gemini API): `webhook-id`, `webhook-timestamp` and
    /// `webhook-signature` (space-separated `v1,<base64>`), HMAC-SHA256 under the base64-decoded `whsec_` secret of
    /// `{id}.{timestamp}.{body}`.
    case standardWebhooks = "standard_webhooks"
    /// fal: `X-Fal-Webhook-Request-Id`, `-User-Id`, `-Timestamp`, `-Signature` (hex ED25519) over
    /// `request_id \n user_id \n timestamp \n sha256hex(body)`, under one of the keys of fal's JWKS.
    case fal
    /// Vidu: `X-HMAC-SIGNATURE` = base64(HMAC-SHA256(api token, METHOD \n path \n query \n "vidu" \n Date \n
    /// signed headers)), the signed headers listed in `X-HMAC-SIGNED-HEADERS`, each as `Name:value\n`.
    case vidu
    /// OpenRouter: `X-OpenRouter-Signature: t=<unix seconds>,v1=<hex>`, HMAC-SHA256 under the workspace signing
    /// secret of `{t},{body}`.
    case openrouter
    /// No signature (Kling, Luma): refused unless the verifier accepts unsigned hints, and then only a hint.
    case unsigned
}
