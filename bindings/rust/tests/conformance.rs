//! The scenarios of the conformance suite of issue 15, run against the emulator; each test is named after its
//! scenario so it can be mapped onto the shared suite.

mod support;

use std::collections::{HashMap, HashSet};
use std::process::Command;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use support::{example, request, sample_video, scratch, Emulator};
use videogen::{Client, Code, ProgressKind, State, Task, TaskKey};

const KEY: &str = "sk-rust-tests";

#[test]
fn whole_job_byte_exact() {
    let emu = Emulator::start(KEY, 0.5);
    let client = emu.client();
    let path = scratch("whole-job").join("fox.mp4");
    let task = client.generate(&request("sora-2"), &path, |_| ()).unwrap();
    assert_eq!(task.state(), State::Succeeded);
    assert!(!task.id().is_empty());
    let video = std::fs::read(&path).unwrap();
    assert_eq!(video, sample_video());
    assert_eq!(task.bytes_received(), video.len() as u64);
    let record = task.record().unwrap();
    assert!(record.contains("\"sha256\""), "{record}");
}

#[test]
fn progress_events_in_order() {
    let emu = Emulator::start(KEY, 1.0);
    let client = emu.client();
    let mut task = client.submit(&request("sora-2")).unwrap();
    let caller = std::thread::current().id();
    let mut seen = Vec::new();
    task.wait_with_progress(Some(Duration::from_secs(60)), |p| {
        assert_eq!(std::thread::current().id(), caller, "closures run on the calling thread");
        assert_eq!(p.kind(), ProgressKind::Status);
        assert!(p.snapshot_json().is_some_and(|s| s.contains("\"state\"")));
        seen.push((p.state(), p.percent()));
    }).unwrap();
    assert!(seen.len() >= 2, "{seen:?}");
    let rank = |s: State| match s { State::Queued => 0, State::Running => 1, _ => 2 };
    assert!(seen.windows(2).all(|w| rank(w[0].0) <= rank(w[1].0)), "states go forward: {seen:?}");
    let percents: Vec<u8> = seen.iter().filter_map(|(_, p)| *p).collect();
    assert!(percents.windows(2).all(|w| w[0] <= w[1]), "progress never goes back: {seen:?}");
    assert_eq!(seen.last().unwrap().0, State::Succeeded);
    assert!(!seen[0].0.is_done(), "the first call comes at the start of the wait: {seen:?}");

    let path = scratch("progress").join("fox.mp4");
    let mut bytes = Vec::new();
    task.download_with_progress(&path, |p| {
        assert_eq!(p.kind(), ProgressKind::Transfer);
        bytes.push((p.bytes_received(), p.bytes_total()));
    }).unwrap();
    let size = sample_video().len() as u64;
    assert!(bytes.windows(2).all(|w| w[0].0 <= w[1].0), "{bytes:?}");
    assert_eq!(bytes.last().copied(), Some((size, Some(size))));
}

#[test]
fn typed_auth_error() {
    let emu = Emulator::start(KEY, 0.5);
    let client = Client::new(&emu.config_with("sk-wrong", "")).unwrap();
    let error = client.submit(&request("sora-2")).unwrap_err();
    assert_eq!(error.code(), Code::Auth);
    assert_eq!(error.http_status(), Some(401));
    assert_eq!(error.provider_code(), Some("invalid_api_key"));
    assert!(!error.message().is_empty());
    let boxed: Box<dyn std::error::Error + Send + Sync> = Box::new(error);
    assert!(boxed.to_string().starts_with("authentication"), "{boxed}");
}

