// vdbctl: glue between CLI11 and the command table (cmd/vdbctl/command_table.cc).
#include <CLI/CLI.hpp>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "cmd/vdbctl/command_table.h"
#include "cmd/vdbctl/commands.h"

namespace {

constexpr int kUsageExit = 2;

std::string EnvOr(const char* name, const std::string& fallback) {
  const char* v = std::getenv(name);
  return v && *v ? v : fallback;
}

// Finds or creates the CLI11 subcommand chain for "collection list".
CLI::App* CommandNode(CLI::App* root, const std::string& name,
                      std::map<std::string, CLI::App*>* made) {
  CLI::App* parent = root;
  std::string path;
  size_t start = 0;
  while (start <= name.size()) {
    size_t end = name.find(' ', start);
    if (end == std::string::npos) end = name.size();
    std::string word = name.substr(start, end - start);
    path += (path.empty() ? "" : " ") + word;
    auto it = made->find(path);
    if (it == made->end()) {
      CLI::App* sub = parent->add_subcommand(word, "");
      sub->require_subcommand(0, 1);
      it = made->emplace(path, sub).first;
    }
    parent = it->second;
    start = end + 1;
  }
  return parent;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace vdb::ctl;
  CLI::App app{"vdbctl: command-line toolkit for the vdb vector database", "vdbctl"};
  app.require_subcommand(1);
  CommandContext ctx;
  ctx.global.addr = EnvOr("VDB_ADDR", ctx.global.addr);
  ctx.global.token = EnvOr("VDB_TOKEN", "");
  app.add_option("--addr", ctx.global.addr, "server address");
  app.add_option("--token", ctx.global.token, "credentials");
  app.add_option("--db", ctx.global.db, "database");
  app.add_option("--output", ctx.global.output, "table|json|jsonl|csv")
      ->check(CLI::IsMember({"table", "json", "jsonl", "csv"}));
  app.add_flag("--quiet", ctx.global.quiet, "print nothing on success");

  std::map<std::string, CLI::App*> made;
  const CommandSpec* chosen = nullptr;
  std::vector<std::unique_ptr<std::string>> values;
  for (const auto& spec : Commands()) {
    CLI::App* node = CommandNode(&app, spec.name, &made);
    node->description(spec.summary);
    node->require_subcommand(0, 0);
    node->add_option("args", ctx.args, spec.args);
    for (const auto& o : spec.options) {
      values.push_back(std::make_unique<std::string>());
      std::string* slot = values.back().get();
      std::string flag = o.flag;
      if (o.value.empty()) {
        node->add_flag_callback(
            flag, [&ctx, flag] { ctx.options[flag] = "true"; }, o.help);
      } else {
        node->add_option_function<std::string>(
            flag, [&ctx, flag](const std::string& v) { ctx.options[flag] = v; }, o.help);
      }
      (void)slot;
    }
    node->callback([&chosen, &spec] { chosen = &spec; });
  }
  std::string kind;
  CLI::App* gen = app.add_subcommand("generate", "print the man page or a shell completion");
  gen->group("");  // hidden: used to regenerate man/ and completions/
  gen->add_option("kind", kind, "man|bash|zsh|fish")
      ->required()
      ->check(CLI::IsMember({"man", "bash", "zsh", "fish"}));

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) return app.exit(e);  // --help
    std::fprintf(stderr, "vdbctl: %s\n", e.what());
    return kUsageExit;
  }
  if (gen->parsed()) {
    std::string text = kind == "man"    ? GenerateManPage()
                       : kind == "bash" ? GenerateBashCompletion()
                       : kind == "zsh"  ? GenerateZshCompletion()
                                        : GenerateFishCompletion();
    std::fputs(text.c_str(), stdout);
    return 0;
  }
  if (chosen == nullptr) {
    std::fprintf(stderr, "vdbctl: missing command; see vdbctl --help\n");
    return kUsageExit;
  }
  return chosen->handler(ctx);
}
