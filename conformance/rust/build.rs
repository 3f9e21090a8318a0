//! An rpath to the folder of libvideogen.so that the binding's build script found (it `links` videogen and exports
//! the folder as DEP_VIDEOGEN_LIB_DIR): the binding's own rpath reaches only its own tests and examples.
fn main() {
    println!("cargo:rerun-if-env-changed=DEP_VIDEOGEN_LIB_DIR");
    if let Ok(dir) = std::env::var("DEP_VIDEOGEN_LIB_DIR") {
        println!("cargo:rustc-link-arg=-Wl,-rpath,{dir}");
    }
}
