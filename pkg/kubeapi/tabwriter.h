/* Go's text/tabwriter, which both `kubectl get` and `kubectl describe`
 * print through: cells end at '\t'; within each block of consecutive lines
 * that have a cell in column k, column k is padded to its widest cell plus
 * `padding` (at least `minwidth`). The last cell of a line is never padded.
 * Widths count UTF-8 code points. kubectl get: minwidth 6, padding 3;
 * describe: minwidth 0, padding 2.
 */
#ifndef KJ_KUBEAPI_TABWRITER_H
#define KJ_KUBEAPI_TABWRITER_H

/* Align the whole text; returns a new string owned by the caller (NULL on OOM). */
char *kj_tabwrite(const char *text, int minwidth, int padding);

#endif
