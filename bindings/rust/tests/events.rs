//! The asynchronous calls and dispatch: events in order on the dispatching thread, one Done per operation, BUSY
//! for a second operation, cancel from another thread, and a panicking dispatch closure.

mod support;

use std::ops::ControlFlow;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::time::Duration;

use support::{request, sample_video, scratch, Emulator};
use videogen::{Client, Code, EventKind, State, Task};

const KEY: &str = "sk-rust-events";

/// What [`follow`] saw of each event: kind, state, percent, bytes received.
type Seen = Vec<(EventKind, State, Option<u8>, u64)>;

/// Dispatches until `task`'s operation reports Done; returns the events seen for it and the Done's result.
fn follow(client: &Client, task: &Task) -> (Seen, videogen::Result<()>) {
    let mut seen = Vec::new();
    let mut result = None;
    let mut idle = 0; // a hang guard: a minute without a single event ends the test
    while idle < 60 {
        let delivered = client.dispatch(Some(Duration::from_secs(1)), |event| {
            assert_eq!(event.task(), task.key());
            let p = event.progress();
            seen.push((event.kind(), p.state(), p.percent(), p.bytes_received()));
            if let Some(r) = event.result() {
                result = Some(r);
            }
        }).unwrap();
        if let Some(result) = result.take() {
            return (seen, result);
        }
        idle = if delivered == 0 { idle + 1 } else { 0 };
    }
    panic!("no event for a minute and no Done: {seen:?}");
}

#[test]
fn asynchronous_job_reports_its_events_in_order() {
    let emu = Emulator::start(KEY, 0.5);
    let client = emu.client();
    let mut task = client.submit_async(&request("sora-2")).unwrap();
    assert_eq!(task.id(), "", "no id before the submit is answered");
    let (seen, result) = follow(&client, &task);
    result.unwrap();
    assert_eq!(seen.last().unwrap().0, EventKind::Done);
    assert!(!task.id().is_empty());

    task.start_wait(Some(Duration::from_secs(60))).unwrap();
    let (seen, result) = follow(&client, &task);
    result.unwrap();
    assert_eq!(task.state(), State::Succeeded);
    let (done, updates) = seen.split_last().unwrap();
    assert_eq!(done.0, EventKind::Done);
    assert!(!updates.is_empty() && updates.iter().all(|e| e.0 == EventKind::Update), "{seen:?}");
    let percents: Vec<u8> = updates.iter().filter_map(|e| e.2).collect();
    assert!(percents.windows(2).all(|w| w[0] <= w[1]), "{seen:?}");

    let path = scratch("async-job").join("v.mp4");
    task.start_download(&path).unwrap();
    let (seen, result) = follow(&client, &task);
    result.unwrap();
    let transfers: Vec<u64> = seen.iter().filter(|e| e.0 == EventKind::Transfer).map(|e| e.3).collect();
    assert!(!transfers.is_empty() && transfers.windows(2).all(|w| w[0] <= w[1]), "{seen:?}");
    assert_eq!(std::fs::read(&path).unwrap(), sample_video());
}

#[test]
fn a_second_operation_on_a_busy_task_is_refused() {
    let emu = Emulator::start(KEY, 0.5);
    let client = emu.client();
    let mut task = client.submit(&request("emu-stuck")).unwrap();
    task.start_wait(Some(Duration::from_secs(120))).unwrap();
    assert_eq!(task.start_wait(None).unwrap_err().code(), Code::Busy);
    assert_eq!(task.wait(None).unwrap_err().code(), Code::Busy);
    task.cancel(false).unwrap();
    let (_, result) = follow(&client, &task);
    assert_eq!(result.unwrap_err().code(), Code::Cancelled, "one Done, with the cancel");
}

#[test]
fn cancel_from_another_thread_ends_an_asynchronous_wait() {
    let emu = Emulator::start(KEY, 0.5);
    let client = emu.client();
    let mut task = client.submit(&request("emu-stuck")).unwrap();
    task.start_wait(Some(Duration::from_secs(120))).unwrap();
    let cancel = task.cancel_handle();
    std::thread::spawn(move || cancel.cancel().unwrap()).join().unwrap();
    let (seen, result) = follow(&client, &task);
    assert_eq!(result.unwrap_err().code(), Code::Cancelled);
    assert_eq!(seen.iter().filter(|e| e.0 == EventKind::Done).count(), 1);
}

#[test]
fn a_panic_in_the_dispatch_closure_stops_that_operation_and_resumes_on_the_caller() {
    let emu = Emulator::start(KEY, 0.5);
    let client = emu.client();
    let mut task = client.submit(&request("emu-stuck")).unwrap();
    task.start_wait(Some(Duration::from_secs(120))).unwrap();
    let mut panicked = false;
    // The first Update comes at the wait's start; the hang guard is a minute of empty dispatches.
    for _round in 0..60 {
        let caught = catch_unwind(AssertUnwindSafe(|| {
            client.dispatch(Some(Duration::from_secs(1)), |event| -> () {
                if event.kind() == EventKind::Update {
                    panic!("boom in dispatch");
                }
            })
        }));
        if let Err(payload) = caught {
            assert_eq!(payload.downcast_ref::<&str>(), Some(&"boom in dispatch"));
            panicked = true;
            break;
        }
    }
    assert!(panicked);
    let (_, result) = follow(&client, &task);
    assert_eq!(result.unwrap_err().code(), Code::AbortedByCallback);
}

#[test]
fn break_on_a_transfer_stops_an_asynchronous_download() {
    let emu = Emulator::start(KEY, 0.2);
    let client = emu.client();
    let mut task = client.submit(&request("sora-2")).unwrap();
    task.wait(Some(Duration::from_secs(60))).unwrap();
    let path = scratch("async-stop").join("v.mp4");
    task.start_download(&path).unwrap();
    let mut result = None;
    let mut idle = 0; // a hang guard: a minute without a single event ends the test
    while idle < 60 {
        let delivered = client.dispatch(Some(Duration::from_secs(1)), |event| {
            if let Some(r) = event.result() {
                result = Some(r);
            }
            if event.kind() == EventKind::Transfer { ControlFlow::Break(()) } else { ControlFlow::Continue(()) }
        }).unwrap();
        if result.is_some() {
            break;
        }
        idle = if delivered == 0 { idle + 1 } else { 0 };
    }
    assert_eq!(result.unwrap().unwrap_err().code(), Code::AbortedByCallback);
    assert!(!path.exists());
}
