/* See include/videogen_faultpoints.h. */
#include "videogen_faultpoints.h"

#include <stdlib.h>
#include <string.h>

int videogen_fault_points_switch;

void videogen_fault_points_set_armed(int armed) {
    __atomic_store_n(&videogen_fault_points_switch, armed ? 1 : 0, __ATOMIC_RELAXED);
}

#ifdef DEBUG
/* A copy of the variable's value, taken before main (or when the library is loaded). */
static char environment[64];

__attribute__((constructor)) static void videogen_fault_points_read_environment(void) {
    const char *value = getenv("VIDEOGEN_FAULT_POINTS");
    if (value == NULL || value[0] == '\0' || strlen(value) >= sizeof environment) return;
    memcpy(environment, value, strlen(value) + 1);
    videogen_fault_points_set_armed(1);
}

const char *videogen_fault_points_environment(void) {
    return environment[0] != '\0' ? environment : NULL;
}
#else
const char *videogen_fault_points_environment(void) {
    return NULL;
}
#endif
