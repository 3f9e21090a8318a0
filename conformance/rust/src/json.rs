//! A small JSON reader and writer for the runner (std only): enough for conformance/scenarios.json and records.

use std::fmt::Write;

/// A JSON value; objects keep their members in order.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    Num(f64),
    Str(String),
    Arr(Vec<Value>),
    Obj(Vec<(String, Value)>),
}

impl Value {
    /// Parses a document; None when it is not JSON.
    pub fn parse(text: &str) -> Option<Value> {
        let mut p = Parser { s: text.as_bytes(), i: 0, depth: 0 };
        let v = p.value()?;
        p.ws();
        (p.i == p.s.len()).then_some(v)
    }

    /// The member `key` of an object (Null when absent).
    pub fn get(&self, key: &str) -> &Value {
        match self {
            Value::Obj(members) => members.iter().find(|(k, _)| k == key).map(|(_, v)| v).unwrap_or(&Value::Null),
            _ => &Value::Null,
        }
    }

    /// The string, or "".
    pub fn str(&self) -> &str {
        if let Value::Str(s) = self { s } else { "" }
    }

    /// The number, or NaN.
    pub fn num(&self) -> f64 {
        if let Value::Num(n) = self { *n } else { f64::NAN }
    }

    /// The items of an array (none otherwise).
    pub fn items(&self) -> &[Value] {
        if let Value::Arr(items) = self { items } else { &[] }
    }

    /// Sets (or adds) an object member.
    pub fn set(&mut self, key: &str, value: Value) {
        if let Value::Obj(members) = self {
            match members.iter_mut().find(|(k, _)| k == key) {
                Some(member) => member.1 = value,
                None => members.push((key.to_owned(), value)),
            }
        }
    }

    /// The value as JSON text.
    pub fn to_json(&self) -> String {
        let mut out = String::new();
        self.write(&mut out);
        out
    }

    fn write(&self, out: &mut String) {
        match self {
            Value::Null => out.push_str("null"),
            Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            Value::Num(n) => { let _ = write!(out, "{n}"); }
            Value::Str(s) => quote(s, out),
            Value::Arr(items) => {
                out.push('[');
                for (i, v) in items.iter().enumerate() {
                    if i > 0 { out.push(','); }
                    v.write(out);
                }
                out.push(']');
            }
            Value::Obj(members) => {
                out.push('{');
                for (i, (k, v)) in members.iter().enumerate() {
                    if i > 0 { out.push(','); }
                    quote(k, out);
                    out.push(':');
                    v.write(out);
                }
                out.push('}');
            }
        }
    }
}

/// Writes `s` as a JSON string.
pub fn quote(s: &str, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if (c as u32) < 0x20 => { let _ = write!(out, "\\u{:04x}", c as u32); }
            c => out.push(c),
        }
    }
    out.push('"');
}

struct Parser<'a> {
    s: &'a [u8],
    i: usize,
    depth: usize,
}

impl Parser<'_> {
    fn ws(&mut self) {
        while self.i < self.s.len() && matches!(self.s[self.i], b' ' | b'\n' | b'\t' | b'\r') { self.i += 1; }
    }

    fn eat(&mut self, word: &str) -> bool {
        let ok = self.s[self.i..].starts_with(word.as_bytes());
        if ok { self.i += word.len(); }
        ok
    }

    fn value(&mut self) -> Option<Value> {
        self.ws();
        match *self.s.get(self.i)? {
            b'{' | b'[' => {
                self.depth += 1;
                if self.depth > 64 { return None; }
                let object = self.s[self.i] == b'{';
                self.i += 1;
                let (mut items, mut members) = (Vec::new(), Vec::new());
                self.ws();
                let close = if object { b'}' } else { b']' };
                if self.s.get(self.i) == Some(&close) {
                    self.i += 1;
                } else {
                    loop {
                        if object {
                            self.ws();
                            let key = self.string()?;
                            self.ws();
                            if !self.eat(":") { return None; }
                            members.push((key, self.value()?));
                        } else {
                            items.push(self.value()?);
                        }
                        self.ws();
                        if self.eat(",") { continue; }
                        if self.s.get(self.i) != Some(&close) { return None; }
                        self.i += 1;
                        break;
                    }
                }
                self.depth -= 1;
                Some(if object { Value::Obj(members) } else { Value::Arr(items) })
            }
            b'"' => self.string().map(Value::Str),
            b't' if self.eat("true") => Some(Value::Bool(true)),
            b'f' if self.eat("false") => Some(Value::Bool(false)),
            b'n' if self.eat("null") => Some(Value::Null),
            _ => {
                let start = self.i;
                while self.i < self.s.len() && matches!(self.s[self.i], b'-' | b'+' | b'.' | b'e' | b'E' | b'0'..=b'9') {
                    self.i += 1;
                }
                std::str::from_utf8(&self.s[start..self.i]).ok()?.parse().ok().map(Value::Num)
            }
        }
    }

    fn string(&mut self) -> Option<String> {
        if !self.eat("\"") { return None; }
        let mut out = Vec::new();
        loop {
            let c = *self.s.get(self.i)?;
            self.i += 1;
            match c {
                b'"' => return String::from_utf8(out).ok(),
                b'\\' => {
                    let e = *self.s.get(self.i)?;
                    self.i += 1;
                    match e {
                        b'n' => out.push(b'\n'),
                        b't' => out.push(b'\t'),
                        b'r' => out.push(b'\r'),
                        b'b' => out.push(8),
                        b'f' => out.push(12),
                        b'u' => {
                            let hex = std::str::from_utf8(self.s.get(self.i..self.i + 4)?).ok()?;
                            let ch = char::from_u32(u32::from_str_radix(hex, 16).ok()?)?;
                            self.i += 4;
                            out.extend_from_slice(ch.to_string().as_bytes());
                        }
                        b'"' | b'\\' | b'/' => out.push(e),
                        _ => return None,
                    }
                }
                c => out.push(c),
            }
        }
    }
}
