/* kuard's flag parser on arbitrary argv: the input bytes are split into
 * arguments on NUL or newline. The parser must never crash, leak, exit or
 * print, whatever it is given; usage and the config dump are exercised too. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "kuard/flags.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 4096)
        return 0;
    char *buf = malloc(size + 1);
    char **argv = calloc(size + 3, sizeof(char *));
    if (buf == NULL || argv == NULL) {
        free(buf);
        free(argv);
        return 0;
    }
    memcpy(buf, data, size);
    buf[size] = '\0';
    int argc = 0;
    argv[argc++] = "kuard";
    char *start = buf;
    for (size_t i = 0; i <= size; i++) {
        if (i == size || buf[i] == '\0' || buf[i] == '\n') {
            buf[i] = '\0';
            argv[argc++] = start;
            start = buf + i + 1;
        }
    }
    argv[argc] = NULL;

    struct kj_kuard_flags f;
    kj_kuard_flags_init(&f);
    kj_error_t err = NULL;
    int rc = kj_kuard_flags_parse(&f, argc, argv, &err);
    if (rc < 0 && (err == NULL || err->msg == NULL))
        abort(); /* a failure must say why */
    if (rc >= 0 && err != NULL)
        abort();
    kj_error_release(&err);
    if (rc == 0) {
        char *json = kj_kuard_flags_config_json(&f);
        free(json);
    }
    kj_kuard_flags_free(&f);
    free(argv);
    free(buf);
    return 0;
}
