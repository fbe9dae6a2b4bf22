/* libfoo: a shared library of the patchwise lab, used by lab-worker. */
const char *foo_version(void) { return "@VERSION@"; }
