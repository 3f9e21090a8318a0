//! [`Config`]: the configuration document of [`crate::Client::with_config`], built field by field.

use std::fmt;

use crate::text::json_string;

/// The members whose values are secrets: hidden by `Debug` and wiped from memory when the `Config` is dropped.
const SECRETS: [&str; 3] = ["api_key", "access_token", "secret_key"];

/// A client configuration (the JSON document of the top-level README's "Configuration (JSON)" section), built with
/// one method per field; the library checks it when the client is created ([`crate::Client::with_config`]), and
/// refuses a field its dialect does not use by name. Fields never set are left out, so the library's (and a
/// preset's) defaults apply; setting a field twice keeps the last value. `Debug` never shows the API key, the access
/// token or the secret key, and dropping the `Config` overwrites them in memory.
///
/// ```no_run
/// let config = videogen::Config::new().provider("kling").api_key_env("KLING_ACCESS_KEY")
///     .secret_key_env("KLING_SECRET_KEY");
/// let client = videogen::Client::with_config(&config)?;
/// # Ok::<(), videogen::Error>(())
/// ```
#[derive(Clone, Default)]
pub struct Config {
    /// (member name, its JSON text), in the order first set.
    members: Vec<(String, String)>,
}

impl Config {
    /// An empty configuration (give at least `provider` or `dialect`, and the key).
    pub fn new() -> Config {
        Config::default()
    }

    /// Sets member `name` to `json` (JSON text, e.g. `"30"` or `r#"{"interval": 2}"#`): the fields without a method
    /// of their own (`poll`, `retry`, `proxy`, ...). The library refuses an unknown name or a malformed value.
    pub fn field(mut self, name: &str, json: impl Into<String>) -> Config {
        let json = json.into();
        match self.members.iter_mut().find(|(n, _)| n == name) {
            Some(member) => wipe_into(&mut member.1, json),
            None => self.members.push((name.to_owned(), json)),
        }
        self
    }

    fn text(self, name: &str, value: &str) -> Config {
        self.field(name, json_string(value))
    }

    /// A preset ("applerouter", "routerone", "kling", "fal", "replicate", "vertex", ...): dialect, address, schedule.
    pub fn provider(self, name: &str) -> Config {
        self.text("provider", name)
    }
    /// The dialect ("openai", "unified", "kling_official", "fal", "replicate", "vertex", ...), required without a
    /// provider.
    pub fn dialect(self, name: &str) -> Config {
        self.text("dialect", name)
    }
    /// The http(s) root of the service (overrides a preset's).
    pub fn base_url(self, url: &str) -> Config {
        self.text("base_url", url)
    }
    /// The API key itself (hidden by `Debug`); prefer [`Config::api_key_env`].
    pub fn api_key(self, key: &str) -> Config {
        self.text("api_key", key)
    }
    /// The environment variable holding the API key (Kling's own API: the access key).
    pub fn api_key_env(self, variable: &str) -> Config {
        self.text("api_key_env", variable)
    }
    /// unified only: "generations" or "videos".
    pub fn status_route(self, route: &str) -> Config {
        self.text("status_route", route)
    }
    /// vertex only: the Google Cloud project (needed to submit, not to resume).
    pub fn project(self, project: &str) -> Config {
        self.text("project", project)
    }
    /// vertex only: the Google Cloud location (default "us-central1").
    pub fn location(self, location: &str) -> Config {
        self.text("location", location)
    }
    /// vertex only: an OAuth access token, sent as is and never renewed (hidden by `Debug`).
    pub fn access_token(self, token: &str) -> Config {
        self.text("access_token", token)
    }
    /// vertex only: the environment variable holding the access token.
    pub fn access_token_env(self, variable: &str) -> Config {
        self.text("access_token_env", variable)
    }
    /// vertex only: a service account key file, from which the library mints and renews access tokens.
    pub fn service_account_file(self, path: &str) -> Config {
        self.text("service_account_file", path)
    }
    /// kling_official only (required there): Kling's secret key, which signs the JWT (hidden by `Debug`).
    pub fn secret_key(self, key: &str) -> Config {
        self.text("secret_key", key)
    }
    /// kling_official only: the environment variable holding the secret key.
    pub fn secret_key_env(self, variable: &str) -> Config {
        self.text("secret_key_env", variable)
    }
    /// replicate only: `Prefer: wait=N` seconds (0-60, 0 for none; default 5).
    pub fn prefer_wait(self, seconds: u32) -> Config {
        self.field("prefer_wait", seconds.to_string())
    }
    /// fal and replicate only: the service drops the task `wait_timeout` after the submit.
    pub fn server_deadline(self, on: bool) -> Config {
        self.field("server_deadline", on.to_string())
    }
    /// minimax only: "v1" (default) or "v2", the API new tasks are created with.
    pub fn minimax_api(self, api: &str) -> Config {
        self.text("minimax_api", api)
    }
    /// runway only: the `X-Runway-Version` sent (default "2024-11-06").
    pub fn runway_version(self, version: &str) -> Config {
        self.text("runway_version", version)
    }
    /// Allows plain http to a host other than loopback.
    pub fn allow_insecure_http(self, on: bool) -> Config {
        self.field("allow_insecure_http", on.to_string())
    }
    /// Seconds for one whole request.
    pub fn request_timeout(self, seconds: f64) -> Config {
        self.field("request_timeout", number(seconds))
    }
    /// The default deadline of a wait, seconds.
    pub fn wait_timeout(self, seconds: f64) -> Config {
        self.field("wait_timeout", number(seconds))
    }

