/* BRSGD_KERNELS, read once (see kernel_selection.h). */
#include "kernel_selection.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int cpu_isa_uncached(void) {
#if defined(__x86_64__) && defined(__clang__)
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))
        return BRSGD_ISA_AVX512;
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return BRSGD_ISA_AVX2;
#endif
    return BRSGD_ISA_NONE;
}

int brsgd_cpu_isa(void) {
    /* Threads that race here all store the same value. */
    static _Atomic int cached = -1;
    int known = atomic_load_explicit(&cached, memory_order_relaxed);
    if (known < 0) {
        known = cpu_isa_uncached();
        atomic_store_explicit(&cached, known, memory_order_relaxed);
    }
    return known;
}

const char *brsgd_isa_name(int isa) {
    switch (isa) {
    case BRSGD_ISA_NONE: return "reference";
    case BRSGD_ISA_AVX2: return "avx2";
    case BRSGD_ISA_AVX512: return "avx512";
    default: return NULL;
    }
}

/* The selection and its error, worked out once. */
struct selection {
    int isa;
    char error[256];
};

static void select_path(struct selection *s) {
    const int cpu = brsgd_cpu_isa();
    s->isa = cpu;
    s->error[0] = 0;
    const char *value = getenv("BRSGD_KERNELS");
    if (value == NULL || value[0] == 0) return;
    char runs[64] = "reference";
    for (int isa = BRSGD_ISA_AVX2; isa <= cpu; isa++) {
        strncat(runs, ", ", sizeof runs - strlen(runs) - 1);
        strncat(runs, brsgd_isa_name(isa), sizeof runs - strlen(runs) - 1);
    }
    for (int isa = BRSGD_ISA_NONE; isa <= BRSGD_ISA_AVX512; isa++) {
        if (strcmp(value, brsgd_isa_name(isa)) != 0) continue;
        if (isa > cpu) {
            s->isa = BRSGD_ISA_NONE;
            snprintf(s->error, sizeof s->error, "BRSGD_KERNELS=%.40s: this CPU lacks %s; it runs %s", value,
                     isa == BRSGD_ISA_AVX512 ? "AVX-512" : "AVX2 with FMA", runs);
        } else {
            s->isa = isa;
        }
        return;
    }
    s->isa = BRSGD_ISA_NONE;
    snprintf(s->error, sizeof s->error,
             "BRSGD_KERNELS=%.40s: unknown kernel path (reference, avx2 or avx512); this CPU runs %s", value, runs);
}

static struct selection *selection(void) {
    /* Written once by the first caller; later callers read it (C11 call_once is missing on
     * some libcs, so an atomic flag with a spin for the rare racer). */
    static struct selection chosen;
    static _Atomic int state = 0;   /* 0 not yet, 1 being written, 2 ready */
    int expected = 0;
    if (atomic_load_explicit(&state, memory_order_acquire) == 2) return &chosen;
    if (atomic_compare_exchange_strong(&state, &expected, 1)) {
        select_path(&chosen);
        atomic_store_explicit(&state, 2, memory_order_release);
    } else {
        while (atomic_load_explicit(&state, memory_order_acquire) != 2) {}
    }
    return &chosen;
}

int brsgd_selected_isa(void) { return selection()->isa; }

const char *brsgd_kernel_selection_error(void) {
    struct selection *s = selection();
    return s->error[0] ? s->error : NULL;
}
