// Replays a fuzz target without libFuzzer: every file of the corpus directory given as argv[1],
// then a fixed number of seeded mutations of them (bit flips, truncations, splices). Exits 0 when
// no input crashed; a crash is the failure, reported by the sanitizer or the signal.
#include <dirent.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

namespace {

std::vector<std::string> LoadCorpus(const std::string& dir) {
  std::vector<std::string> out;
  DIR* d = opendir(dir.c_str());
  if (d == nullptr) return out;
  while (dirent* e = readdir(d)) {
    std::string name = e->d_name;
    if (name == "." || name == "..") continue;
    std::ifstream in(dir + "/" + name, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    out.push_back(ss.str());
  }
  closedir(d);
  return out;
}

void Run(const std::string& input) {
  LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(input.data()), input.size());
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> corpus = argc > 1 ? LoadCorpus(argv[1]) : std::vector<std::string>{};
  corpus.push_back("");
  for (const auto& input : corpus) Run(input);
  const char* env_iters = std::getenv("VDB_FUZZ_ITERATIONS");
  int iterations = env_iters ? std::atoi(env_iters) : 20000;
  uint32_t seed = 20261130;
  std::mt19937 rng(seed);
  for (int i = 0; i < iterations; ++i) {
    std::string input = corpus[rng() % corpus.size()];
    int mutations = 1 + static_cast<int>(rng() % 4);
    for (int m = 0; m < mutations; ++m) {
      switch (rng() % 4) {
        case 0:
          if (!input.empty()) input[rng() % input.size()] ^= static_cast<char>(1u << (rng() % 8));
          break;
        case 1:
          if (!input.empty()) input.resize(rng() % input.size());
          break;
        case 2:
          input.insert(input.begin() + static_cast<long>(input.empty() ? 0 : rng() % input.size()),
                       static_cast<char>(rng()));
          break;
        default: {
          const std::string& other = corpus[rng() % corpus.size()];
          if (!other.empty()) input += other.substr(rng() % other.size());
        }
      }
    }
    Run(input);
  }
  std::printf("fuzz driver: %zu corpus inputs, %d mutations (seed %u), no crash\n", corpus.size(),
              iterations, seed);
  return 0;
}
