//! Strings across the boundary: Rust text to NUL-terminated C strings (refusing interior NULs by name), C strings
//! the library lends or gives back to Rust `String`s.

use std::ffi::{CStr, CString};
use std::os::raw::c_char;
use std::path::Path;

use crate::error::{Code, Error, Result};
use crate::ffi;

/// `text` as a C string; an interior NUL byte is refused as [`Code::InvalidArgument`] naming `what`.
pub(crate) fn c_string(what: &str, text: &str) -> Result<CString> {
    CString::new(text).map_err(|_| Error::new(Code::InvalidArgument, format!("{what} contains a NUL byte")))
}

/// `path` as a C string (its bytes as they are: the library refuses bytes that are not UTF-8, naming the path).
pub(crate) fn c_path(path: &Path) -> Result<CString> {
    use std::os::unix::ffi::OsStrExt;
    CString::new(path.as_os_str().as_bytes())
        .map_err(|_| Error::new(Code::InvalidArgument, "the path contains a NUL byte"))
}

/// A copy of a C string the library lends (NULL gives `None`; bytes that are not UTF-8 are replaced).
///
/// # Safety
/// `text` is NULL or a NUL-terminated string valid for the duration of the call.
pub(crate) unsafe fn borrowed(text: *const c_char) -> Option<String> {
    (!text.is_null()).then(|| CStr::from_ptr(text).to_string_lossy().into_owned())
}

/// A static C string of the library (`vg_code_str`, `vg_version_string`, ...) as `&'static str`.
///
/// # Safety
/// `text` is a NUL-terminated string that lives as long as the process.
pub(crate) unsafe fn static_str(text: *const c_char) -> &'static str {
    if text.is_null() {
        return "";
    }
    CStr::from_ptr(text).to_str().unwrap_or("")
}

/// Takes a string the library returned through a `char **` out-parameter: copied, then freed with
/// `vg_string_free`.
///
/// # Safety
/// `text` is NULL or a string the library allocated for the caller.
pub(crate) unsafe fn take(text: *mut c_char) -> String {
    let copy = borrowed(text).unwrap_or_default();
    ffi::vg_string_free(text);
    copy
}

/// `text` as a JSON string literal (quotes included).
pub(crate) fn json_string(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for ch in text.chars() {
        match ch {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interior_nul_is_refused_by_name() {
        let error = c_string("the request", "a\0b").unwrap_err();
        assert_eq!(error.code(), Code::InvalidArgument);
        assert_eq!(error.message(), "the request contains a NUL byte");
    }

    #[test]
    fn json_strings_are_escaped() {
        assert_eq!(json_string("a\"b\\c\n\u{1}é"), "\"a\\\"b\\\\c\\n\\u0001é\"");
    }
}
