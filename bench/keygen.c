/* Seconds per kuard keygen item: one 4096-bit RSA key plus its SSH
 * fingerprint, exactly what the workload does per item.
 *
 *   build/<variant>/bench/keygen [N [BITS]]     (default N=5, BITS=4096)
 *
 * Prints each key's wall and CPU time, then the summary. RSA prime
 * search is random, so single keys vary a lot; N >= 5 for a usable mean. */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "kuard/fingerprint.h"

static double clock_s(clockid_t id)
{
    struct timespec ts;
    clock_gettime(id, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
    int n = argc > 1 ? atoi(argv[1]) : 5;
    int bits = argc > 2 ? atoi(argv[2]) : KJ_KUARD_RSA_BITS;
    if (n <= 0 || bits < 512) {
        fprintf(stderr, "usage: %s [N [BITS]]\n", argv[0]);
        return 2;
    }
    double *t = calloc((size_t)n, sizeof(double));
    if (t == NULL)
        return 1;
    double sum = 0, cpu_sum = 0;
    for (int i = 0; i < n; i++) {
        char fp[KJ_KUARD_FP_SIZE];
        kj_error_t err = NULL;
        double start = clock_s(CLOCK_MONOTONIC), cpu_start = clock_s(CLOCK_PROCESS_CPUTIME_ID);
        if (kj_kuard_keygen_one(bits, fp, sizeof(fp), &err) < 0) {
            fprintf(stderr, "keygen: %s\n", err->msg);
            kj_error_release(&err);
            free(t);
            return 1;
        }
        t[i] = clock_s(CLOCK_MONOTONIC) - start;
        double cpu = clock_s(CLOCK_PROCESS_CPUTIME_ID) - cpu_start;
        sum += t[i];
        cpu_sum += cpu;
        printf("key %d: %.3f s wall, %.3f s cpu %s\n", i + 1, t[i], cpu, fp);
    }
    qsort(t, (size_t)n, sizeof(double), cmp_double);
    /* CPU time is the figure to compare on a shared machine; wall time
     * includes waiting for a core. */
    printf("keygen %d-bit: n=%d mean=%.3f s/key wall (median %.3f, min %.3f, max %.3f), mean cpu=%.3f s/key\n",
           bits, n, sum / n, n % 2 ? t[n / 2] : (t[n / 2 - 1] + t[n / 2]) / 2, t[0], t[n - 1],
           cpu_sum / n);
    free(t);
    return 0;
}
