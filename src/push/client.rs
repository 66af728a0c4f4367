//! AnkiConnect's JSON protocol (version 6) over HTTP: one request is one action, or a
//! `multi` of many; every reply is `{"result": …, "error": …}`. Owns the connection, the API
//! key, chunking a long `multi` into requests of bounded size, and counting what was sent.
//! Knows nothing about notes or plans; must not import the rest of the crate but `error`.

use std::time::Duration;

use serde_json::{Value, json};

use crate::error::{Error, Result};

/// The protocol version decksmith speaks.
const VERSION: u32 = 6;

/// At most this many actions go into one `multi` request.
const MULTI_ACTIONS: usize = 250;

/// At most about this many bytes of parameters go into one `multi` request (media uploads).
const MULTI_BYTES: usize = 8 << 20;

/// One AnkiConnect action with its parameters.
#[derive(Debug, Clone)]
pub(crate) struct Action {
    /// The action's name (`addNote`, `findNotes`, …).
    pub(crate) name: &'static str,
    /// Its parameters (an object).
    pub(crate) params: Value,
}

impl Action {
    /// The action `name` with `params`.
    pub(crate) fn new(name: &'static str, params: Value) -> Self {
        Action { name, params }
    }

    /// Whether the action only reads the collection.
    pub(crate) fn reads_only(&self) -> bool {
        matches!(
            self.name,
            "version"
                | "modelNames"
                | "modelFieldNames"
                | "modelTemplates"
                | "modelStyling"
                | "deckNames"
                | "findNotes"
                | "findCards"
                | "notesInfo"
                | "getMediaFilesNames"
        )
    }
}

/// What a client sent.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Traffic {
    /// HTTP requests.
    pub requests: usize,
    /// Actions (a `multi` counts each of its actions).
    pub actions: usize,
    /// Actions that change the collection.
    pub writes: usize,
}

/// A connection to AnkiConnect.
pub(crate) struct Client {
    url: String,
    key: Option<String>,
    agent: ureq::Agent,
    traffic: Traffic,
}

impl Client {
    /// A client of the AnkiConnect at `url`, sending `key` when given.
    pub(crate) fn new(url: &str, key: Option<&str>) -> Self {
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .timeout_connect(Some(Duration::from_secs(10)))
            // A big first push makes Anki work for a while on one request.
            .timeout_global(Some(Duration::from_secs(600)))
            .http_status_as_error(false)
            .build()
            .into();
        Client {
            url: url.to_owned(),
            key: key.map(str::to_owned),
            agent,
            traffic: Traffic::default(),
        }
    }

    /// The address it talks to.
    pub(crate) fn url(&self) -> &str {
        &self.url
    }

    /// What was sent so far.
    pub(crate) fn traffic(&self) -> Traffic {
        self.traffic
    }

    /// Runs one action; its error (`{"error": "…"}`) is an [`Error::Push`].
    pub(crate) fn call(&mut self, action: Action) -> Result<Value> {
        let writes = usize::from(!action.reads_only());
        let reply = self.send(action.name, action.params, 1, writes)?;
        unwrap_envelope(reply).map_err(|e| self.refused(action.name, &e))
    }

    /// Runs many actions, as few `multi` requests as the size limits allow; one result per
    /// action, in order: its value, or AnkiConnect's error for it. A failure of a whole
    /// request (no connection, a wrong key) is an [`Error::Push`].
    pub(crate) fn multi(
        &mut self,
        actions: Vec<Action>,
        mut between: impl FnMut() -> Result<()>,
    ) -> Result<Vec<std::result::Result<Value, String>>> {
        let mut results = Vec::with_capacity(actions.len());
        let mut chunk: Vec<Value> = Vec::new();
        let mut bytes = 0;
        let mut writes = 0;
        let total = actions.len();
        for (i, action) in actions.into_iter().enumerate() {
            bytes += action.params.to_string().len();
            writes += usize::from(!action.reads_only());
            chunk.push(json!({"action": action.name, "version": VERSION, "params": action.params}));
            let last = i + 1 == total;
            if last || chunk.len() >= MULTI_ACTIONS || bytes >= MULTI_BYTES {
                between()?;
                let n = chunk.len();
                let params = json!({ "actions": std::mem::take(&mut chunk) });
                let reply = self.send("multi", params, n, writes)?;
                let replies = unwrap_envelope(reply).map_err(|e| self.refused("multi", &e))?;
                let Value::Array(replies) = replies else {
                    return Err(self.protocol("multi did not answer with a list"));
                };
                if replies.len() != n {
                    return Err(self.protocol(&format!(
                        "multi answered {} results for {n} actions",
                        replies.len()
                    )));
                }
                results.extend(replies.into_iter().map(unwrap_envelope));
                bytes = 0;
                writes = 0;
            }
        }
        Ok(results)
    }

