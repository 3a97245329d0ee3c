// Which build of the SVM solver runs blocks of 16 classes (solver_svm.cpp):
// the AVX-512 one when the CPU has AVX-512F, else the generic one. Both do
// the same float operations lane by lane, so they give the same bits; the
// unit tests turn the AVX-512 build off to compare the two.
#pragma once

namespace intent {

// Whether the AVX-512 build exists here and the CPU runs it.
bool svm_avx512_available();

// Lets blocks of 16 classes use the AVX-512 build when available (the
// default) or not. For tests and benchmarks; not while a training runs.
void use_svm_avx512(bool on);

} // namespace intent
