//! The conformance runner of the Rust binding (bindings/rust): runs conformance/scenarios.json.
//!
//! ```text
//! cargo build --manifest-path conformance/rust/Cargo.toml && videogen-conformance conformance/scenarios.json
//! ```
//!
//! Environment (set by conformance/run.py): VG_CONFORMANCE_URL, VG_CONFORMANCE_ECHO_URL, VG_CONFORMANCE_KEY (the
//! canary, read by the library through api_key_env), VG_CONFORMANCE_SCRATCH, VG_CONFORMANCE_ONLY. Prints one
//! `CONFORMANCE {...}` line per scenario; an id this runner does not know fails. Expected values come from the file.

mod json;
mod sha256;

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use json::Value;
use videogen::{Client, ProgressKind, Task, TaskKey};

/// A scenario's failed expectation, or its details when it passed.
type Outcome = Result<String, String>;

macro_rules! expect {
    ($cond:expr, $($why:tt)+) => { if !$cond { return Err(format!($($why)+)); } };
}

/// The canary child prints every error (all its fields) and every record.
fn show(label: &str, value: &str) {
    if std::env::var("VG_CONFORMANCE_PRINT").as_deref() == Ok("1") {
        println!("SHOW {label}: {value}");
    }
}

fn show_error(error: &videogen::Error) {
    show("error", &format!("{error} | {error:?} | code={} http={:?} provider={:?} retry={:?} task={:?}",
                           error.code().raw(), error.http_status(), error.provider_code(), error.retry_after(),
                           error.task_id()));
}

/// The error of `result` (a failure when it is Ok).
fn error_of<T>(result: videogen::Result<T>) -> Result<videogen::Error, String> {
    match result {
        Ok(_) => Err("no error".into()),
        Err(error) => {
            show_error(&error);
            Ok(error)
        }
    }
}

/// Turns a binding error into the scenario's failure, naming the call.
fn at<T>(what: &str, result: videogen::Result<T>) -> Result<T, String> {
    result.map_err(|e| format!("{what}: {e}"))
}

struct Suite {
    doc: Value,
    path: String,
}

impl Suite {
    fn client(&self, sc: &Value) -> Result<Client, String> {
        let mut config = self.doc.get("client").clone();
        if let Value::Obj(members) = sc.get("client") {
            for (key, value) in members {
                config.set(key, value.clone());
            }
        }
        let url = if sc.get("service").str() == "echo" { "VG_CONFORMANCE_ECHO_URL" } else { "VG_CONFORMANCE_URL" };
        config.set("base_url", Value::Str(std::env::var(url).unwrap_or_default()));
        at("Client::new", Client::new(&config.to_json()))
    }

    fn dir(&self, sc: &Value) -> PathBuf {
        let dir = PathBuf::from(std::env::var("VG_CONFORMANCE_SCRATCH").unwrap_or_default()).join(sc.get("id").str());
        std::fs::create_dir_all(&dir).expect("the scratch directory");
        dir
    }

    fn code(&self, name: &str) -> i32 {
        let n = self.doc.get("codes").get(name).num();
        if n.is_nan() { -1 } else { n as i32 }
    }

    fn rank(&self, state: &str) -> usize {
        self.doc.get("states").items().iter().position(|s| s.str() == state).unwrap_or(usize::MAX)
    }

    fn video_bytes(&self) -> u64 {
        self.doc.get("video").get("bytes").num() as u64
    }

    fn check_video(&self, path: &Path) -> Result<(), String> {
        let data = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
        expect!(data.len() as u64 == self.video_bytes() && sha256::hex(&data) == self.doc.get("video").get("sha256").str(),
                "{}: {} bytes, not the video", path.display(), data.len());
        Ok(())
    }
}

fn expected<'a>(sc: &'a Value, key: &str) -> &'a Value {
    sc.get("expect").get(key)
}