#[test]
fn typed_rate_limit_error_carries_the_retry_hint() {
    let emu = Emulator::start(KEY, 0.5);
    emu.set_faults(r#"[{"fault": "retry-after:300", "method": "POST", "match": "/v1/videos"}]"#);
    let error = emu.client().submit(&request("sora-2")).unwrap_err();
    assert_eq!(error.code(), Code::RateLimited);
    assert_eq!(error.http_status(), Some(429));
    assert_eq!(error.retry_after(), Some(Duration::from_secs(300)));
}

#[test]
fn not_found() {
    let emu = Emulator::start(KEY, 0.5);
    let mut task = emu.client().retrieve("video_does_not_exist").unwrap();
    let error = task.poll().unwrap_err();
    assert_eq!(error.code(), Code::NotFound);
    assert_eq!(error.http_status(), Some(404));
    assert_eq!(error.task_id(), Some("video_does_not_exist"));
}

#[test]
fn task_failed_with_the_providers_reason() {
    let emu = Emulator::start(KEY, 0.3);
    let client = emu.client();
    let mut refused = client.submit(&request("emu-fail")).unwrap();
    let error = refused.wait(Some(Duration::from_secs(60))).unwrap_err();
    assert_eq!(error.code(), Code::ContentPolicy, "{error:?}");
    assert_eq!(refused.state(), State::Failed);
    assert_eq!(refused.error().map(|e| e.code()), Some(Code::ContentPolicy));
    assert_eq!(refused.error().unwrap().message(), error.message());
    assert_eq!(error.provider_code(), Some("content_policy_violation"), "the provider's code: {error:?}");
    assert!(error.message().contains("rejected by the safety system"), "the provider's reason: {error:?}");

    // A task that "finished" without a video is a failure (unified dialect: the video must be in the status).
    let unified = Client::new(&emu.config_with(KEY, "").replace("\"openai\"", "\"unified\"")).unwrap();
    let mut empty = unified.submit(&request("emu-empty")).unwrap();
    let error = empty.wait(Some(Duration::from_secs(60))).unwrap_err();
    assert_eq!(error.code(), Code::TaskFailed, "{error:?}");
    assert!(error.code().is_task_end());
    assert_eq!(error.task_id(), Some(empty.id().as_str()));
    assert_eq!(empty.download(scratch("failed").join("v.mp4")).unwrap_err().code(), Code::NotReady);
}

#[test]
fn wait_deadline() {
    let emu = Emulator::start(KEY, 0.5);
    let mut task = emu.client().submit(&request("emu-stuck")).unwrap();
    for _ in 0..2 {
        let error = task.wait(Some(Duration::from_millis(300))).unwrap_err();
        assert_eq!(error.code(), Code::Deadline);
        assert!(!task.state().is_done(), "the task still runs and can be waited on again");
    }
}

#[test]
fn cancel_from_another_thread_within_1s() {
    let emu = Emulator::start(KEY, 0.5);
    let mut task = emu.client().submit(&request("emu-stuck")).unwrap();
    let cancel = task.cancel_handle();
    let (started_tx, started_rx) = mpsc::channel();
    let cancelled = AtomicBool::new(false);
    let late_calls = AtomicUsize::new(0);
    std::thread::scope(|scope| {
        let (cancel, cancelled) = (&cancel, &cancelled);
        let canceller = scope.spawn(move || {
            started_rx.recv().unwrap(); // the wait has begun (its first update arrived)
            cancel.cancel().unwrap();
            cancelled.store(true, Ordering::SeqCst);
            Instant::now()
        });
        let result = task.wait_with_progress(Some(Duration::from_secs(120)), |_| {
            if cancelled.load(Ordering::SeqCst) {
                late_calls.fetch_add(1, Ordering::SeqCst);
            }
            let _ = started_tx.send(());
        });
        let returned = Instant::now();
        let cancelled_at = canceller.join().unwrap();
        assert_eq!(result.unwrap_err().code(), Code::Cancelled);
        let lag = returned.saturating_duration_since(cancelled_at);
        assert!(lag < Duration::from_secs(1), "the wait returned {lag:?} after the cancel");
    });
    assert_eq!(late_calls.load(Ordering::SeqCst), 0, "no closure call after cancel returned");
    assert_eq!(task.poll().unwrap_err().code(), Code::Cancelled, "later network calls are refused");
    assert!(task.record().unwrap().contains(&task.id()), "the record survives, to resume elsewhere");
}

#[test]
fn resume_from_a_record_in_a_new_process() {
    let emu = Emulator::start(KEY, 0.5);
    let dir = scratch("resume");
    let (id, record) = {
        let task = emu.client().submit(&request("sora-2")).unwrap();
        (task.id(), task.record().unwrap())
    };
    assert!(!record.contains(KEY));
    std::fs::write(dir.join("record.json"), &record).unwrap();
    let output = Command::new(example("resume"))
        .args([&emu.base_url, dir.join("record.json").to_str().unwrap(), dir.join("v.mp4").to_str().unwrap()])
        .env("VIDEOGEN_API_KEY", KEY)
        .output().unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{stdout}\n{}", String::from_utf8_lossy(&output.stderr));
    assert!(stdout.contains(&format!("resumed {id}")), "{stdout}");
    assert_eq!(std::fs::read(dir.join("v.mp4")).unwrap(), sample_video());
}

#[test]
fn tasks_200_at_once() {
    // One thread follows all 200 through the asynchronous calls and dispatch: submit, wait, download.
    let emu = Emulator::start(KEY, 1.0);
    let client = emu.client();
    let dir = scratch("many-events");
    let mut tasks: HashMap<TaskKey, (Task, usize, u8)> = HashMap::new();
    for i in 0..200 {
        let task = client.submit_async(&request("sora-2")).unwrap();
        tasks.insert(task.key(), (task, i, 0));
    }
    let mut finished = 0;
    let mut idle = 0; // a hang guard: a minute without a single event ends the test
    while finished < 200 {
        let mut ended = Vec::new();
        let delivered = client.dispatch(Some(Duration::from_secs(1)), |event| {
            if let Some(result) = event.result() {
                result.unwrap();
                ended.push(event.task());
            }
        }).unwrap();
        idle = if delivered == 0 { idle + 1 } else { 0 };
        assert!(idle < 60, "no event for a minute; {finished} of 200 finished");
        for key in ended {
            let (task, i, stage) = tasks.get_mut(&key).expect("an event of a task of ours");
            match stage {
                0 => task.start_wait(Some(Duration::from_secs(120))).unwrap(),
                1 => task.start_download(dir.join(format!("{i}.mp4"))).unwrap(),
                _ => finished += 1,
            }
            *stage += 1;
        }
    }
    assert_eq!(finished, 200);
    let unique: HashSet<String> = tasks.values().map(|(t, _, _)| t.id()).collect();
    assert_eq!(unique.len(), 200, "{:?}", unique.iter().take(5).collect::<Vec<_>>());
    let sample = sample_video();
    for i in 0..200 {
        assert_eq!(std::fs::read(dir.join(format!("{i}.mp4"))).unwrap(), sample, "video {i}");
    }
}

#[test]
fn tasks_200_at_once_from_200_threads() {
    let emu = Emulator::start(KEY, 1.0);
    let client = emu.client();
    let dir = scratch("many");
    let ids: Vec<String> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..200).map(|i| {
            let (client, dir) = (&client, &dir);
            std::thread::Builder::new().stack_size(256 * 1024).spawn_scoped(scope, move || {
                let task = client.generate(&request("sora-2"), dir.join(format!("{i}.mp4")), |_| ()).unwrap();
                task.id()
            }).unwrap()
        }).collect();
        workers.into_iter().map(|w| w.join().unwrap()).collect()
    });
    let unique: HashSet<&String> = ids.iter().collect();
    assert_eq!(unique.len(), 200);
    let sample = sample_video();
    for i in 0..200 {
        assert_eq!(std::fs::read(dir.join(format!("{i}.mp4"))).unwrap(), sample, "video {i}");
    }
}

