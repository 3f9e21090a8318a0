//! The declarations of `src/ffi.rs` against `include/videogen.h`, so that they cannot drift.
//!
//! The header is parsed here (a small parser for the header's own style: typedef'd enums, structs, opaque handles,
//! callback typedefs, prototypes, `#define`s), each C type is translated to the Rust type it must be declared as,
//! and every function, callback, enum, struct and version constant is compared with the records `ffi` keeps of its
//! declarations (names, parameter names and types, return types, in order). Values and layouts come from the C
//! compiler itself: a probe program built against the header prints each enumerator's value and each struct's
//! size, alignment and field offsets and sizes, compared with the Rust `size_of`/`align_of`/`offset_of!`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use videogen::ffi;

fn header_path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../include/videogen.h")
}

/// A function or callback typedef of the header: name, `(parameter, C type)` in order, C return type.
#[derive(Debug)]
struct CSignature {
    name: String,
    params: Vec<(String, String)>,
    ret: String,
}

#[derive(Debug, Default)]
struct Header {
    defines: BTreeMap<String, String>,
    enums: Vec<(String, Vec<String>)>,
    structs: Vec<(String, Vec<(String, String)>)>,
    opaque: Vec<String>,
    callbacks: Vec<CSignature>,
    functions: Vec<CSignature>,
}

fn strip_comments(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    loop {
        let block = rest.find("/*");
        let line = rest.find("//");
        match (block, line) {
            (Some(b), l) if l.map_or(true, |l| b < l) => {
                out.push_str(&rest[..b]);
                let end = rest[b..].find("*/").expect("unterminated comment") + b + 2;
                rest = &rest[end..];
            }
            (_, Some(l)) => {
                out.push_str(&rest[..l]);
                rest = &rest[l..];
                rest = &rest[rest.find('\n').unwrap_or(rest.len())..];
            }
            _ => {
                out.push_str(rest);
                return out;
            }
        }
    }
}