fn whole_job_byte_exact(s: &Suite, sc: &Value) -> Outcome {
    let client = s.client(sc)?;
    let path = s.dir(sc).join("video.mp4");
    let mut transfers = Vec::new();
    let task = at("generate", client.generate(&sc.get("request").to_json(), &path, |p| {
        if p.kind() == ProgressKind::Transfer {
            transfers.push((p.bytes_received(), p.bytes_total()));
        }
    }))?;
    expect!(task.state().name() == expected(sc, "state").str(), "state {}", task.state().name());
    s.check_video(&path)?;
    let size = s.video_bytes();
    expect!(transfers.last() == Some(&(size, Some(size))), "last transfer {:?}, want {size} of {size}", transfers.last());
    let record = at("record", task.record())?;
    show("record", &record);
    let download = Value::parse(&record).ok_or("the record is not JSON")?.get("download").clone();
    expect!(download.get("bytes").num() as u64 == size && download.get("sha256").str() == s.doc.get("video").get("sha256").str(),
            "the record's download {}", download.to_json());
    expect!(!Path::new(&format!("{}.part", path.display())).exists(), "a part file was left");
    Ok(format!("{size} bytes, sha256 matches, {} byte updates", transfers.len()))
}

fn progress_events_in_order(s: &Suite, sc: &Value) -> Outcome {
    let client = s.client(sc)?;
    let mut task = at("submit", client.submit(&sc.get("request").to_json()))?;
    let mut seen: Vec<(String, Option<u8>)> = Vec::new();
    at("wait", task.wait_with_progress(None, |p| seen.push((p.state().name().to_owned(), p.percent()))))?;
    show("record", &at("record", task.record())?);
    expect!(seen.len() as f64 >= expected(sc, "min_updates").num(), "{} updates", seen.len());
    expect!(s.rank(&seen[0].0) < s.rank("succeeded"), "first update already {}", seen[0].0);
    for w in seen.windows(2) {
        expect!(s.rank(&w[1].0) >= s.rank(&w[0].0), "state went back: {:?} after {:?}", w[1], w[0]);
        expect!(w[0].1.is_none() || w[1].1.is_none() || w[1].1 >= w[0].1, "progress went back: {:?} after {:?}", w[1], w[0]);
    }
    let last = seen.last().unwrap();
    expect!(last.0 == expected(sc, "last_state").str() && last.1.map(f64::from) == Some(expected(sc, "last_progress").num()),
            "last update {last:?}");
    Ok(format!("{} updates, {:?} .. {:?}", seen.len(), seen[0], last))
}

fn typed_auth_error(s: &Suite, sc: &Value) -> Outcome {
    let client = s.client(sc)?;
    let result = client.submit(&sc.get("request").to_json());
    expect!(result.is_err(), "a task came from the refused submit");
    let e = error_of(result)?;
    expect!(e.code().raw() == s.code(expected(sc, "code").str()) && e.code() == videogen::Code::Auth
            && e.http_status().map(f64::from) == Some(expected(sc, "http_status").num())
            && e.provider_code() == Some(expected(sc, "provider_code").str()), "got {e:?}");
    let key = std::env::var("VG_CONFORMANCE_KEY").unwrap_or_default();
    expect!(!format!("{e} {e:?}").contains(&key), "the key is in the error");
    Ok(format!("Code::{:?}, HTTP {:?}, provider code {:?}", e.code(), e.http_status(), e.provider_code()))
}

fn not_found(s: &Suite, sc: &Value) -> Outcome {
    let client = s.client(sc)?;
    let mut task = at("resume", client.resume(&sc.get("record").to_json()))?;
    let e = error_of(task.wait(None))?;
    expect!(e.code().raw() == s.code(expected(sc, "code").str())
            && e.http_status().map(f64::from) == Some(expected(sc, "http_status").num())
            && e.task_id() == Some(expected(sc, "task_id").str()), "got {e:?}");
    Ok(format!("Code::{:?}, HTTP {:?}, task {:?}", e.code(), e.http_status(), e.task_id()))
}