#[test]
fn misuse_after_close_refused() {
    let emu = Emulator::start(KEY, 0.3);
    let client = emu.client();
    // A cancel handle that outlives its task is refused, not a crash.
    let task = client.submit(&request("sora-2")).unwrap();
    let stale = task.cancel_handle();
    drop(task);
    assert_eq!(stale.cancel().unwrap_err().code(), Code::InvalidHandle);
    // A cancelled task refuses network calls; its getters and record still work.
    let mut task = client.submit(&request("sora-2")).unwrap();
    task.cancel(false).unwrap();
    task.cancel(false).unwrap(); // any number of times
    assert_eq!(task.wait(None).unwrap_err().code(), Code::Cancelled);
    assert_eq!(task.download(scratch("misuse").join("v.mp4")).unwrap_err().code(), Code::Cancelled);
    assert!(!task.id().is_empty());
    // Tasks outlive their client (the header's rule), and a task's calls keep working after the client is gone.
    let mut orphan = client.submit(&request("sora-2")).unwrap();
    drop(client);
    orphan.wait(Some(Duration::from_secs(60))).unwrap();
    assert_eq!(orphan.state(), State::Succeeded);
    // Hostile input: clear errors naming the cause.
    let client = emu.client();
    assert_eq!(client.submit("{\"model\": \"a\0b\"}").unwrap_err().code(), Code::InvalidArgument);
    assert_eq!(client.submit("not json").unwrap_err().code(), Code::InvalidJson);
    let unknown = client.submit(r#"{"model": "sora-2", "prompt": "x", "colour": "red"}"#).unwrap_err();
    assert_eq!(unknown.code(), Code::InvalidArgument);
    assert!(unknown.message().contains("colour"), "{unknown}");
    let refused = Client::new(r#"{"dialect": "nope", "base_url": "http://127.0.0.1:1", "api_key": "k"}"#).unwrap_err();
    assert_eq!(refused.code(), Code::Unsupported);
    assert!(refused.message().contains("'nope'"), "{refused}");
    let insecure = Client::new(r#"{"dialect": "openai", "base_url": "http://example.com", "api_key": "k"}"#);
    assert_eq!(insecure.unwrap_err().code(), Code::Insecure);
    assert_eq!(client.resume("{}").unwrap_err().code(), Code::InvalidArgument);
    let mut done = client.submit(&request("sora-2")).unwrap();
    done.wait(Some(Duration::from_secs(60))).unwrap();
    use std::os::unix::ffi::OsStrExt;
    let not_utf8 = scratch("misuse-bytes").join(std::ffi::OsStr::from_bytes(b"v\xff.mp4"));
    assert_eq!(done.download(&not_utf8).unwrap_err().code(), Code::InvalidArgument);
    assert!(!not_utf8.exists());
}

#[test]
fn canary_key_never_in_any_output() {
    let canary = format!("sk-CANARY-{}-{}", std::process::id(), Instant::now().elapsed().as_nanos());
    let emu = Emulator::start(&canary, 0.3);
    let other = Emulator::start("sk-someone-else", 0.3);
    let dir = scratch("canary");
    let mut outputs = Vec::new();
    // In this process: every error's Display and Debug, every record, the client's Debug.
    let client = emu.client();
    outputs.push(format!("{client:?}"));
    let task = client.generate(&request("sora-2"), dir.join("ok.mp4"), |_| ()).unwrap();
    outputs.push(task.record().unwrap());
    outputs.push(format!("{task:?}"));
    let failures = [
        client.submit(&request("emu-fail")).and_then(|mut t| t.wait(Some(Duration::from_secs(60)))).unwrap_err(),
        Client::new(&other.config_with(&canary, "")).unwrap().submit(&request("sora-2")).unwrap_err(),
        client.retrieve("video_missing").and_then(|mut t| t.poll()).unwrap_err(),
    ];
    for error in &failures {
        outputs.push(format!("{error} | {error:?} | {:?}", error.provider_code()));
    }
    // In child processes (all they print, from the library too): a success and an authentication failure.
    for (base_url, name) in [(&emu.base_url, "child-ok.mp4"), (&other.base_url, "child-refused.mp4")] {
        let run = Command::new(example("generate")).args([base_url.as_str(), dir.join(name).to_str().unwrap()])
            .env("VIDEOGEN_API_KEY", &canary).output().unwrap();
        outputs.push(String::from_utf8_lossy(&run.stdout).into_owned());
        outputs.push(String::from_utf8_lossy(&run.stderr).into_owned());
    }
    assert!(outputs[outputs.len() - 4].contains("record "), "the child's success was seen");
    assert!(outputs[outputs.len() - 1].contains("authentication"), "the child's failure was seen");
    for output in &outputs {
        assert!(!output.contains(&canary), "the key leaked into: {output}");
    }
    // Every file the downloads left.
    for entry in std::fs::read_dir(&dir).unwrap() {
        let bytes = std::fs::read(entry.unwrap().path()).unwrap();
        assert!(!bytes.windows(canary.len()).any(|w| w == canary.as_bytes()));
    }
}
