#include "CByteClasses.h"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

static int is_name_byte(uint8_t byte) {
    uint8_t folded = byte | 0x20;
    return (folded >= 'a' && folded <= 'z') || (byte >= '0' && byte <= '9') || byte == '_' || byte == '-' || byte == '.';
}

static int is_plain_byte(uint8_t byte) {
    return (byte >= 0x20 && byte <= 0x7F && byte != '&' && byte != ']') || byte == '\t' || byte == '\n' || byte == '\r';
}

/// One bitmap word from up to 64 bytes, a byte at a time; notes a carriage return in `cr`.
static int classify_bytes(const uint8_t *bytes, size_t count, uint64_t *less_than, uint64_t *not_name, int *cr) {
    uint64_t lt = 0;
    uint64_t other = ~(uint64_t)0;
    for (size_t index = 0; index < count; index++) {
        uint8_t byte = bytes[index];
        if (!is_plain_byte(byte)) return 0;
        if (byte == '\r') *cr = 1;
        if (byte == '<') lt |= (uint64_t)1 << index;
        if (is_name_byte(byte)) other &= ~((uint64_t)1 << index);
    }
    *less_than = lt;
    *not_name = other;
    return 1;
}

#if defined(__SSE2__)
/// Bytes from `low` to `high` (unsigned).
static inline __m128i in_range(__m128i bytes, uint8_t low, uint8_t high) {
    __m128i above = _mm_cmpeq_epi8(_mm_max_epu8(bytes, _mm_set1_epi8((char)low)), bytes);
    __m128i below = _mm_cmpeq_epi8(_mm_min_epu8(bytes, _mm_set1_epi8((char)high)), bytes);
    return _mm_and_si128(above, below);
}

/// Sixteen bytes: their '<' and name-byte masks; `refused` gathers the bytes not allowed and
/// `cr` the carriage returns.
static inline void classify_16(const uint8_t *bytes, uint32_t *lt, uint32_t *name, __m128i *refused, __m128i *cr) {
    __m128i v = _mm_loadu_si128((const __m128i *)bytes);
    *lt = (uint32_t)_mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_set1_epi8('<')));
    __m128i letter = in_range(_mm_or_si128(v, _mm_set1_epi8(0x20)), 'a', 'z');
    __m128i digit = in_range(v, '0', '9');
    __m128i punctuation = _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('_')),
        _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('-')), _mm_cmpeq_epi8(v, _mm_set1_epi8('.'))));
    *name = (uint32_t)_mm_movemask_epi8(_mm_or_si128(_mm_or_si128(letter, digit), punctuation));
    __m128i carriage_return = _mm_cmpeq_epi8(v, _mm_set1_epi8('\r'));
    *cr = _mm_or_si128(*cr, carriage_return);
    __m128i allowed = _mm_or_si128(_mm_or_si128(in_range(v, 0x20, 0x7F), carriage_return),
        _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('\t')), _mm_cmpeq_epi8(v, _mm_set1_epi8('\n'))));
    __m128i excluded = _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('&')), _mm_cmpeq_epi8(v, _mm_set1_epi8(']')));
    *refused = _mm_or_si128(*refused, _mm_or_si128(_mm_andnot_si128(allowed, _mm_set1_epi8((char)0xFF)), excluded));
}
#endif

int sitegen_classify_plain_bytes(const uint8_t *bytes, size_t length, uint64_t *less_than, uint64_t *not_name) {
    size_t word = 0;
    size_t offset = 0;
    int cr = 0;
#if defined(__SSE2__)
    __m128i refused = _mm_setzero_si128();
    __m128i carriage_returns = _mm_setzero_si128();
    for (; offset + 64 <= length; offset += 64, word++) {
        uint32_t lt[4], name[4];
        for (int part = 0; part < 4; part++) {
            classify_16(bytes + offset + 16 * part, &lt[part], &name[part], &refused, &carriage_returns);
        }
        less_than[word] = (uint64_t)lt[0] | (uint64_t)lt[1] << 16 | (uint64_t)lt[2] << 32 | (uint64_t)lt[3] << 48;
        not_name[word] = ~((uint64_t)name[0] | (uint64_t)name[1] << 16 | (uint64_t)name[2] << 32 | (uint64_t)name[3] << 48);
        // Checked per block, so that a document outside the plain form stops early.
        if (_mm_movemask_epi8(refused) != 0) return 0;
    }
    if (_mm_movemask_epi8(carriage_returns) != 0) cr = 1;
#endif
    for (; offset < length; offset += 64, word++) {
        size_t count = length - offset < 64 ? length - offset : 64;
        if (!classify_bytes(bytes + offset, count, &less_than[word], &not_name[word], &cr)) return 0;
    }
    return cr ? 2 : 1;
}
