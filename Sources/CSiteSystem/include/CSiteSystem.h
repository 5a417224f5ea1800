#ifndef CSITESYSTEM_H
#define CSITESYSTEM_H

#include <stddef.h>

/// Swaps two existing paths in one step (Linux renameat2 RENAME_EXCHANGE, macOS renamex_np
/// RENAME_SWAP). Returns 0, or -1 with errno set (EINVAL or ENOSYS where the file system or
/// the platform cannot swap).
int sitegen_exchange_paths(const char *first, const char *second);

/// crypt(3) with an explicit setting (e.g. "$2y$10$" and 22 salt characters), thread-safe.
/// Writes the NUL-terminated hash into `output`; returns 0, or -1 when the platform's crypt
/// does not support the setting or the output does not fit.
int sitegen_crypt(const char *phrase, const char *setting, char *output, size_t output_size);

/// Starts writing a file's data to disk without waiting for it (Linux sync_file_range
/// SYNC_FILE_RANGE_WRITE), so a later file system sync has little left to wait for. A hint:
/// returns 0, or -1 with errno set, and does nothing where the platform has no such call.
int sitegen_start_writeback(int fd);

/// Waits until everything written to the file system holding `fd` is on disk (Linux syncfs;
/// elsewhere sync). Returns 0, or -1 with errno set.
int sitegen_sync_file_system(int fd);

#endif
