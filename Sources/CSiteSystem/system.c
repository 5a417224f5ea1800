#define _GNU_SOURCE
#include "CSiteSystem.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#if defined(__linux__)
#include <crypt.h>
#endif

int sitegen_exchange_paths(const char *first, const char *second) {
#if defined(__linux__)
    return renameat2(AT_FDCWD, first, AT_FDCWD, second, RENAME_EXCHANGE);
#elif defined(__APPLE__)
    return renamex_np(first, second, RENAME_SWAP);
#else
    errno = ENOSYS;
    return -1;
#endif
}

int sitegen_crypt(const char *phrase, const char *setting, char *output, size_t output_size) {
#if defined(__linux__)
    // struct crypt_data is about 32 KiB: too large for a thread's stack frame.
    struct crypt_data *data = calloc(1, sizeof *data);
    if (data == NULL) return -1;
    const char *hash = crypt_r(phrase, setting, data);
    int status = -1;
    // libxcrypt returns a string starting with '*' (or NULL) when it refuses the setting.
    if (hash != NULL && hash[0] != '*' && strlen(hash) < output_size) {
        strcpy(output, hash);
        status = 0;
    }
    explicit_bzero(data, sizeof *data);
    free(data);
    return status;
#else
    (void)phrase; (void)setting; (void)output; (void)output_size;
    errno = ENOSYS;
    return -1;
#endif
}

int sitegen_start_writeback(int fd) {
#if defined(__linux__)
    return sync_file_range(fd, 0, 0, SYNC_FILE_RANGE_WRITE);
#else
    (void)fd;
    return 0;
#endif
}

int sitegen_sync_file_system(int fd) {
#if defined(__linux__)
    return syncfs(fd);
#else
    (void)fd;
    sync();
    return 0;
#endif
}
