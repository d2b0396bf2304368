//! Server-sent events read from a byte stream, as the HTML standard
//! parses them: lines ended by LF, CRLF or CR, `field: value`, comments
//! (`:`) skipped, an event dispatched at a blank line when it has data.
//! Only what `/live/events` sends is kept: `id`, `event` and `data`.

/// One event of the stream.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SseEvent {
    /// Its `id:` field, when it had one.
    pub id: Option<String>,
    /// Its `event:` field (`message` when absent).
    pub event: String,
    /// Its `data:` lines, joined by newlines.
    pub data: String,
}

/// Turns the chunks of a response body, cut anywhere, into events.
#[derive(Debug, Default)]
pub struct SseParser {
    /// Bytes of a line not ended yet.
    pending: Vec<u8>,
    /// The previous chunk ended on a CR: an LF first in this one is its pair.
    after_cr: bool,
    id: Option<String>,
    event: Option<String>,
    data: Option<String>,
}

impl SseParser {
    /// Takes the next chunk; returns the events it completed, in order.
    pub fn push(&mut self, chunk: &[u8]) -> Vec<SseEvent> {
        let mut events = Vec::new();
        for &byte in chunk {
            if std::mem::take(&mut self.after_cr) && byte == b'\n' {
                continue;
            }
            match byte {
                b'\n' | b'\r' => {
                    self.after_cr = byte == b'\r';
                    let line = std::mem::take(&mut self.pending);
                    if let Some(event) = self.line(&String::from_utf8_lossy(&line)) {
                        events.push(event);
                    }
                }
                _ => self.pending.push(byte),
            }
        }
        events
    }

    /// One whole line; the event it ends, if any.
    fn line(&mut self, line: &str) -> Option<SseEvent> {
        if line.is_empty() {
            let data = self.data.take()?;
            return Some(SseEvent {
                id: self.id.clone(),
                event: self.event.take().unwrap_or_else(|| "message".to_string()),
                data,
            });
        }
        if line.starts_with(':') {
            return None;
        }
        let (field, value) = line.split_once(':').unwrap_or((line, ""));
        let value = value.strip_prefix(' ').unwrap_or(value);
        match field {
            "id" if !value.contains('\0') => self.id = Some(value.to_string()),
            "event" => self.event = Some(value.to_string()),
            "data" => match &mut self.data {
                Some(data) => {
                    data.push('\n');
                    data.push_str(value);
                }
                None => self.data = Some(value.to_string()),
            },
            _ => {}
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(id: &str, kind: &str, data: &str) -> SseEvent {
        SseEvent {
            id: Some(id.to_string()),
            event: kind.to_string(),
            data: data.to_string(),
        }
    }

    #[test]
    fn events_cut_anywhere_between_chunks_come_out_whole() {
        let stream = b"id: 7\nevent: goal\ndata: {\"a\":1}\n\n: keep-alive\n\nid:8\r\nevent:card\r\ndata:x\r\ndata: y\r\n\r\n";
        let whole = SseParser::default().push(stream);
        assert_eq!(
            whole,
            [event("7", "goal", "{\"a\":1}"), event("8", "card", "x\ny")]
        );
        for cut in 0..stream.len() {
            let mut parser = SseParser::default();
            let mut got = parser.push(&stream[..cut]);
            got.extend(parser.push(&stream[cut..]));
            assert_eq!(got, whole, "cut at {cut}");
        }
    }

    #[test]
    fn a_blank_line_without_data_dispatches_nothing_and_the_id_carries_over() {
        let mut parser = SseParser::default();
        assert!(parser.push(b"id: 3\n\n").is_empty());
        assert_eq!(
            parser.push(b"data: d\n\n"),
            [SseEvent {
                id: Some("3".to_string()),
                event: "message".to_string(),
                data: "d".to_string(),
            }]
        );
    }

    #[test]
    fn lines_ended_by_a_lone_cr_split_there() {
        let got = SseParser::default().push(b"id: 1\revent: goal\rdata: z\r\r");
        assert_eq!(got, [event("1", "goal", "z")]);
    }
}
