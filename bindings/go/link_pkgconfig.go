//go:build videogen_pkgconfig

package videogen

// With -tags videogen_pkgconfig: the installed library (`make install`), header and flags from videogen.pc. Set
// PKG_CONFIG_PATH to $PREFIX/lib/pkgconfig for a prefix pkg-config does not search.

// #cgo pkg-config: videogen
import "C"
