//! The direct providers end to end through [`Config`] (Kling's own API with its secret key, signed as a JWT;
//! Replicate with `prefer_wait` 0 and a server deadline), outputs downloaded by index (OpenRouter's
//! `emu-outputs-<n>`), and [`idempotency_key`]'s known answers.

mod support;

use std::time::Duration;

use support::{request, sample_video, scratch, Emulator, FAST_POLL};
use videogen::{idempotency_key, Client, Code, Config, State};

const KEY: &str = "sk-rust-providers";
/// The secret key the emulator checks Kling's JWT with (emulator/videogen_emulator/kling_official_routes.py).
const KLING_SECRET: &str = "emulator-kling-secret-key-0123456789";
/// How long the emulator's tasks last here, seconds (Replicate's metrics follow it).
const TASK_SECONDS: f64 = 0.5;

/// Known answers computed apart from the library by Python's hashlib + uuid (the same table as
/// bindings/python/tests/test_binding_jobs.py).
const KNOWN: [(&str, &str, &str); 3] = [
    ("order-42", "", "e2489364-9895-8ee0-8db3-7ffd4e039868"),
    ("order-42", "batch-2026-12", "be18f1c0-9ac7-8dea-a32a-3fae0141c839"),
    ("é/ü 漢", "", "b1f3028a-46f2-886f-a2d8-9d3c26f0223a"),
];

/// A configuration of `dialect` for the emulator (its key, fast polls).
fn config(emu: &Emulator, dialect: &str) -> Config {
    Config::new().dialect(dialect).base_url(&emu.base_url).api_key(&emu.key).field("poll", FAST_POLL)
}

/// Submits, waits and downloads byte-exact; returns the task's record.
fn whole_job(client: &Client, model: &str, name: &str) -> String {
    let dir = scratch(name);
    let mut task = client.submit(&request(model)).unwrap();
    task.wait(Some(Duration::from_secs(30))).unwrap();
    task.download(dir.join("v.mp4")).unwrap();
    assert_eq!(std::fs::read(dir.join("v.mp4")).unwrap(), sample_video());
    assert_eq!(task.state(), State::Succeeded);
    task.record().unwrap()
}

#[test]
fn idempotency_key_known_answers() {
    for (job, scope, key) in KNOWN {
        assert_eq!(idempotency_key(job, scope).unwrap(), key, "{job:?} {scope:?}");
    }
    let other = idempotency_key("order-42", "another").unwrap();
    assert_ne!(other, KNOWN[0].2);
    assert_eq!(other.len(), 36);
    for bad in ["", "a\0b"] {
        assert_eq!(idempotency_key(bad, "").unwrap_err().code(), Code::InvalidArgument);
    }
    assert_eq!(idempotency_key(&"j".repeat(4097), "").unwrap_err().code(), Code::InvalidArgument);
}

#[test]
fn kling_official_with_secret_key_end_to_end() {
    let emu = Emulator::start(KEY, TASK_SECONDS);
    let config = config(&emu, "kling_official").secret_key(KLING_SECRET);
    assert!(!format!("{config:?}").contains(KLING_SECRET) && !format!("{config:?}").contains(KEY));
    let client = Client::with_config(&config).unwrap();
    let record = whole_job(&client, "kling-v1", "kling-official");
    assert!(record.contains(r#""dialect":"kling_official""#), "{record}");
    assert!(record.contains(r#""usage":{"final_unit_deduction":"1"}"#), "{record}");
    assert!(!record.contains(KLING_SECRET) && !record.contains(KEY));
}

#[test]
fn kling_official_without_its_secret_key_is_refused() {
    let emu = Emulator::start(KEY, TASK_SECONDS);
    let error = Client::with_config(&config(&emu, "kling_official")).unwrap_err();
    assert_eq!(error.code(), Code::Auth, "{error}");
    assert!(error.message().contains("secret_key"), "{error}");
    let error = Client::with_config(&config(&emu, "openai").secret_key("s-1234567890")).unwrap_err();
    assert_eq!(error.code(), Code::Unsupported, "{error}");
    assert!(error.message().contains("'secret_key'") && !format!("{error:?}").contains("s-1234567890"));
}

#[test]
fn replicate_with_prefer_wait_zero_end_to_end() {
    let emu = Emulator::start(KEY, TASK_SECONDS);
    let config = config(&emu, "replicate").prefer_wait(0).server_deadline(true).wait_timeout(30.0);
    let client = Client::with_config(&config).unwrap();
    let record = whole_job(&client, "kwaivgi/kling-v2.1", "replicate");
    // The emulator's metrics: predict_time 0.8 and total_time 1 times its task length.
    assert!(record.contains(r#""usage":{"predict_time":0.4,"total_time":0.5}"#), "{record}");
}

#[test]
fn outputs_downloaded_by_index() {
    let emu = Emulator::start(KEY, TASK_SECONDS);
    let client = Client::with_config(&config(&emu, "openrouter")).unwrap();
    let dir = scratch("outputs");
    let mut task = client.submit(&request("m emu-outputs-3")).unwrap();
    task.wait(Some(Duration::from_secs(30))).unwrap();
    let record = task.record().unwrap();
    let outputs = record.split(r#""outputs":["#).nth(1).expect("the record lists the outputs");
    let outputs = &outputs[..outputs.find(']').unwrap()];
    assert_eq!(outputs.matches("\",\"").count() + 1, 3, "{record}");
    let mut transferred = 0;
    task.download_output_with_progress(2, dir.join("third.mp4"), |p| transferred = p.bytes_received()).unwrap();
    assert_eq!(std::fs::read(dir.join("third.mp4")).unwrap(), sample_video());
    assert_eq!(transferred, sample_video().len() as u64);
    assert!(task.record().unwrap().contains(r#""output":2"#));
    let error = task.download_output(3, dir.join("fourth.mp4")).unwrap_err();
    assert_eq!(error.code(), Code::InvalidArgument, "{error}");
    assert!(error.message().contains('3') && error.task_id() == Some(task.id().as_str()), "{error:?}");
    assert!(!dir.join("fourth.mp4").exists());
}

#[test]
fn download_output_before_success_is_not_ready() {
    let emu = Emulator::start(KEY, TASK_SECONDS);
    let client = Client::with_config(&config(&emu, "openrouter")).unwrap();
    let mut task = client.submit(&request("m emu-outputs-2 emu-stuck")).unwrap();
    let error = task.download_output(1, scratch("not-ready").join("x.mp4")).unwrap_err();
    assert_eq!(error.code(), Code::NotReady, "{error}");
}
