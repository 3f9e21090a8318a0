//! Resume a task from its saved record (made by `Task::record`, possibly in another process), wait for it and
//! download its video.
//!
//! `resume <base_url> <record.json> <output.mp4>`, the API key in `$VIDEOGEN_API_KEY`. Prints the task's id and
//! its record afterwards; on failure prints the error and exits 1.

use std::process::ExitCode;

use videogen::Client;

fn run(base_url: &str, record_path: &str, output: &str) -> Result<String, Box<dyn std::error::Error>> {
    let record = std::fs::read_to_string(record_path)?;
    let client = Client::new(&format!(
        r#"{{"dialect": "openai", "base_url": "{base_url}", "api_key_env": "VIDEOGEN_API_KEY",
            "poll": {{"interval": 0.1, "max_interval": 0.5, "min_interval": 0.05}}}}"#))?;
    let mut task = client.resume(&record)?;
    println!("resumed {} ({})", task.id(), task.state());
    task.wait(None)?;
    task.download(output)?;
    Ok(task.record()?)
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().collect();
    if args.len() != 4 {
        eprintln!("usage: resume <base_url> <record.json> <output.mp4>   (key in $VIDEOGEN_API_KEY)");
        return ExitCode::from(2);
    }
    match run(&args[1], &args[2], &args[3]) {
        Ok(record) => {
            println!("record {record}");
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::FAILURE
        }
    }
}
