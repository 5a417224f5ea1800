// libFuzzer's driver entry (compiler-rt, LLVM 12 and later): runs the fuzzer from a main()
// of our own. Only linked when building with -sanitize=fuzzer; the targets call it only then.
#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*callback)(const uint8_t *data, size_t size));
