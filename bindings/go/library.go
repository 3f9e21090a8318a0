package videogen

// #include "videogen.h"
import "C"

import (
	"fmt"
	"sync"
)

// minVersion is the first library version with the update calls (the *_v2 functions) this package uses.
const minVersion = 0x000300

var (
	libraryOnce  sync.Once
	libraryError error
)

// checkLibrary refuses a library whose ABI differs from the header this package was built with, or that is older
// than 0.3.0 (vg_abi_version, vg_version_number).
func checkLibrary() error {
	libraryOnce.Do(func() {
		if abi := C.vg_abi_version(); abi != C.VG_ABI_VERSION {
			libraryError = &Error{Code: CodeUnsupported, Op: "load", RetryAfter: -1,
				Message: fmt.Sprintf("libvideogen ABI %d, this package needs ABI %d", abi, C.VG_ABI_VERSION)}
			return
		}
		if v := C.vg_version_number(); v < minVersion {
			libraryError = &Error{Code: CodeUnsupported, Op: "load", RetryAfter: -1,
				Message: "libvideogen " + Version() + " is older than 0.3.0, which this package needs"}
		}
	})
	return libraryError
}

// Version is the loaded library's version, e.g. "0.3.0" (vg_version_string).
func Version() string { return C.GoString(C.vg_version_string()) }
