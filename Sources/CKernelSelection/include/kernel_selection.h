/* Which instruction-set path the engine's and the aggregation rules' kernels take: the widest
 * this CPU runs, or the one the environment variable BRSGD_KERNELS names
 * (reference | avx2 | avx512). Every path gives the same bits: the reference path (plain Swift)
 * defines the order of operations, and each vector path reproduces it lane by lane. Forcing a
 * path lets every path be tested, and compared, on one machine. */
#ifndef BRSGD_KERNEL_SELECTION_H
#define BRSGD_KERNEL_SELECTION_H

#ifdef __cplusplus
extern "C" {
#endif

/* The paths, narrowest first. */
enum {
    BRSGD_ISA_NONE = 0,    /* the reference path: plain Swift, on any CPU */
    BRSGD_ISA_AVX2 = 1,    /* AVX2 with FMA (x86-64) */
    BRSGD_ISA_AVX512 = 2   /* AVX-512 F (x86-64) */
};

/* The widest path this CPU runs (BRSGD_ISA_NONE off x86-64). Asked once, then cached. */
int brsgd_cpu_isa(void);

/* The path the kernels take: BRSGD_KERNELS's choice when it is set and valid, else the widest
 * this CPU runs. An invalid choice (an unknown name, or a path this CPU lacks) selects the
 * reference path here, and brsgd_kernel_selection_error says why: callers that can refuse it
 * (the command line, the Swift and Python libraries) do so before any work. Read once, then
 * cached. */
int brsgd_selected_isa(void);

/* NULL when BRSGD_KERNELS is unset or valid; else one line saying what is wrong and which paths
 * this CPU runs, e.g. "BRSGD_KERNELS=avx512: this CPU lacks AVX-512; it runs reference, avx2".
 * The string is static. */
const char *brsgd_kernel_selection_error(void);

/* The path's name: "reference", "avx2" or "avx512" (NULL for another value). */
const char *brsgd_isa_name(int isa);

#ifdef __cplusplus
}
#endif

#endif
