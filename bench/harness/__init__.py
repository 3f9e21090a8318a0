"""The benchmark harness behind `make bench`: processes, the emulator, nginx, statistics and the report."""