fn task_failed_with_reason(s: &Suite, sc: &Value) -> Outcome {
    let client = s.client(sc)?;
    let mut task = at("submit", client.submit(&sc.get("request").to_json()))?;
    let e = error_of(task.wait(None))?;
    expect!(e.code().raw() == s.code(expected(sc, "code").str()) && e.provider_code() == Some(expected(sc, "provider_code").str())
            && e.message().contains(expected(sc, "message_contains").str()) && e.task_id() == Some(task.id().as_str()),
            "got {e:?}");
    expect!(task.state().name() == expected(sc, "state").str(), "state {}", task.state().name());
    let own = task.error();
    expect!(own.as_ref().map(|o| (o.code(), o.message())) == Some((e.code(), e.message())), "task.error() {own:?} is not the wait's");
    show("record", &at("record", task.record())?);
    Ok(format!("Code::{:?}, provider code {:?}: {}", e.code(), e.provider_code(), e.message()))
}

fn wait_deadline(s: &Suite, sc: &Value) -> Outcome {
    let deadline = Duration::from_secs_f64(sc.get("deadline_seconds").num());
    let client = s.client(sc)?;
    let mut task = at("submit", client.submit(&sc.get("request").to_json()))?;
    let mut took = Vec::new();
    for round in 0..sc.get("rounds").num() as usize {
        let start = Instant::now();
        let e = error_of(task.wait(Some(deadline)))?;
        let elapsed = start.elapsed();
        expect!(e.code().raw() == s.code(expected(sc, "code").str()), "round {round}: got {e:?}");
        expect!(elapsed >= deadline, "round {round} returned after {elapsed:?}, before the deadline");
        expect!(!task.state().is_done(), "state {}", task.state().name());
        took.push(format!("{:.2} s", elapsed.as_secs_f64()));
    }
    let start = Instant::now();
    let e = error_of(task.wait(Some(Duration::from_secs_f64(sc.get("expired_deadline_seconds").num()))))?;
    let expired = start.elapsed();
    expect!(e.code().raw() == s.code(expected(sc, "expired_code").str()), "an expired deadline: {e:?}");
    expect!(expired.as_secs_f64() <= expected(sc, "expired_within_seconds").num(), "an expired deadline returned after {expired:?}");
    Ok(format!("deadline errors after {}; expired (Duration::ZERO): {:.1} ms", took.join(", "), expired.as_secs_f64() * 1000.0))
}

fn cancel_within_1s(s: &Suite, sc: &Value) -> Outcome {
    let client = s.client(sc)?;
    let mut task = at("submit", client.submit(&sc.get("request").to_json()))?;
    let cancel = task.cancel_handle();
    let timeout = Duration::from_secs_f64(sc.get("wait_seconds").num());
    let (started_tx, started_rx) = mpsc::channel();
    let cancelled = AtomicBool::new(false);
    let late = AtomicUsize::new(0);
    let (result, returned, cancelled_at) = std::thread::scope(|scope| {
        let (cancel, cancelled) = (&cancel, &cancelled);
        // The cancel comes from another thread than the waiting one, through the task's CancelHandle.
        let canceller = scope.spawn(move || {
            started_rx.recv_timeout(timeout).ok()?;
            let at = Instant::now();
            let result = cancel.cancel();
            cancelled.store(true, Ordering::SeqCst);
            Some((at, result))
        });
        let result = task.wait_with_progress(Some(timeout), |_| {
            if cancelled.load(Ordering::SeqCst) {
                late.fetch_add(1, Ordering::SeqCst);
            }
            let _ = started_tx.send(());
        });
        let returned = Instant::now();
        (result, returned, canceller.join().expect("the cancelling thread"))
    });
    let (at_cancel, cancel_result) = cancelled_at.ok_or("the wait never reported its start")?;
    at("cancel", cancel_result)?;
    let e = error_of(result)?;
    expect!(e.code().raw() == s.code(expected(sc, "code").str()), "the wait ended with {e:?}");
    let lag = returned.saturating_duration_since(at_cancel);
    expect!(lag.as_secs_f64() <= sc.get("within_seconds").num(), "the wait returned {lag:?} after the cancel");
    expect!(late.load(Ordering::SeqCst) == 0, "{} progress calls after the cancel", late.load(Ordering::SeqCst));
    let later = error_of(task.wait(Some(timeout)))?;
    expect!(later.code().raw() == s.code(expected(sc, "later_wait_code").str()), "a later wait: {later:?}");
    Ok(format!("cancelled wait (CancelHandle from another thread) returned {:.1} ms after the cancel call",
               lag.as_secs_f64() * 1000.0))
}

