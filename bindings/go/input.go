package videogen

// #include <stdlib.h>
import "C"

import (
	"context"
	"strings"
)

// cString copies s for the C library, refusing a NUL byte: C would read the string only up to it, so a path or a
// document would silently lose its end. Free the result with C.free.
func cString(op, what, s string) (*C.char, error) {
	if strings.IndexByte(s, 0) >= 0 {
		return nil, &Error{Code: CodeInvalidArgument, Op: op, Message: what + " contains a NUL byte", RetryAfter: -1}
	}
	return C.CString(s), nil
}

// checkContext refuses a nil context (which would otherwise crash the select that watches it).
func checkContext(op string, ctx context.Context) error {
	if ctx == nil {
		return &Error{Code: CodeInvalidArgument, Op: op, Message: "nil context", RetryAfter: -1}
	}
	return nil
}
