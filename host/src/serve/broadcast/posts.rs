//! Messages grouped into the bodies of `POST /realtime/v1/api/broadcast`:
//! `{"messages":[{"topic":…,"event":"live_state","payload":{…},"private":false}, …]}`,
//! each body at most `per_post` messages (what the rate lets through at
//! once) and at most `body_limit` bytes.

use super::message::{EVENT, Message};

/// One request's body and what it carries.
#[derive(Debug)]
pub(super) struct Post {
    /// The JSON body.
    pub body: Vec<u8>,
    /// Messages in it.
    pub messages: u32,
    /// Outbox events they carry.
    pub events: usize,
}

/// The smallest body limit: a POST may always hold one message of the
/// largest payload allowed.
pub(super) fn body_limit(max_payload_bytes: u64) -> usize {
    let payload = usize::try_from(max_payload_bytes).unwrap_or(usize::MAX);
    payload.saturating_add(4_096).max(1_000_000)
}

/// One message as an element of `messages`; its payload is JSON already
/// and goes in as it is.
fn element(message: &Message, private: bool) -> Vec<u8> {
    let topic = serde_json::Value::from(message.topic.as_str());
    format!(
        r#"{{"topic":{topic},"event":"{EVENT}","payload":{},"private":{private}}}"#,
        message.payload
    )
    .into_bytes()
}

/// `messages`, in order, as request bodies.
pub(super) fn posts(
    messages: &[Message],
    per_post: u32,
    body_limit: usize,
    private: bool,
) -> Vec<Post> {
    const OPEN: &[u8] = br#"{"messages":["#;
    const CLOSE: &[u8] = b"]}";
    let mut posts = Vec::new();
    let mut current = Post {
        body: OPEN.to_vec(),
        messages: 0,
        events: 0,
    };
    for message in messages {
        let element = element(message, private);
        let full = current.messages >= per_post.max(1)
            || current.body.len() + element.len() + 1 + CLOSE.len() > body_limit;
        if current.messages > 0 && full {
            current.body.extend_from_slice(CLOSE);
            posts.push(std::mem::replace(
                &mut current,
                Post {
                    body: OPEN.to_vec(),
                    messages: 0,
                    events: 0,
                },
            ));
        }
        if current.messages > 0 {
            current.body.push(b',');
        }
        current.body.extend_from_slice(&element);
        current.messages += 1;
        current.events += message.events;
    }
    if current.messages > 0 {
        current.body.extend_from_slice(CLOSE);
        posts.push(current);
    }
    posts
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;

    fn message(i: usize) -> Message {
        Message {
            match_key: format!("m{i}"),
            topic: format!("match:m{i}"),
            payload: format!(r#"{{"match":"m{i}","pad":"{}"}}"#, "x".repeat(300)),
            events: 2,
            dropped: 0,
        }
    }

    #[test]
    fn bodies_are_the_documented_shape_and_respect_both_limits() {
        let messages: Vec<Message> = (0..25).map(message).collect();
        let posts = posts(&messages, 10, 2_000, false);
        assert!(
            posts
                .iter()
                .all(|p| p.messages <= 10 && p.body.len() <= 2_000)
        );
        assert_eq!(posts.iter().map(|p| p.messages).sum::<u32>(), 25);
        assert_eq!(posts.iter().map(|p| p.events).sum::<usize>(), 50);
        let first: Value = serde_json::from_slice(&posts[0].body).expect("JSON");
        assert_eq!(first["messages"][0]["topic"], "match:m0");
        assert_eq!(first["messages"][0]["event"], "live_state");
        assert_eq!(first["messages"][0]["private"], false);
        assert_eq!(first["messages"][0]["payload"]["match"], "m0");
        let topics: Vec<String> = posts
            .iter()
            .flat_map(|p| {
                let body: Value = serde_json::from_slice(&p.body).expect("JSON");
                body["messages"]
                    .as_array()
                    .expect("messages")
                    .iter()
                    .map(|m| m["topic"].as_str().unwrap_or_default().to_string())
                    .collect::<Vec<_>>()
            })
            .collect();
        let expected: Vec<String> = (0..25).map(|i| format!("match:m{i}")).collect();
        assert_eq!(topics, expected);
    }
}