fn resume_in_new_process(s: &Suite, sc: &Value) -> Outcome {
    let record = {
        let client = s.client(sc)?;
        let task = at("submit", client.submit(&sc.get("request").to_json()))?;
        at("record", task.record())?
    };
    expect!(!record.contains(&std::env::var("VG_CONFORMANCE_KEY").unwrap_or_default()), "the record holds the key");
    let dir = s.dir(sc);
    let (record_path, out) = (dir.join("record.json"), dir.join("resumed.mp4"));
    std::fs::write(&record_path, &record).map_err(|e| e.to_string())?;
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    let child = Command::new(exe).arg("--child").arg("resume").arg(&s.path).arg(&record_path).arg(&out)
        .output().map_err(|e| e.to_string())?;
    expect!(child.status.code().map(f64::from) == Some(expected(sc, "child_exit").num()),
            "the child exited {:?}: {}", child.status, String::from_utf8_lossy(&child.stdout));
    s.check_video(&out)?;
    Ok("a child process resumed the task from its record and downloaded it byte-exact".into())
}

fn resume_child(s: &Suite, record_path: &str, out: &str) -> Result<String, String> {
    let client = s.client(&Value::Obj(vec![]))?;
    let record = std::fs::read_to_string(record_path).map_err(|e| e.to_string())?;
    let mut task = at("resume", client.resume(&record))?;
    at("wait", task.wait(None))?;
    at("download", task.download(out))?;
    Ok(task.id())
}

/// This process's OS threads (/proc/self/status).
fn os_threads() -> i64 {
    std::fs::read_to_string("/proc/self/status").ok()
        .and_then(|s| s.lines().find_map(|l| l.strip_prefix("Threads:").map(|n| n.trim().parse().unwrap_or(-1))))
        .unwrap_or(-1)
}

fn tasks_200_at_once(s: &Suite, sc: &Value) -> Outcome {
    let (before, mut most) = (os_threads(), os_threads());
    let count = sc.get("count").num() as usize;
    let timeout = Duration::from_secs_f64(sc.get("wait_seconds").num());
    let client = s.client(sc)?;
    let dir = s.dir(sc);
    let request = sc.get("request").to_json();
    // One thread: submit_async, then each task's Done starts its next stage (wait, download), all dispatched here.
    let mut tasks: HashMap<TaskKey, (Task, usize, u8)> = HashMap::new();
    for i in 0..count {
        let task = at("submit_async", client.submit_async(&request))?;
        tasks.insert(task.key(), (task, i, 0));
    }
    let (mut finished, give_up) = (0, Instant::now() + timeout);
    while finished < count && Instant::now() < give_up {
        let mut ended = Vec::new();
        at("dispatch", client.dispatch(Some(Duration::from_secs(1)), |event| {
            if let Some(result) = event.result() {
                ended.push((event.task(), result));
            }
        }))?;
        most = most.max(os_threads());
        for (key, result) in ended {
            let (task, i, stage) = tasks.get_mut(&key).ok_or("an event of a task not ours")?;
            at(&format!("task {i} stage {stage}"), result)?;
            match stage {
                0 => at("start_wait", task.start_wait(Some(timeout)))?,
                1 => at("start_download", task.start_download(dir.join(format!("{i}.mp4"))))?,
                _ => finished += 1,
            }
            *stage += 1;
        }
    }
    expect!(finished == count, "{finished} of {count} finished in time");
    let ids: HashSet<String> = tasks.values().map(|(t, _, _)| t.id()).collect();
    expect!(ids.len() == count, "{} distinct ids for {count} tasks", ids.len());
    for i in 0..count {
        s.check_video(&dir.join(format!("{i}.mp4")))?;
    }
    expect!(((most - before) as f64) <= expected(sc, "max_extra_threads").num(), "{} more OS threads in flight", most - before);
    Ok(format!("{count} jobs through submit_async/start_wait/start_download and dispatch on one thread; \
                OS threads {before} before, at most {most} in flight"))
}

