// CRC-32C (Castagnoli) of model bytes.
#pragma once

#include <cstddef>
#include <cstdint>

namespace intent {

// CRC-32C of `size` bytes, continuing from `crc` (0 to start): the model
// checksum. Uses the SSE4.2 instruction when the CPU has it.
uint32_t crc32c(const uint8_t *data, size_t size, uint32_t crc = 0);
// The portable table-driven implementation (slicing by 16).
uint32_t crc32c_software(const uint8_t *data, size_t size, uint32_t crc = 0);

} // namespace intent