    /// Posts one request (the parameters moved into the body, not copied); its reply as JSON.
    fn send(
        &mut self,
        action: &str,
        params: Value,
        actions: usize,
        writes: usize,
    ) -> Result<Value> {
        let mut body = json!({"action": action, "version": VERSION, "params": params});
        if let Some(key) = &self.key {
            body["key"] = Value::String(key.clone());
        }
        self.traffic.requests += 1;
        self.traffic.actions += actions;
        self.traffic.writes += writes;
        let response = self
            .agent
            .post(&self.url)
            .header("Content-Type", "application/json")
            .send(body.to_string());
        let mut response = match response {
            Ok(r) => r,
            Err(e) => return Err(self.unreachable(&e)),
        };
        let status = response.status();
        let text = response
            .body_mut()
            .with_config()
            .limit(u64::MAX)
            .read_to_string()
            .map_err(|e| self.unreachable(&e))?;
        if !status.is_success() {
            let detail: String = text.chars().take(200).collect();
            return Err(self.protocol(&format!(
                "HTTP status {} ({}){}",
                status.as_u16(),
                status.canonical_reason().unwrap_or("error"),
                if detail.is_empty() {
                    String::new()
                } else {
                    format!(": {detail}")
                }
            )));
        }
        serde_json::from_str(&text).map_err(|_| {
            self.protocol("the answer is not JSON: is this the address of AnkiConnect?")
        })
    }

    fn unreachable(&self, error: &ureq::Error) -> Error {
        let why = match error {
            ureq::Error::ConnectionFailed | ureq::Error::Io(_) => format!(
                "cannot connect ({error}): is Anki running with the AnkiConnect add-on \
                 (code 2055492159)? Give another address with --url or ANKICONNECT_URL"
            ),
            ureq::Error::HostNotFound => {
                "host not found: check the address given with --url or ANKICONNECT_URL".to_owned()
            }
            ureq::Error::Timeout(_) => {
                "no answer in time: is Anki busy with a dialog open?".to_owned()
            }
            other => other.to_string(),
        };
        Error::Push(format!("AnkiConnect at {}: {why}", self.url))
    }

    fn protocol(&self, why: &str) -> Error {
        Error::Push(format!("AnkiConnect at {}: {why}", self.url))
    }

    fn refused(&self, action: &str, error: &str) -> Error {
        let hint = if error.contains("api key") {
            if self.key.is_some() {
                "; check --key (AnkiConnect's config, `apiKey`)"
            } else {
                "; AnkiConnect has an API key set: give it with --key"
            }
        } else {
            ""
        };
        Error::Push(format!(
            "AnkiConnect at {} refused {action}: {error}{hint}",
            self.url
        ))
    }
}

/// `{"result": r, "error": null}` → `r`; `{"error": "e"}` → `e`. A reply that is not an
/// envelope is taken as the result (AnkiConnect's replies before version 5).
fn unwrap_envelope(reply: Value) -> std::result::Result<Value, String> {
    match reply {
        Value::Object(mut map) if map.contains_key("error") && map.contains_key("result") => {
            match map.remove("error") {
                Some(Value::Null) | None => Ok(map.remove("result").unwrap_or(Value::Null)),
                Some(Value::String(e)) => Err(e),
                Some(other) => Err(other.to_string()),
            }
        }
        other => Ok(other),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn envelopes_give_their_result_or_their_error() {
        assert_eq!(
            unwrap_envelope(json!({"result": [1, 2], "error": null})),
            Ok(json!([1, 2]))
        );
        assert_eq!(
            unwrap_envelope(json!({"result": null, "error": "deck was not found"})),
            Err("deck was not found".to_owned())
        );
        assert_eq!(unwrap_envelope(json!(6)), Ok(json!(6)));
    }

    #[test]
    fn nothing_listening_is_a_clear_error_naming_the_address() {
        // A port nobody listens on: bind one, then free it.
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let url = format!("http://127.0.0.1:{port}");
        let mut client = Client::new(&url, None);
        let err = client
            .call(Action::new("version", json!({})))
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with(&format!("AnkiConnect at {url}: cannot connect")),
            "{err}"
        );
        assert!(err.contains("--url"), "{err}");
        assert_eq!(client.traffic().requests, 1);
    }

    #[test]
    fn reads_are_told_from_writes() {
        assert!(Action::new("notesInfo", json!({})).reads_only());
        assert!(!Action::new("addNote", json!({})).reads_only());
        assert!(!Action::new("deleteNotes", json!({})).reads_only());
    }
}