fn misuse_after_close(s: &Suite, sc: &Value) -> Outcome {
    let invalid = s.code(expected(sc, "task_after_close").str());
    let client = s.client(sc)?;
    let bad = error_of(client.submit(&sc.get("bad_request").to_json()))?;
    expect!(bad.code().raw() == s.code(expected(sc, "bad_request_code").str())
            && bad.message().contains(expected(sc, "bad_request_names").str()), "a bad request: {bad:?}");
    // A dropped Task or Client cannot be named in safe Rust ("closed_idiom"); what outlives them is refused.
    let task = at("submit", client.submit(&sc.get("request").to_json()))?;
    let stale = task.cancel_handle();
    let raw_task = task.as_raw();
    drop(task);
    let e = error_of(stale.cancel())?;
    expect!(e.code().raw() == invalid, "a CancelHandle past its task's drop: {e:?}");
    // SAFETY: the library validates every handle: a freed one is refused with VG_E_INVALID_HANDLE, never touched.
    let code = unsafe { videogen::ffi::vg_task_wait(raw_task, 1.0, None, std::ptr::null_mut(), std::ptr::null_mut()) };
    expect!(code == invalid, "vg_task_wait on the dropped task's raw handle: {code}");
    unsafe { videogen::ffi::vg_task_free(raw_task) };  // a second free: a no-op
    let raw_client = client.as_raw();
    drop(client);
    let request = std::ffi::CString::new(sc.get("request").to_json()).unwrap();
    let mut out = std::ptr::null_mut();
    // SAFETY: as above, for the dropped client's handle.
    let code = unsafe { videogen::ffi::vg_client_submit(raw_client, request.as_ptr(), &mut out, std::ptr::null_mut()) };
    expect!(code == s.code(expected(sc, "client_after_close").str()) && out.is_null(), "submit on the dropped client: {code}");
    unsafe { videogen::ffi::vg_client_free(raw_client) };  // a second free: a no-op
    Ok(format!("a stale CancelHandle and the raw handles of a dropped Task and Client refused with code {invalid}; \
                second frees no-ops; use after drop of the safe types does not compile"))
}