fn squash(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// `"const char *config_json"` → `("config_json", "const char *")`.
fn split_declarator(text: &str) -> (String, String) {
    let text = text.trim();
    let at = text.rfind(|c: char| !(c.is_alphanumeric() || c == '_')).map_or(0, |i| i + 1);
    (text[at..].to_owned(), squash(&text[..at]))
}

fn params(text: &str) -> Vec<(String, String)> {
    let text = text.trim();
    if text == "void" || text.is_empty() {
        return Vec::new();
    }
    text.split(',').map(split_declarator).collect()
}

fn parse_header(text: &str) -> Header {
    let mut header = Header::default();
    let mut kept = String::new();
    let mut skipping = 0usize;
    for line in strip_comments(text).lines() {
        let trimmed = line.trim();
        if let Some(directive) = trimmed.strip_prefix('#') {
            let directive = directive.trim();
            if skipping > 0 {
                if directive.starts_with("if") {
                    skipping += 1;
                } else if directive.starts_with("endif") {
                    skipping -= 1;
                }
            } else if directive == "ifdef __cplusplus" {
                skipping = 1;
            } else if let Some(define) = directive.strip_prefix("define ") {
                let (name, value) = define.trim().split_once(char::is_whitespace).unwrap_or((define.trim(), ""));
                header.defines.insert(name.to_owned(), value.trim().to_owned());
            }
            continue;
        }
        if skipping == 0 {
            kept.push_str(line);
            kept.push('\n');
        }
    }
    let mut depth = 0i32;
    let mut statement = String::new();
    for ch in kept.chars() {
        match ch {
            '{' => depth += 1,
            '}' => depth -= 1,
            _ => {}
        }
        if ch == ';' && depth == 0 {
            parse_statement(&squash(&statement), &mut header);
            statement.clear();
        } else {
            statement.push(ch);
        }
    }
    assert!(squash(&statement).is_empty(), "text after the last declaration: {statement}");
    header
}

fn parse_statement(s: &str, header: &mut Header) {
    if let Some(rest) = s.strip_prefix("typedef enum ") {
        let open = rest.find('{').expect("enum body");
        let close = rest.rfind('}').expect("enum body end");
        let name = rest[close + 1..].trim().to_owned();
        assert_eq!(rest[..open].trim(), name, "enum tag and typedef name differ");
        let values = rest[open + 1..close].split(',').map(str::trim).filter(|v| !v.is_empty())
            .map(|v| v.split('=').next().unwrap().trim().to_owned()).collect();
        header.enums.push((name, values));
    } else if let Some(rest) = s.strip_prefix("typedef struct ") {
        if let Some(open) = rest.find('{') {
            let close = rest.rfind('}').expect("struct body end");
            let name = rest[close + 1..].trim().to_owned();
            assert_eq!(rest[..open].trim(), name, "struct tag and typedef name differ");
            let fields = rest[open + 1..close].split(';').map(str::trim).filter(|f| !f.is_empty())
                .map(split_declarator).collect();
            header.structs.push((name, fields));
        } else {
            let words: Vec<&str> = rest.split_whitespace().collect();
            assert!(words.len() == 2 && words[0] == words[1], "opaque typedef: {s}");
            header.opaque.push(words[0].to_owned());
        }
    } else if let Some(rest) = s.strip_prefix("typedef ") {
        let star = rest.find("(*").expect("a callback typedef");
        let close = rest[star..].find(')').unwrap() + star;
        let open = rest[close..].find('(').unwrap() + close;
        let end = rest.rfind(')').unwrap();
        header.callbacks.push(CSignature {
            name: rest[star + 2..close].trim().to_owned(),
            params: params(&rest[open + 1..end]),
            ret: squash(&rest[..star]),
        });
    } else if !s.is_empty() {
        let open = s.find('(').unwrap_or_else(|| panic!("not a prototype: {s}"));
        let end = s.rfind(')').unwrap();
        let (name, ret) = split_declarator(&s[..open]);
        header.functions.push(CSignature { name, params: params(&s[open + 1..end]), ret });
    }
}

/// The Rust type a C type of the header is declared as in `ffi` (whitespace-free, as compared).
fn rust_type(c: &str) -> String {
    let spaced = c.replace('*', " * ");
    let tokens: Vec<&str> = spaced.split_whitespace().collect();
    let const_first = tokens.first() == Some(&"const");
    let stars = tokens.iter().filter(|t| **t == "*").count();
    let words: Vec<&str> = tokens.iter().copied().filter(|t| *t != "*" && *t != "const").collect();
    assert!(!tokens.iter().skip(1).any(|t| *t == "const"), "a const this mapping does not know: {c}");
    let base = match words.join(" ").as_str() {
        "int" => "c_int".to_owned(),
        "unsigned int" => "c_uint".to_owned(),
        "double" => "c_double".to_owned(),
        "size_t" => "usize".to_owned(),
        "uint64_t" => "u64".to_owned(),
        "uint8_t" => "u8".to_owned(),
        "int64_t" => "i64".to_owned(),
        "char" => "c_char".to_owned(),
        "void" if stars == 0 => return String::new(),
        "void" => "c_void".to_owned(),
        name if name.starts_with("vg_") => name.to_owned(),
        other => panic!("a C type this mapping does not know: {other}"),
    };
    let mut rust = base;
    for level in 0..stars {
        rust = format!("*{}{rust}", if level == 0 && const_first { "const" } else { "mut" });
    }
    rust
}

fn bare(text: &str) -> String {
    text.chars().filter(|c| !c.is_whitespace()).collect()
}

fn compare_signature(c: &CSignature, rust: &ffi::SignatureRecord) {
    let expected: Vec<(String, String)> = c.params.iter().map(|(n, t)| (n.clone(), rust_type(t))).collect();
    let declared: Vec<(String, String)> = rust.params.iter().map(|(n, t)| (n.to_string(), bare(t))).collect();
    assert_eq!(declared, expected, "parameters of {}", c.name);
    assert_eq!(bare(rust.ret), rust_type(&c.ret), "return type of {}", c.name);
}

fn header() -> Header {
    let text = std::fs::read_to_string(header_path()).expect("include/videogen.h");
    parse_header(&text)
}

#[test]
fn every_function_of_the_header_is_declared_with_its_signature() {
    let header = header();
    assert!(header.functions.len() > 40, "the parser found {} functions", header.functions.len());
    let declared: BTreeMap<&str, &ffi::SignatureRecord> = ffi::FUNCTIONS.iter().map(|f| (f.name, f)).collect();
    let in_header: Vec<&str> = header.functions.iter().map(|f| f.name.as_str()).collect();
    let missing: Vec<&&str> = in_header.iter().filter(|n| !declared.contains_key(**n)).collect();
    assert!(missing.is_empty(), "declared in the header, not in ffi: {missing:?}");
    let extra: Vec<&&str> = declared.keys().filter(|n| !in_header.contains(n)).collect();
    assert!(extra.is_empty(), "declared in ffi, not in the header: {extra:?}");
    for function in &header.functions {
        compare_signature(function, declared[function.name.as_str()]);
    }
}

#[test]
fn every_callback_type_matches() {
    let header = header();
    let names: Vec<&str> = header.callbacks.iter().map(|c| c.name.as_str()).collect();
    let declared: Vec<&str> = ffi::CALLBACKS.iter().map(|c| c.name).collect();
    assert_eq!(declared, names);
    for (c, rust) in header.callbacks.iter().zip(ffi::CALLBACKS) {
        compare_signature(c, rust);
    }
}

#[test]
fn the_opaque_handles_match() {
    assert_eq!(ffi::OPAQUE, header().opaque.iter().map(String::as_str).collect::<Vec<_>>());
}

#[test]
fn the_version_constants_match() {
    let defines = header().defines;
    let number = |name: &str| defines[name].parse::<u32>().unwrap_or_else(|_| panic!("{name}: {}", defines[name]));
    assert_eq!(ffi::VG_VERSION_MAJOR, number("VG_VERSION_MAJOR"));
    assert_eq!(ffi::VG_VERSION_MINOR, number("VG_VERSION_MINOR"));
    assert_eq!(ffi::VG_VERSION_PATCH, number("VG_VERSION_PATCH"));
    assert_eq!(ffi::VG_ABI_VERSION, number("VG_ABI_VERSION"));
    assert_eq!(format!("\"{}\"", ffi::VG_VERSION_STRING), defines["VG_VERSION_STRING"]);
}

/// What the C compiler says of the header: enumerator values and struct layouts, by name.
fn probe(header: &Header) -> BTreeMap<String, (i64, i64)> {
    let mut source = String::from("#include <stdio.h>\n#include <stddef.h>\n#include \"videogen.h\"\nint main(void) {\n");
    for (_, values) in &header.enums {
        for value in values {
            source += &format!("  printf(\"{value} %lld 0\\n\", (long long){value});\n");
        }
    }
    for (name, fields) in &header.structs {
        source += &format!("  printf(\"{name} %zu %zu\\n\", sizeof({name}), _Alignof({name}));\n");
        for (field, _) in fields {
            source += &format!("  printf(\"{name}.{field} %zu %zu\\n\", offsetof({name}, {field}), \
                                sizeof((({name} *)0)->{field}));\n");
        }
    }
    source += "  return 0;\n}\n";
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("header-probe");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("probe.c"), source).unwrap();
    let cc = std::env::var("CC").unwrap_or_else(|_| "cc".into());
    let include = header_path().parent().unwrap().to_owned();
    let built = Command::new(&cc).args(["-std=c11", "-Wall", "-Werror", "-o"]).arg(dir.join("probe"))
        .arg(dir.join("probe.c")).arg("-I").arg(&include).output()
        .unwrap_or_else(|e| panic!("the C compiler ({cc}) is needed for this test: {e}"));
    assert!(built.status.success(), "{}", String::from_utf8_lossy(&built.stderr));
    let ran = Command::new(dir.join("probe")).output().unwrap();
    assert!(ran.status.success());
    String::from_utf8(ran.stdout).unwrap().lines().map(|line| {
        let parts: Vec<&str> = line.split(' ').collect();
        (parts[0].to_owned(), (parts[1].parse().unwrap(), parts[2].parse().unwrap()))
    }).collect()
}

