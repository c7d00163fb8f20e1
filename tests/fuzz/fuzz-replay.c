/* Replays files through a libFuzzer target without libFuzzer, so that gcc
 * builds and `make check` run every saved corpus entry and crasher.
 * Usage: fuzz-<target> FILE|DIR...  Exits nonzero if an input cannot be
 * read; a crash in the target aborts the process, as it should. */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "lib/util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int
replay_file(const char *path)
{
    size_t size;
    char *data = read_whole_file(path, &size);
    if (!data) {
        fprintf(stderr, "%s: cannot read\n", path);
        return 1;
    }
    LLVMFuzzerTestOneInput((const uint8_t *) data, size);
    free(data);
    return 0;
}

static int
replay_path(const char *path, int *n_inputs)
{
    struct stat st;
    if (stat(path, &st)) {
        fprintf(stderr, "%s: cannot stat\n", path);
        return 1;
    }
    if (!S_ISDIR(st.st_mode)) {
        ++*n_inputs;
        return replay_file(path);
    }

    DIR *dir = opendir(path);
    if (!dir) {
        return 1;
    }
    int errors = 0;
    struct dirent *de;
    while ((de = readdir(dir))) {
        if (de->d_name[0] != '.') {
            char *sub = xasprintf("%s/%s", path, de->d_name);
            errors += replay_path(sub, n_inputs);
            free(sub);
        }
    }
    closedir(dir);
    return errors;
}

int
main(int argc, char *argv[])
{
    int errors = 0, n_inputs = 0;
    for (int i = 1; i < argc; i++) {
        errors += replay_path(argv[i], &n_inputs);
    }
    printf("%s: replayed %d inputs, %d unreadable\n", argv[0], n_inputs,
           errors);
    return errors != 0;
}
