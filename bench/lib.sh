# Shared by the bench scripts (sourced): load figures and medians.
load() { cut -d' ' -f1-3 /proc/loadavg; }
load1() { cut -d' ' -f1 /proc/loadavg; }
# median X...: the median of the numbers, two decimals.
median() {
    printf '%s\n' "$@" | sort -n |
        awk '{v[NR] = $1} END {printf "%.2f", (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'
}
