// The binary model format: the layout that the writer (model_format.cpp)
// and the validating loader (model_loader.cpp) share.
//
//
// Binary layout (all integers and floats little-endian, floats IEEE-754 binary32):
//
//   "PGINTENT"                      8 bytes magic
//   u32 format version              1 (0.1.0), 2 (0.2.0), 3, 4 or 5 (0.3.2); all load, each writes back as
//   itself sections, each: u32 tag, u64 byte length, payload; exactly once, in this order:
//     1 options     u32 len + JSON bytes (ModelOptions::to_json)
//     2 algorithm   u8 (1 linear_svm, 2 logistic_regression)
//     3 labels      u32 count, count x (u32 len + UTF-8 bytes without NUL); the
//                   intents only (format 2: never the out-of-scope label)
//     4 vocabulary  u32 count, count x (u8 kind, u32 len + bytes)
//     5 idf         u32 count, count x f32
//     6 weights     u32 features, u32 classes, classes x f32 scale,
//                   features x classes x i16 (feature-major); format 2: classes
//                   is the label count, plus 1 with an out-of-scope class
//     7 bias        u32 count (= classes), count x f32
//   format 1:
//     8 platt       u32 count, count x (f32 a, f32 b)      per-intent sigmoids
//     9 threshold   f32                                     one threshold
//   format 2:
//    10 calibration u8 method (1 = shared temperature), f32 scale (> 0)
//    11 thresholds  f32 global, u32 count (= labels), count x f32 per intent, each in [0, 1]
//    12 out_of_scope u8 (0: no internal class, out-of-scope rows if any were
//                   negatives; 1: an internal out-of-scope class, last in the
//                   weights), u32 len + the reserved label (UTF-8 without NUL)
//   format 3: format 2's sections, then
//    13 evidence    f32 floor (finite, >= 0; see novelty.h), f32 unknown-word
//                   limit (in [0, 1]), u8 support rule (0 none, 1 learned)
//                   and with 1 its f32 floor (<= 0). Format 3 models of the 0.3.2 development line
//                   before these rules have the floor alone, or the floor and
//                   the limit: they load with limit 1 and support floor
//                   -infinity, which never hold, and are written back with
//                   the figures they had, so their bytes do not change
//   format 4: format 3's sections, then
//    14 subword     u32 word count, count x (u32 len + UTF-8 bytes), u32 float
//                   count (= (words + buckets) x dim, the options' subword_vectors
//                   dim and buckets), that many f32: the subword vectors'
//                   input table (subword_vectors.h); the options JSON holds
//                   subword_vectors (its settings and weight), and only
//                   format 4 may
//   format 5: format 3's sections, format 4's subword section when the
//   options hold subword_vectors, then
//    15 label words f32 label-word limit (in [0, 1)), u32 count (= labels),
//                   count x (u32 n, n x u32 word unigram feature indices,
//                   strictly ascending, each a word unigram of the
//                   vocabulary): the words each label's training rows hold,
//                   for the label-word rule (novelty.h). Written only for a
//                   model whose limit is below 1; every other model keeps
//                   format 3 or 4 and its bytes
//   Formats 1 and 2 keep their stored options JSON byte for byte, so options
//   added later never change their bytes.
//   u32 CRC-32C (Castagnoli) of every byte before it
//
// The bytes depend only on the model's content (no timestamps, no padding
// garbage), so training twice on the same rows gives the same blob.
#pragma once

#include <cstddef>
#include <cstdint>

namespace intent::model_format {

constexpr char kMagic[8] = {'P', 'G', 'I', 'N', 'T', 'E', 'N', 'T'};
constexpr size_t kMaxLabels = 100000;
constexpr size_t kMaxFeatures = 20000000;
constexpr size_t kMaxString = 1u << 20;

enum SectionTag : uint32_t {
    kOptions = 1,
    kAlgorithm = 2,
    kLabels = 3,
    kVocabulary = 4,
    kIdf = 5,
    kWeights = 6,
    kBias = 7,
    kPlatt = 8,
    kThreshold = 9,
    kCalibration = 10,
    kThresholds = 11,
    kOutOfScope = 12,
    kEvidence = 13,
    kSubword = 14,
    kLabelWords = 15,
};

// Calibration methods of format 2.
constexpr uint8_t kCalibrationTemperature = 1;
// Out-of-scope section of format 2: with or without the internal class.
constexpr uint8_t kOosNoClass = 0, kOosClass = 1;

} // namespace intent::model_format