#[test]
fn every_enum_value_and_struct_layout_matches_the_c_compiler() {
    let header = header();
    let c = probe(&header);

    let enum_names: Vec<&str> = header.enums.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(ffi::ENUMS.iter().map(|e| e.name).collect::<Vec<_>>(), enum_names);
    for ((name, values), rust) in header.enums.iter().zip(ffi::ENUMS) {
        let declared: Vec<&str> = rust.values.iter().map(|(v, _)| *v).collect();
        assert_eq!(declared, *values, "enumerators of {name}");
        for (value, number) in rust.values {
            assert_eq!(i64::from(*number), c[*value].0, "value of {value}");
        }
    }
    // C enums are int-sized here, as the Rust aliases (c_int) assume.
    assert_eq!(c["vg_update.kind"].1, std::mem::size_of::<ffi::vg_event_kind>() as i64);

    let struct_names: Vec<&str> = header.structs.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(ffi::STRUCTS.iter().map(|s| s.name).collect::<Vec<_>>(), struct_names);
    for ((name, fields), rust) in header.structs.iter().zip(ffi::STRUCTS) {
        assert_eq!((rust.size as i64, rust.align as i64), c[name.as_str()], "size and alignment of {name}");
        let declared: Vec<(&str, String)> = rust.fields.iter().map(|(f, t, _, _)| (*f, bare(t))).collect();
        let expected: Vec<(&str, String)> = fields.iter().map(|(f, t)| (f.as_str(), rust_type(t))).collect();
        assert_eq!(declared, expected, "fields of {name}");
        for (field, _, offset, size) in rust.fields {
            assert_eq!((*offset as i64, *size as i64), c[&format!("{name}.{field}")], "offset and size of {name}.{field}");
        }
    }
}

#[test]
fn the_parser_sees_a_drifted_declaration() {
    // A guard that the comparison can fail: a changed parameter type and an added enumerator are seen.
    let text = std::fs::read_to_string(header_path()).unwrap()
        .replace("vg_code vg_task_poll(vg_task *task, vg_error **error);",
                 "vg_code vg_task_poll(vg_task *task, int flags, vg_error **error);")
        .replace("VG_E_NOMEM = 27", "VG_E_NOMEM = 27,\n    VG_E_NEW = 28");
    let drifted = parse_header(&text);
    let poll = drifted.functions.iter().find(|f| f.name == "vg_task_poll").unwrap();
    let rust = ffi::FUNCTIONS.iter().find(|f| f.name == "vg_task_poll").unwrap();
    assert!(std::panic::catch_unwind(|| compare_signature(poll, rust)).is_err());
    let codes = &drifted.enums.iter().find(|(n, _)| n == "vg_code").unwrap().1;
    assert_eq!(codes.last().map(String::as_str), Some("VG_E_NEW"));
    assert_ne!(codes.len(), ffi::ENUMS[0].values.len());
}
