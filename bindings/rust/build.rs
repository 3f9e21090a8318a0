//! Links libvideogen.
//!
//! - By default, the development library of this checkout: `.build/release/libvideogen.so` two folders up
//!   (`make build`), with an rpath to it so tests and examples run as they are.
//! - `VIDEOGEN_LIB_DIR=/dir`: the library in that folder (e.g. `.build/dist/lib` after `make dist`), with an rpath.
//! - `VIDEOGEN_PKG_CONFIG=1`: an installed library, as `pkg-config --libs videogen` gives it (`make install`;
//!   `PKG_CONFIG_PATH` for a prefix pkg-config does not search), with an rpath to its libdir.
//!
//! The folder is also exported to dependents' build scripts as `DEP_VIDEOGEN_LIB_DIR` (this package `links`
//! videogen): an rpath set here reaches only this package's own tests and examples.

use std::env;
use std::path::PathBuf;
use std::process::Command;

fn main() {
    for variable in ["VIDEOGEN_LIB_DIR", "VIDEOGEN_PKG_CONFIG", "PKG_CONFIG_PATH"] {
        println!("cargo:rerun-if-env-changed={variable}");
    }
    println!("cargo:rerun-if-changed=build.rs");
    let dir = if env::var("VIDEOGEN_PKG_CONFIG").is_ok_and(|v| !v.is_empty() && v != "0") {
        from_pkg_config()
    } else if let Some(dir) = env::var_os("VIDEOGEN_LIB_DIR").filter(|d| !d.is_empty()) {
        found_in(PathBuf::from(dir), "VIDEOGEN_LIB_DIR")
    } else {
        let root = PathBuf::from(env::var_os("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"));
        let dir = root.join("../../.build/release");
        println!("cargo:rerun-if-changed={}", dir.join("libvideogen.so").display());
        found_in(dir, "the development build (run `make build` at the repository's root)")
    };
    println!("cargo:rustc-link-search=native={}", dir.display());
    println!("cargo:rustc-link-lib=dylib=videogen");
    println!("cargo:rustc-link-arg=-Wl,-rpath,{}", dir.display());
    println!("cargo:lib_dir={}", dir.display());
}

/// `dir`, canonical, after checking that it holds libvideogen.so (else the build stops saying where it looked).
fn found_in(dir: PathBuf, what: &str) -> PathBuf {
    match dir.canonicalize() {
        Ok(dir) if dir.join("libvideogen.so").exists() => dir,
        _ => panic!("libvideogen.so not found in {} ({what}); or set VIDEOGEN_LIB_DIR=<folder of libvideogen.so>, \
                     or VIDEOGEN_PKG_CONFIG=1 for an installed library", dir.display()),
    }
}

/// The libdir of the installed library, from pkg-config (its -L flags also become search paths).
fn from_pkg_config() -> PathBuf {
    let run = |args: &[&str]| -> String {
        let output = Command::new("pkg-config").args(args).arg("videogen").output()
            .unwrap_or_else(|e| panic!("VIDEOGEN_PKG_CONFIG is set but pkg-config could not run: {e}"));
        if !output.status.success() {
            panic!("pkg-config {} videogen failed (is libvideogen installed? PKG_CONFIG_PATH?): {}", args.join(" "),
                   String::from_utf8_lossy(&output.stderr).trim());
        }
        String::from_utf8_lossy(&output.stdout).trim().to_owned()
    };
    for flag in run(&["--libs-only-L"]).split_whitespace() {
        if let Some(path) = flag.strip_prefix("-L") {
            println!("cargo:rustc-link-search=native={path}");
        }
    }
    PathBuf::from(run(&["--variable=libdir"]))
}
