"""Progress curves of emulated tasks: how the progress a task reports rises over its running phase.

``linear`` (the default) rises steadily from 1 to 99 %. The others vary the rate, so that a client that estimates a
task's end from its progress rate meets the cases where that estimate goes wrong:

- ``slow_start``: speeds up all the way (quadratic): every estimate from the past is late;
- ``stall``: 70 % in the first 40 % of the time, then two points in the next 30 %, then the rest: estimates made
  early come too soon, estimates made in the stall come too late;
- ``variable``: slow (10 % in the first 30 %), a burst (to 60 % by half-way), a stall (62 % at 70 %), then the rest.

A task's end does not depend on its curve: only what it reports on the way changes. Selected with the
``progress_profile`` setting (``POST /_emulator/control``); a task keeps the curve it was created with.
"""

from __future__ import annotations

#: Knots (share of the running phase, progress) of each curve, linear in between.
PROFILES: dict[str, tuple[tuple[float, float], ...]] = {
    "linear": ((0.0, 0.0), (1.0, 100.0)),
    "slow_start": tuple((i / 10, 100.0 * (i / 10) ** 2) for i in range(11)),
    "stall": ((0.0, 0.0), (0.4, 70.0), (0.7, 72.0), (1.0, 100.0)),
    "variable": ((0.0, 0.0), (0.3, 10.0), (0.5, 60.0), (0.7, 62.0), (1.0, 100.0)),
}

NAMES = tuple(PROFILES)


def progress_at(profile: str, share: float) -> float:
    """The progress (0-100, before rounding) of curve ``profile`` at ``share`` (0-1) of the running phase."""
    knots = PROFILES[profile]
    share = min(1.0, max(0.0, share))
    for (x0, p0), (x1, p1) in zip(knots, knots[1:]):
        if share <= x1:
            return p0 + (p1 - p0) * (share - x0) / (x1 - x0)
    return knots[-1][1]
