#ifndef CBYTECLASSES_H
#define CBYTECLASSES_H

#include <stddef.h>
#include <stdint.h>

/// Classifies `length` bytes for the plain XML scanner, 64 bytes per bitmap word: bit i of
/// `less_than[w]` is set when byte 64 * w + i is '<', and bit i of `not_name[w]` when that
/// byte is not a plain name byte (ASCII letter, digit, '_', '-' or '.'); bits past `length`
/// are 0 in `less_than` and 1 in `not_name`. Both arrays must hold (length + 63) / 64 words.
///
/// Returns 0 when a byte may not appear in a plain document (then the bitmaps are
/// incomplete); the bytes that may are printable ASCII (0x20 to 0x7F) other than '&' and ']',
/// tab, line feed and carriage return. Otherwise returns 1, or 2 when there is a carriage
/// return among the bytes.
int sitegen_classify_plain_bytes(const uint8_t *bytes, size_t length, uint64_t *less_than, uint64_t *not_name);

#endif
