//! Progress closures at the C boundary: they run on the calling thread, `Break` stops the operation, and a panic
//! never unwinds into the library: it stops the operation, which ends normally, and then resumes on the caller.

mod support;

use std::ops::ControlFlow;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::time::Duration;

use support::{request, scratch, Emulator};
use videogen::{Code, State};

const KEY: &str = "sk-rust-callbacks";

#[test]
fn break_from_the_wait_closure_stops_the_wait() {
    let emu = Emulator::start(KEY, 0.5);
    let mut task = emu.client().submit(&request("emu-stuck")).unwrap();
    let mut calls = 0;
    let error = task.wait_with_progress(Some(Duration::from_secs(120)), |_| {
        calls += 1;
        ControlFlow::Break(())
    }).unwrap_err();
    assert_eq!(error.code(), Code::AbortedByCallback);
    assert_eq!(calls, 1, "no call after the closure asked to stop");
    // The operation ended: the task takes another one (not BUSY).
    assert_eq!(task.wait(Some(Duration::from_millis(200))).unwrap_err().code(), Code::Deadline);
}

#[test]
fn a_panic_in_the_wait_closure_stops_the_wait_and_resumes_on_the_caller() {
    let emu = Emulator::start(KEY, 0.5);
    let mut task = emu.client().submit(&request("emu-stuck")).unwrap();
    let mut calls = 0;
    let caught = catch_unwind(AssertUnwindSafe(|| {
        let _ = task.wait_with_progress(Some(Duration::from_secs(120)), |_| -> () {
            calls += 1;
            panic!("boom in a closure");
        });
    }));
    let payload = caught.unwrap_err();
    assert_eq!(payload.downcast_ref::<&str>(), Some(&"boom in a closure"));
    assert_eq!(calls, 1);
    // The library's operation ended cleanly before the panic resumed: the task is usable.
    assert_eq!(task.wait(Some(Duration::from_millis(200))).unwrap_err().code(), Code::Deadline);
    task.poll().unwrap();
}

#[test]
fn a_panic_in_the_download_closure_leaves_no_file() {
    let emu = Emulator::start(KEY, 0.2);
    let client = emu.client();
    let mut task = client.submit(&request("sora-2")).unwrap();
    task.wait(Some(Duration::from_secs(60))).unwrap();
    assert_eq!(task.state(), State::Succeeded);
    let path = scratch("panicking-download").join("v.mp4");
    let caught = catch_unwind(AssertUnwindSafe(|| {
        let _ = task.download_with_progress(&path, |_| -> () { panic!("boom in a download") });
    }));
    assert!(caught.is_err());
    assert!(!path.exists(), "the destination is not written");
    // The task downloads normally afterwards.
    task.download(&path).unwrap();
    assert_eq!(std::fs::read(&path).unwrap(), support::sample_video());
}

#[test]
fn false_from_the_download_closure_stops_it() {
    let emu = Emulator::start(KEY, 0.2);
    let mut task = emu.client().submit(&request("sora-2")).unwrap();
    task.wait(Some(Duration::from_secs(60))).unwrap();
    let path = scratch("stopped-download").join("v.mp4");
    let error = task.download_with_progress(&path, |_| false).unwrap_err();
    assert_eq!(error.code(), Code::AbortedByCallback);
    assert!(!path.exists());
}
