/*
 * driver.c - runs a libFuzzer target over files named on the command line
 * (or every file in a named directory), for builds without libFuzzer: each
 * input and 64 of its prefixes, or, for the paths after "--corpus" (the
 * corpora tests/fuzz/run.sh keeps), each input whole.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int prefixes = 1; /* run 64 prefixes of each input too; off after "--corpus" */

static int run_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    uint8_t *buf;
    long size;

    if (f == NULL || fseek(f, 0, SEEK_END) != 0 || (size = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0) {
        fprintf(stderr, "cannot read %s\n", path);
        if (f)
            fclose(f);
        return -1;
    }
    buf = malloc((size_t)size + 1);
    if (buf == NULL || fread(buf, 1, (size_t)size, f) != (size_t)size) {
        fprintf(stderr, "cannot read %s\n", path);
        free(buf);
        fclose(f);
        return -1;
    }
    fclose(f);
    LLVMFuzzerTestOneInput(buf, (size_t)size);
    /* Every prefix too: truncated bodies are the commonest malformed input (not of a fuzzer's corpus, whose
     * inputs are there for what they reach whole). */
    for (long n = 0; prefixes && n < size; n += 1 + size / 64)
        LLVMFuzzerTestOneInput(buf, (size_t)n);
    free(buf);
    return 0;
}

static int run_path(const char *path, int *count)
{
    struct stat st;
    DIR *dir;
    struct dirent *e;
    char child[4096];
    int result = 0;

    if (stat(path, &st) != 0)
        return -1;
    if (!S_ISDIR(st.st_mode)) {
        (*count)++;
        return run_file(path);
    }
    dir = opendir(path);
    if (dir == NULL)
        return -1;
    while ((e = readdir(dir)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        snprintf(child, sizeof(child), "%s/%s", path, e->d_name);
        if (run_path(child, count) != 0)
            result = -1;
    }
    closedir(dir);
    return result;
}

int main(int argc, char **argv)
{
    int i, count = 0, result = 0;

    for (i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--corpus") == 0) {
            prefixes = 0; /* the paths after it are fuzzers' corpora: each input whole */
            continue;
        }
        if (run_path(argv[i], &count) != 0)
            result = 1;
    }
    printf("ran %d input(s)\n", count);
    return result != 0 || count == 0;
}