    /// The configuration document (JSON). It holds the secrets given: hand it to the library, do not log it.
    pub fn to_json(&self) -> String {
        let members: Vec<String> = self.members.iter().map(|(n, v)| format!("{}: {v}", json_string(n))).collect();
        format!("{{{}}}", members.join(", "))
    }
}

/// A finite number as JSON (a non-finite one becomes `null`, which the library refuses by the field's name).
fn number(value: f64) -> String {
    if value.is_finite() { format!("{value:?}") } else { "null".to_owned() }
}

/// Replaces `old` by `new`, overwriting the old text's bytes first.
fn wipe_into(old: &mut String, new: String) {
    wipe(old);
    *old = new;
}

/// Overwrites a string's bytes with zeros (a secret not left behind in freed memory).
fn wipe(text: &mut String) {
    // SAFETY: zero bytes are valid UTF-8.
    unsafe { text.as_bytes_mut() }.iter_mut().for_each(|b| unsafe { std::ptr::write_volatile(b, 0) });
}

impl Drop for Config {
    fn drop(&mut self) {
        for (name, value) in &mut self.members {
            if SECRETS.contains(&name.as_str()) {
                wipe(value);
            }
        }
    }
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut map = f.debug_map();
        for (name, value) in &self.members {
            if SECRETS.contains(&name.as_str()) {
                map.entry(name, &"<redacted>");
            } else {
                map.entry(name, &format_args!("{value}"));
            }
        }
        map.finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_become_json_members_and_the_last_value_wins() {
        let config = Config::new().dialect("replicate").prefer_wait(0).server_deadline(true).prefer_wait(3)
            .request_timeout(30.0).field("poll", r#"{"interval": 2}"#);
        assert_eq!(config.to_json(), r#"{"dialect": "replicate", "prefer_wait": 3, "server_deadline": true, "request_timeout": 30.0, "poll": {"interval": 2}}"#);
        assert_eq!(Config::new().wait_timeout(f64::NAN).to_json(), r#"{"wait_timeout": null}"#);
        assert_eq!(Config::new().project("a\"b").to_json(), r#"{"project": "a\"b"}"#);
    }

    #[test]
    fn debug_hides_every_secret() {
        let config = Config::new().provider("vertex").api_key("AK-SECRET").access_token("ya29.TOKEN-SECRET")
            .secret_key("SK-SECRET").secret_key_env("SK_VAR").access_token_env("TOKEN_VAR").project("p-1")
            .location("europe-west4").service_account_file("sa.json").minimax_api("v2").runway_version("2024-11-06");
        let shown = format!("{config:?} {config:#?}");
        for secret in ["AK-SECRET", "TOKEN-SECRET", "SK-SECRET"] {
            assert!(!shown.contains(secret), "{shown}");
        }
        for kept in ["SK_VAR", "TOKEN_VAR", "p-1", "europe-west4", "sa.json", "\"v2\"", "2024-11-06", "<redacted>"] {
            assert!(shown.contains(kept), "{kept} missing from {shown}");
        }
        assert!(config.to_json().contains(r#""secret_key": "SK-SECRET""#));
    }
}
