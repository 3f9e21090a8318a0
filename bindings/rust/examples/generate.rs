//! The main job: submit, wait with progress, download the video.
//!
//! `generate <base_url> <output.mp4> [model] [prompt]`, the API key in `$VIDEOGEN_API_KEY` (never on the command
//! line). Prints progress, then the task's record; on failure prints the error and exits 1.
//!
//! ```sh
//! PYTHONPATH=emulator python3 -m videogen_emulator --port 8000 &      # key "sk-emulator"
//! VIDEOGEN_API_KEY=sk-emulator cargo run --example generate -- http://127.0.0.1:8000 fox.mp4
//! ```

use std::process::ExitCode;

use videogen::{Client, ProgressKind};

/// `text` as a JSON string literal (the binding takes JSON documents; a program builds them as it likes).
fn json(text: &str) -> String {
    let mut out = String::from("\"");
    for ch in text.chars() {
        match ch {
            '"' | '\\' => { out.push('\\'); out.push(ch) }
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out + "\""
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().collect();
    if args.len() < 3 {
        eprintln!("usage: generate <base_url> <output.mp4> [model] [prompt]   (key in $VIDEOGEN_API_KEY)");
        return ExitCode::from(2);
    }
    let model = args.get(3).map_or("sora-2", String::as_str);
    let prompt = args.get(4).map_or("a red fox in the snow", String::as_str);
    let config = format!(r#"{{"dialect": "openai", "base_url": {}, "api_key_env": "VIDEOGEN_API_KEY",
                             "poll": {{"interval": 0.1, "max_interval": 0.5, "min_interval": 0.05}}}}"#,
                         json(&args[1]));
    let request = format!(r#"{{"model": {}, "prompt": {}}}"#, json(model), json(prompt));
    let result = Client::new(&config).and_then(|client| {
        client.generate(&request, &args[2], |p| match p.kind() {
            ProgressKind::Status => println!("{} {}", p.state(), p.percent().map_or("-".into(), |v| format!("{v}%"))),
            ProgressKind::Transfer => println!("{} of {:?} bytes", p.bytes_received(), p.bytes_total()),
        })
    });
    match result.and_then(|task| task.record()) {
        Ok(record) => {
            println!("record {record}");
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("error: {error}");
            eprintln!("details: {error:?}");
            ExitCode::FAILURE
        }
    }
}
