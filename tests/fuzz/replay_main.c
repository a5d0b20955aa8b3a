/* replay_main.c - runs a libFuzzer target over files, without libFuzzer.
 *
 * Usage: replay_TARGET FILE|DIR ...  Each file is passed once to
 * LLVMFuzzerTestOneInput. Prints TAP ("ok N - path"), so make check counts
 * every corpus entry as a test. A crash or sanitizer report fails the run. */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int replay_n;

static void replay_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    unsigned char *data;
    long size;

    if (!f) {
        printf("not ok %d - %s (cannot open)\n", ++replay_n, path);
        return;
    }
    fseek(f, 0, SEEK_END);
    size = ftell(f);
    fseek(f, 0, SEEK_SET);
    data = malloc(size > 0 ? (size_t)size : 1);
    if (!data || fread(data, 1, (size_t)size, f) != (size_t)size) {
        printf("not ok %d - %s (cannot read)\n", ++replay_n, path);
        free(data);
        fclose(f);
        return;
    }
    fclose(f);
    LLVMFuzzerTestOneInput(data, (size_t)size);
    free(data);
    printf("ok %d - %s\n", ++replay_n, path);
    fflush(stdout);
}

static int replay_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void replay_path(const char *path)
{
    struct stat st;
    DIR *d;
    struct dirent *de;
    char **names = NULL;
    size_t n = 0;
    size_t i;

    if (stat(path, &st) != 0) {
        return;
    }
    if (!S_ISDIR(st.st_mode)) {
        replay_file(path);
        return;
    }
    d = opendir(path);
    if (!d) {
        return;
    }
    while ((de = readdir(d)) != NULL) {
        char *full;
        if (de->d_name[0] == '.') {
            continue;
        }
        full = malloc(strlen(path) + strlen(de->d_name) + 2);
        sprintf(full, "%s/%s", path, de->d_name);
        names = realloc(names, (n + 1) * sizeof *names);
        names[n++] = full;
    }
    closedir(d);
    qsort(names, n, sizeof *names, replay_cmp);
    for (i = 0; i < n; i++) {
        replay_path(names[i]);
        free(names[i]);
    }
    free(names);
}

int main(int argc, char **argv)
{
    int i;

    for (i = 1; i < argc; i++) {
        replay_path(argv[i]);
    }
    return 0;
}
