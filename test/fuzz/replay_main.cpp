// Runs the fuzz entry point over every file of a corpus directory (argv[1]),
// so the loader's hostile inputs also run under gcc, sanitizers and ctest.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int main(int argc, char **argv) {
    if (argc != 2) {
        std::fprintf(stderr, "usage: %s CORPUS_DIR\n", argv[0]);
        return 2;
    }
    std::vector<std::filesystem::path> files;
    try {
        for (const auto &e : std::filesystem::directory_iterator(argv[1]))
            if (e.is_regular_file()) files.push_back(e.path());
    } catch (const std::exception &e) {
        std::fprintf(stderr, "cannot read %s: %s\n", argv[1], e.what());
        return 2;
    }
    std::sort(files.begin(), files.end());
    size_t passed = 0, failed = 0;
    for (const auto &p : files) {
        std::ifstream in(p, std::ios::binary);
        std::vector<char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        try {
            LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t *>(bytes.data()), bytes.size());
            ++passed;
        } catch (const std::exception &e) {
            std::fprintf(stderr, "%s: unexpected exception: %s\n", p.string().c_str(), e.what());
            ++failed;
        }
    }
    std::printf("%zu passed, %zu failed\n", passed, failed);
    return failed == 0 && passed > 0 ? 0 : 1;
}
