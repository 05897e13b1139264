// Custom error pages, read and merged (see compile_error_pages.hpp).
#include "config/compile_error_pages.hpp"

#include <fstream>
#include <iterator>

#include "config/limits.hpp"
#include "config/syntax.hpp"
#include "grammar/utf8.hpp"

namespace authgate::config::detail {
namespace {

// Line and column (1-based) of byte `offset` of `text`, so a bad byte is reported where an editor shows it.
SourcePos position_in(const std::string& file, std::string_view text, std::size_t offset) {
  SourcePos pos{file, 1, 1};
  for (std::size_t i = 0; i < offset; ++i) {
    if (text[i] == '\n') {
      ++pos.line;
      pos.column = 1;
    } else {
      ++pos.column;
    }
  }
  return pos;
}

// The page at `page.file`, or nullptr after saying why it cannot be sent.
std::shared_ptr<const std::string> read_page(const Config& config, const ErrorPage& page,
                                             const std::string& path, Problems& problems) {
  const auto fail = [&](SourcePos pos, std::string reason) {
    problems.push_back(Problem{Severity::error, std::move(pos), path, std::move(reason)});
    return nullptr;
  };
  if (auto problem = unreadable_file_problem(page.file)) return fail(position_of(config, path), *problem);
  std::ifstream in(page.file, std::ios::binary);
  std::string text;
  // One byte past the limit is enough to know the page is too large, whatever the file's real size.
  text.resize(limits::max_error_page_bytes + 1);
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  if (in.bad()) return fail(position_of(config, path), "cannot read " + path_in_quotes(page.file));
  text.resize(static_cast<std::size_t>(in.gcount()));
  if (text.empty()) return fail(position_of(config, path), path_in_quotes(page.file) + " is empty");
  if (text.size() > limits::max_error_page_bytes) {
    return fail(position_of(config, path), path_in_quotes(page.file) + " is larger than " +
                                               std::to_string(limits::max_error_page_bytes >> 10) + " KiB");
  }
  // Sent as text/html; charset=utf-8: other bytes would show as garbage.
  if (auto bad = grammar::first_invalid_utf8(text)) {
    return fail(position_in(page.file, text, *bad), "not UTF-8 (the page is sent as charset=utf-8)");
  }
  text.shrink_to_fit();  // held for the snapshot's life: not the 256 KiB read buffer it started as
  return std::make_shared<const std::string>(std::move(text));
}

void load_map(const Config& config, const std::vector<ErrorPage>& pages, const std::string& path,
              PageFiles& files, Problems& problems) {
  for (const ErrorPage& page : pages) {
    if (files.contains(page.file)) continue;
    if (auto text = read_page(config, page, path + "." + std::to_string(page.status), problems)) {
      files.emplace(page.file, std::move(text));
    }
  }
}

}  // namespace

PageFiles load_error_pages(const Config& config, Problems& problems) {
  PageFiles files;
  load_map(config, config.error_pages, "error_pages", files, problems);
  for (std::size_t i = 0; i < config.routes.size(); ++i) {
    load_map(config, config.routes[i].error_pages, "routes[" + std::to_string(i) + "].error_pages", files,
             problems);
  }
  return files;
}

ErrorPages merge_error_pages(const std::vector<ErrorPage>& own, const std::vector<ErrorPage>& defaults,
                             const PageFiles& files) {
  ErrorPages merged;
  const auto add = [&](const ErrorPage& page) {
    const auto file = files.find(page.file);
    if (file != files.end() && merged.find(page.status) == nullptr)
      merged.pages.emplace_back(page.status, file->second);
  };
  for (const ErrorPage& page : own) add(page);
  for (const ErrorPage& page : defaults) add(page);
  return merged;
}

}  // namespace authgate::config::detail
