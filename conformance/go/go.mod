module videogen.local/conformance

go 1.19

require videogen v0.0.0

replace videogen => ../../bindings/go
