/* What the C benchmarks in Scripts/ share: the thread's CPU clock and a fixed LCG for their
 * inputs (the same values on every run). */
#ifndef BRSGD_BENCH_SUPPORT_H
#define BRSGD_BENCH_SUPPORT_H
#include <time.h>

/* Seconds of CPU time of the calling thread. */
static double cpu(void) {
    struct timespec t;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

/* The next state of a 32-bit LCG (Numerical Recipes' constants) from 12345. */
static unsigned next_state(void) {
    static unsigned state = 12345u;
    state = state * 1664525u + 1013904223u;
    return state;
}

#endif
