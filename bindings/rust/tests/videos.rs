//! The rest of the API against the emulator: images as bytes, retrieve by id, the videos a service keeps (list,
//! remix, stills, delete), remote cancel.

mod support;

use std::time::Duration;

use support::{request, scratch, Emulator};
use videogen::{Code, Image, State, Variant};

const KEY: &str = "sk-rust-videos";
const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0";

#[test]
fn images_given_as_bytes_are_sent_and_bad_ones_refused_by_name() {
    let emu = Emulator::start(KEY, 0.3);
    let client = emu.client();
    let image = Image { field: "input_reference", data: PNG, mime_type: Some("image/png") };
    let task = client.submit_images(&request("sora-2"), &[image]).unwrap();
    assert!(!task.id().is_empty());
    let not_an_image = Image { field: "input_reference", data: b"hello", mime_type: None };
    let error = client.submit_images(&request("sora-2"), &[not_an_image]).unwrap_err();
    assert_eq!(error.code(), Code::InvalidArgument, "{error:?}");
    let unknown = Image { field: "colour", data: PNG, mime_type: None };
    let error = client.submit_images(&request("sora-2"), &[unknown]).unwrap_err();
    assert_eq!(error.code(), Code::InvalidArgument);
    assert!(error.message().contains("colour"), "{error}");
}

#[test]
fn retrieve_by_id_lists_remixes_stills_and_deletes() {
    let emu = Emulator::start(KEY, 0.3);
    let client = emu.client();
    let mut task = client.submit(&request("sora-2")).unwrap();
    task.wait(Some(Duration::from_secs(60))).unwrap();

    let mut again = client.retrieve(&task.id()).unwrap();
    again.poll().unwrap();
    assert_eq!(again.state(), State::Succeeded);
    assert!(again.video_url().is_some());

    let page = client.list_tasks(Some(r#"{"limit": 100}"#)).unwrap();
    assert!(page.contains(&task.id()), "{page}");
    assert_eq!(client.list_tasks(Some(r#"{"colour": 1}"#)).unwrap_err().code(), Code::InvalidArgument);

    let dir = scratch("videos");
    task.download_variant(Variant::Thumbnail, dir.join("thumb.jpg"), |_| ()).unwrap();
    assert_eq!(&std::fs::read(dir.join("thumb.jpg")).unwrap()[..2], b"\xff\xd8", "a JPEG");

    let mut remix = task.remix(r#"{"prompt": "the same fox, at night"}"#).unwrap();
    assert!(remix.record().unwrap().contains(&format!("\"remixed_from\":\"{}\"", task.id())));
    remix.wait(Some(Duration::from_secs(60))).unwrap();

    task.delete_remote().unwrap();
    assert_eq!(task.poll().unwrap_err().code(), Code::NotFound);
}

#[test]
fn remote_cancel_is_refused_by_a_dialect_without_one_after_the_local_cancel() {
    let emu = Emulator::start(KEY, 0.5);
    let mut task = emu.client().submit(&request("emu-stuck")).unwrap();
    let error = task.cancel(true).unwrap_err();
    assert_eq!(error.code(), Code::Unsupported, "the openai dialect has no remote cancel: {error:?}");
    assert!(error.message().contains("keeps running"), "{error}");
    assert_eq!(task.poll().unwrap_err().code(), Code::Cancelled, "local cancellation happened either way");
}
