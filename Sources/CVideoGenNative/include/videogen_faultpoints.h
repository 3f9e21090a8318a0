/* The switch of videogen's fault points (Sources/VideoGen/Support/FaultPoints.swift): tests make the library's own
 * fallible calls (file system, allocation for C callers) fail one at a time. The switch is in C so that the check
 * at every such call, when the points are off, is one relaxed atomic load of a plain global and a branch. Nothing
 * here is exported from libvideogen.so (exports.map). */
#ifndef VIDEOGEN_FAULTPOINTS_H
#define VIDEOGEN_FAULTPOINTS_H

#ifdef __cplusplus
extern "C" {
#endif

/** Non-zero while the fault points are armed. Only read and written through the functions below. */
extern int videogen_fault_points_switch;

/** Whether the fault points are armed: one relaxed atomic load. */
static inline int videogen_fault_points_armed(void) {
    return __atomic_load_n(&videogen_fault_points_switch, __ATOMIC_RELAXED);
}

/** Arms (non-zero) or disarms the fault points. */
void videogen_fault_points_set_armed(int armed);

/** Debug builds only: the value of the environment variable VIDEOGEN_FAULT_POINTS when the library was loaded
 *  (its presence armed the points then), for C programs that cannot reach the Swift switch; NULL when it was not
 *  set, and always NULL in release builds, which never read it. */
const char *videogen_fault_points_environment(void);

#ifdef __cplusplus
}
#endif

#endif
