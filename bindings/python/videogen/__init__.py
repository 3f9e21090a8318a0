"""videogen: a client library for video-generation HTTP APIs.

The Python package currently ships the loopback provider emulator
(:mod:`videogen.emulator`); the ctypes binding of the Swift core is added
separately.
"""

__version__ = "0.1.0"
