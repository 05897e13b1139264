// The document level of the loader: size and nesting guards, yaml-cpp parsing, top-level sections.
#include "config/load_yaml.hpp"

#include <filesystem>
#include <fstream>

#include "config/document_scan.hpp"
#include "config/limits.hpp"
#include "config/load_sections.hpp"
#include "config/nesting_guard.hpp"

namespace authgate::config {
namespace {

Problem document_error(std::string_view file, int line, int column, std::string reason) {
  return Problem{Severity::error, SourcePos{std::string(file), line, column}, "", std::move(reason)};
}

void read_document(detail::LoadContext& ctx, const YAML::Node& document, Config& config) {
  if (document.IsNull()) {
    ctx.error(document.Mark(), "", "the configuration is empty");
    return;
  }
  detail::MapReader root(ctx, document, "");
  if (!root.ok()) return;
  detail::read_server(root, config.server);
  detail::read_listeners(root, config.listeners);
  detail::read_admin(root, config.admin);
  detail::read_limits(root, config.limits);
  detail::read_upstreams(root, config.upstreams);
  detail::read_stores(root, config.stores);
  detail::read_realms(root, config.realms);
  detail::read_routes(root, config.routes);
  detail::read_identity_headers(root, config.identity_headers);
  detail::read_cache(root, config.cache);
  detail::read_throttle(root, config.throttle);
  detail::read_state(root, config.state);
  detail::read_access_log(root, config.access_log);
  detail::read_error_pages(root, config.error_pages);
  root.finish();
}

// yaml-cpp reports syntax errors (and its own recursion limit) by throwing; each becomes one problem.
// Load(), not LoadAll(): yaml-cpp 0.7's LoadAll() never returns on input such as ",a" (it appends null
// documents forever), so extra documents are found by scan_documents() instead.
std::optional<YAML::Node> parse_single_document(std::string_view text, std::string_view name,
                                                Problems& problems) {
  const DocumentShape shape = scan_documents(text);
  if (const auto& second = shape.second_document) {
    problems.push_back(document_error(name, second->line, second->column,
                                      "expected one YAML document; a second one starts here"));
    return std::nullopt;
  }
  try {
    YAML::Node document = YAML::Load(std::string(text));
    if (document.IsNull() && shape.first_content) {
      problems.push_back(document_error(name, shape.first_content->line, shape.first_content->column,
                                        "expected a map of sections at the top level"));
      return std::nullopt;
    }
    return document;
  } catch (const YAML::Exception& e) {
    const int line = e.mark.is_null() ? 0 : e.mark.line + 1;
    const int column = e.mark.is_null() ? 0 : e.mark.column + 1;
    problems.push_back(document_error(name, line, column, "YAML syntax error: " + e.msg));
  } catch (const std::exception& e) {
    problems.push_back(document_error(name, 0, 0, std::string("cannot parse: ") + e.what()));
  }
  return std::nullopt;
}

}  // namespace

LoadReport read_yaml_string(std::string_view text, std::string_view name) {
  LoadReport report;
  report.config.source_file = std::string(name);
  Problems& problems = report.problems;
  if (text.size() > limits::max_file_bytes) {
    problems.push_back(document_error(name, 0, 0, "larger than the limit of 4MiB"));
    return report;
  }
  if (const auto deep = find_excessive_nesting(text, limits::max_nesting)) {
    problems.push_back(
        document_error(name, deep->line, deep->column,
                       "nested deeper than " + std::to_string(limits::max_nesting) + " levels"));
    return report;
  }
  const auto document = parse_single_document(text, name, problems);
  if (!document) return report;
  report.readable = document->IsMap();
  detail::LoadContext ctx(report.config, problems, std::filesystem::path(name).parent_path());
  try {
    read_document(ctx, *document, report.config);
  } catch (const std::exception& e) {
    // Node accessors only throw on misuse; should one ever do, the load fails with a problem, not a crash.
    problems.push_back(document_error(name, 0, 0, std::string("cannot read: ") + e.what()));
    report.readable = false;
  }
  if (ctx.exhausted()) report.readable = false;  // a truncated read: checking it further is noise
  return report;
}

LoadReport read_yaml(const std::string& path) {
  LoadReport report;
  report.config.source_file = path;
  const auto fail = [&](std::string reason) {
    report.problems.push_back(document_error(path, 0, 0, std::move(reason)));
    return std::move(report);
  };
  std::error_code ec;
  // Only regular files: a FIFO or device would block or never end.
  const auto status = std::filesystem::status(path, ec);
  if (status.type() == std::filesystem::file_type::not_found) return fail("no such file");
  if (ec) return fail("cannot read: " + ec.message());
  if (!std::filesystem::is_regular_file(status)) return fail("not a regular file");
  const auto size = std::filesystem::file_size(path, ec);
  if (ec) return fail("cannot read: " + ec.message());
  if (size > limits::max_file_bytes) return fail("larger than the limit of 4MiB");
  std::ifstream in(path, std::ios::binary);
  if (!in) return fail("cannot open for reading");
  std::string text;
  text.resize(static_cast<std::size_t>(size));
  in.read(text.data(), static_cast<std::streamsize>(size));
  if (in.gcount() != static_cast<std::streamsize>(size)) return fail("read failed");
  return read_yaml_string(text, path);
}

boost::system::result<Config, Problems> load_yaml_string(std::string_view text, std::string_view name) {
  LoadReport report = read_yaml_string(text, name);
  if (has_errors(report.problems)) return std::move(report.problems);
  return std::move(report.config);
}

boost::system::result<Config, Problems> load_yaml(const std::string& path) {
  LoadReport report = read_yaml(path);
  if (has_errors(report.problems)) return std::move(report.problems);
  return std::move(report.config);
}

}  // namespace authgate::config
