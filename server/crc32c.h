/* crc32c.h — CRC-32C (Castagnoli), the checksum guarding every journal record. */
#ifndef PARLEY_CRC32C_H
#define PARLEY_CRC32C_H

#include <stddef.h>
#include <stdint.h>

/* CRC-32C of n bytes; crc32c("123456789", 9) == 0xE3069283. */
uint32_t crc32c(const void *p, size_t n);
/* Continues a CRC over more bytes: crc32c_update(crc32c(a), b) == crc32c(a || b).
 * Start from 0 for an empty prefix. */
uint32_t crc32c_update(uint32_t crc, const void *p, size_t n);

#endif
