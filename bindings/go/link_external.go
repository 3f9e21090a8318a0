//go:build videogen_external

package videogen

// With -tags videogen_external: nothing but -lvideogen here; the caller gives the header's directory in CGO_CFLAGS
// (-I...) and the library's in CGO_LDFLAGS (-L... and, unless the library is on the loader's path, -Wl,-rpath,...),
// for example the self-contained library of `make dist` in .build/dist.

// #cgo LDFLAGS: -lvideogen
import "C"
