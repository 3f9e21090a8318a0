//! Webhook verification through the binding: the known answer (signed by the standardwebhooks package 1.1.0) and
//! each refusal; the verifier's "now" fixes the clock.

use videogen::verify_webhook;

const SECRET: &str = "whsec_dmlkZW9nZW4tYy10ZXN0LXNlY3JldC0zMi1ieXRlcyE=";
const BODY: &str = r#"{"object":"event","type":"video.completed","data":{"id":"video_123"}}"#;
const HEADERS: &str = "webhook-id: msg_c1\r\nwebhook-timestamp: 1767000000\r\n\
                       webhook-signature: v1,xB3BpGk0nMR1HYw6g2jZQT85RxoG9hHHd4tckH9wlP8=\r\n";

fn verifier(now: u64) -> String {
    format!(r#"{{"scheme":"standard_webhooks","secret":"{SECRET}","now":{now}}}"#)
}

#[test]
fn known_answer_and_refusals() {
    let ok = verify_webhook(&verifier(1_767_000_000), "POST", "/hooks", HEADERS, BODY.as_bytes()).unwrap();
    assert!(ok.accepted && ok.reason == "accepted", "{ok:?}");
    assert!(ok.result_json.contains(r#""delivery_id":"msg_c1""#));
    let cases = [
        (verifier(1_767_000_301), HEADERS, BODY, "timestamp_outside_tolerance"),
        (verifier(1_767_000_000), HEADERS, &BODY[..BODY.len() - 1], "bad_signature"),
        (verifier(1_767_000_000), "webhook-id: msg_c1\r\n", BODY, "malformed_header"),
        (r#"{"scheme":"unsigned"}"#.to_owned(), "", BODY, "unsigned"),
    ];
    for (verifier, headers, body, reason) in cases {
        let verdict = verify_webhook(&verifier, "POST", "/hooks", headers, body.as_bytes()).unwrap();
        assert_eq!((verdict.accepted, verdict.reason), (false, reason), "{verdict:?}");
        assert!(!verdict.result_json.contains("dmlkZW9nZW4"), "the secret shows: {}", verdict.result_json);
    }
}

#[test]
fn bad_verifier_is_an_error_naming_the_field() {
    let error = verify_webhook(r#"{"scheme":"standard_webhooks"}"#, "POST", "/", "", b"").unwrap_err();
    assert!(error.to_string().contains("secret"), "{error}");
    assert!(verify_webhook("{\"scheme\":\"unsigned\"}", "POST", "/", "a\0b", b"").is_err());
}
