//go:build !videogen_pkgconfig && !videogen_external

package videogen

// The default link: the development library of this checkout (`make build` puts it in .build/release), found at run
// time through an rpath, and the header from include/. Build with -tags videogen_pkgconfig to use an installed
// library instead (link_pkgconfig.go), or -tags videogen_external to give every flag through CGO_CFLAGS and
// CGO_LDFLAGS (link_external.go).

// #cgo CFLAGS: -I${SRCDIR}/../../include
// #cgo LDFLAGS: -L${SRCDIR}/../../.build/release -Wl,-rpath,${SRCDIR}/../../.build/release -lvideogen
import "C"