fn canary_key_never_in_output(s: &Suite, sc: &Value) -> Outcome {
    let key = std::env::var("VG_CONFORMANCE_KEY").unwrap_or_default();
    let dir = s.dir(sc);
    let children: Vec<&str> = sc.get("child_scenarios").items().iter().map(Value::str).collect();
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    let child = Command::new(exe).arg(&s.path).env("VG_CONFORMANCE_PRINT", "1").env("VG_CONFORMANCE_SCRATCH", &dir)
        .env("VG_CONFORMANCE_ONLY", children.join(",")).output().map_err(|e| e.to_string())?;
    let out = String::from_utf8_lossy(&child.stdout);
    expect!(child.status.code().map(f64::from) == Some(expected(sc, "child_exit").num()), "the child exited {:?}: {out}", child.status);
    let shown = out.matches("SHOW ").count();
    expect!(shown as f64 >= expected(sc, "min_printed").num(), "the child printed {shown} values");
    expect!(out.matches("\"result\":\"pass\"").count() == children.len(), "the child did not pass: {out}");
    let needle = key.as_bytes();
    let has_key = |bytes: &[u8]| bytes.windows(needle.len()).any(|w| w == needle);
    expect!(!has_key(&child.stdout) && !has_key(&child.stderr), "the key is in the child's output");
    let mut files = 0;
    let mut pending = vec![dir];
    while let Some(folder) = pending.pop() {
        for entry in std::fs::read_dir(&folder).map_err(|e| e.to_string())? {
            let entry = entry.map_err(|e| e.to_string())?;
            let kind = entry.file_type().map_err(|e| e.to_string())?;
            if kind.is_dir() {
                pending.push(entry.path());
            } else if kind.is_file() {
                files += 1;
                let bytes = std::fs::read(entry.path()).map_err(|e| e.to_string())?;
                expect!(!has_key(&bytes), "the key is in {}", entry.path().display());
            }
        }
    }
    Ok(format!("child printed {shown} values, wrote {files} files: no key"))
}

type Scenario = fn(&Suite, &Value) -> Outcome;

const SCENARIOS: &[(&str, Scenario)] = &[
    ("whole_job_byte_exact", whole_job_byte_exact),
    ("progress_events_in_order", progress_events_in_order),
    ("typed_auth_error", typed_auth_error),
    ("not_found", not_found),
    ("task_failed_with_reason", task_failed_with_reason),
    ("wait_deadline", wait_deadline),
    ("cancel_within_1s", cancel_within_1s),
    ("resume_in_new_process", resume_in_new_process),
    ("tasks_200_at_once", tasks_200_at_once),
    ("misuse_after_close", misuse_after_close),
    ("canary_key_never_in_output", canary_key_never_in_output),
];

fn load(path: &str) -> Suite {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{path}: {e}"));
    Suite { doc: Value::parse(&text).unwrap_or_else(|| panic!("{path}: not JSON")), path: path.to_owned() }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.len() == 5 && args[0] == "--child" && args[1] == "resume" {
        match resume_child(&load(&args[2]), &args[3], &args[4]) {
            Ok(id) => println!("resumed {id}"),
            Err(why) => {
                println!("child failed: {why}");
                std::process::exit(1);
            }
        }
        return;
    }
    let suite = load(args.first().map(String::as_str).unwrap_or("conformance/scenarios.json"));
    let only: Vec<String> = std::env::var("VG_CONFORMANCE_ONLY").unwrap_or_default().split(',')
        .filter(|s| !s.is_empty()).map(str::to_owned).collect();
    let mut failed = 0;
    for sc in suite.doc.get("scenarios").items() {
        let id = sc.get("id").str();
        if !only.is_empty() && !only.iter().any(|o| o == id) {
            continue;
        }
        let start = Instant::now();
        let outcome = match SCENARIOS.iter().find(|(name, _)| *name == id) {
            None => Err("unknown scenario: this runner has no implementation of it".to_owned()),
            Some((_, run)) => std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| run(&suite, sc)))
                .unwrap_or_else(|panic| Err(format!("panicked: {:?}", panic.downcast_ref::<String>()
                    .map(String::as_str).or_else(|| panic.downcast_ref::<&str>().copied())))),
        };
        let (result, reason) = match outcome {
            Ok(details) => ("pass", details),
            Err(why) => {
                failed += 1;
                ("fail", why)
            }
        };
        let line = Value::Obj(vec![
            ("runtime".into(), Value::Str("rust".into())),
            ("scenario".into(), Value::Str(id.into())),
            ("result".into(), Value::Str(result.into())),
            ("reason".into(), Value::Str(reason)),
            ("seconds".into(), Value::Num(start.elapsed().as_secs_f64())),
        ]);
        println!("CONFORMANCE {}", line.to_json());
    }
    std::process::exit(if failed > 0 { 1 } else { 0 });
}
