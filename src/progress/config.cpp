// Config: typed keys set from `key=value` arguments and `configFile=PATH` files.
#include "tblog/config.hpp"
#include "tblog/error.hpp"
#include "tblog/progress.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <sstream>

namespace tblog {
namespace {

const char* type_name(const Config::Value& v) {
  switch (v.index()) {
    case 0: return "an integer";
    case 1: return "a number";
    case 2: return "a boolean (true/false)";
    default: return "a string";
  }
}

std::string trim(const std::string& s) {
  const auto begin = s.find_first_not_of(" \t\r");
  if (begin == std::string::npos) return "";
  const auto end = s.find_last_not_of(" \t\r");
  return s.substr(begin, end - begin + 1);
}

std::string strip_quotes(const std::string& s) {
  if (s.size() >= 2 && ((s.front() == '"' && s.back() == '"') || (s.front() == '\'' && s.back() == '\''))) {
    return s.substr(1, s.size() - 2);
  }
  return s;
}

// The whole file, or tblog::Error naming the path: a folder, or a file whose read fails
// (which an ifstream would take for an empty file, training silently with the defaults).
std::string read_config_file(const std::string& path) {
  const auto fail = [&](const char* what) {
    return Error(ErrorCode::io, "cannot read config file '" + path + "': " + what);
  };
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw fail(std::strerror(errno));
  struct stat st;
  if (::fstat(fd, &st) != 0 || S_ISDIR(st.st_mode)) {
    const int error = S_ISDIR(st.st_mode) ? EISDIR : errno;
    ::close(fd);
    throw fail(std::strerror(error));
  }
  std::string text;
  char buffer[1 << 16];
  for (;;) {
    const ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n == 0) break;
    if (n < 0) {
      if (errno == EINTR) continue;
      const int error = errno;
      ::close(fd);
      throw fail(std::strerror(error));
    }
    text.append(buffer, static_cast<std::size_t>(n));
  }
  ::close(fd);
  return text;
}

// The line without its comment: a '#' starts one unless it is inside a value that is quoted
// ("..." or '...', the quotes starting the value). An unclosed quote is an error.
std::string without_comment(const std::string& line, const std::string& where) {
  const auto eq = line.find('=');
  const auto hash = line.find('#');
  if (eq == std::string::npos || (hash != std::string::npos && hash < eq)) {
    return hash == std::string::npos ? line : line.substr(0, hash);
  }
  std::size_t search_from = eq + 1;
  const auto value_start = line.find_first_not_of(" \t", eq + 1);
  if (value_start != std::string::npos && (line[value_start] == '"' || line[value_start] == '\'')) {
    const auto close = line.find(line[value_start], value_start + 1);
    if (close == std::string::npos) {
      throw Error("config file " + where + ": the value's quote " + line[value_start] +
                  " is not closed");
    }
    search_from = close + 1;
  }
  const auto comment = line.find('#', search_from);
  return comment == std::string::npos ? line : line.substr(0, comment);
}

}  // namespace

Config& Config::define(const std::string& key, Value default_value, std::string help) {
  if (key.empty()) throw Error("config key is empty");
  if (!entries_.emplace(key, Entry{std::move(default_value), true, false, std::move(help)}).second) {
    throw Error("config key '" + key + "' is defined twice");
  }
  return *this;
}

Config& Config::define_optional(const std::string& key, Value type_example, std::string help) {
  define(key, std::move(type_example), std::move(help));
  entries_[key].has_value = false;
  return *this;
}

void Config::set(const std::string& key, const std::string& raw, const std::string& where) {
  const std::string at = where.empty() ? "" : " (" + where + ")";
  auto it = entries_.find(key);
  if (it == entries_.end()) throw Error("unknown config key '" + key + "'" + at);
  Entry& e = it->second;
  const std::string text = strip_quotes(trim(raw));
  auto bad = [&]() -> Error {
    return Error("config key '" + key + "': '" + text + "' is not " + type_name(e.value) + at);
  };
  switch (e.value.index()) {
    case 0: {
      errno = 0;
      char* end = nullptr;
      const long long v = std::strtoll(text.c_str(), &end, 10);
      if (text.empty() || *end != '\0' || errno == ERANGE) throw bad();
      e.value = static_cast<std::int64_t>(v);
      break;
    }
    case 1: {
      errno = 0;
      char* end = nullptr;
      const double v = std::strtod(text.c_str(), &end);
      if (text.empty() || *end != '\0' || errno == ERANGE) throw bad();
      e.value = v;
      break;
    }
    case 2:
      if (text == "true" || text == "1") {
        e.value = true;
      } else if (text == "false" || text == "0") {
        e.value = false;
      } else {
        throw bad();
      }
      break;
    default:
      e.value = text;
  }
  e.has_value = true;
  e.set_by_user = true;
}

void Config::parse_args(const std::vector<std::string>& args) {
  for (const auto& arg : args) {
    const auto eq = arg.find('=');
    if (eq == std::string::npos || eq == 0) {
      throw Error("argument '" + arg + "' is not of the form key=value");
    }
    const std::string key = trim(arg.substr(0, eq));
    const std::string value = arg.substr(eq + 1);
    if (key == "configFile") {
      parse_file(strip_quotes(trim(value)));
    } else {
      set(key, value, "argument '" + arg + "'");
    }
  }
}

void Config::parse_args(int argc, const char* const* argv, int first) {
  std::vector<std::string> args;
  for (int i = first; i < argc; ++i) args.emplace_back(argv[i]);
  parse_args(args);
}

void Config::parse_file(const std::string& path) {
  std::istringstream in(read_config_file(path));
  std::string line;
  int number = 0;
  while (std::getline(in, line)) {
    ++number;
    const std::string where = path + ":" + std::to_string(number);
    line = trim(without_comment(line, where));
    if (line.empty()) continue;
    const auto eq = line.find('=');
    if (eq == std::string::npos || eq == 0) {
      throw Error("config file " + where + ": '" + line + "' is not of the form key = value");
    }
    const std::string key = trim(line.substr(0, eq));
    if (key == "configFile") {
      throw Error("config file " + where + ": configFile cannot be nested");
    }
    set(key, line.substr(eq + 1), where);
  }
}

const Config::Entry& Config::entry(const std::string& key) const {
  auto it = entries_.find(key);
  if (it == entries_.end()) throw Error("unknown config key '" + key + "'");
  if (!it->second.has_value) throw Error("config key '" + key + "' is not set");
  return it->second;
}

bool Config::is_set(const std::string& key) const {
  auto it = entries_.find(key);
  return it != entries_.end() && it->second.set_by_user;
}

std::int64_t Config::get_int(const std::string& key) const {
  const Entry& e = entry(key);
  if (auto v = std::get_if<std::int64_t>(&e.value)) return *v;
  throw Error("config key '" + key + "' is not an integer");
}

double Config::get_double(const std::string& key) const {
  const Entry& e = entry(key);
  if (auto v = std::get_if<double>(&e.value)) return *v;
  if (auto v = std::get_if<std::int64_t>(&e.value)) return static_cast<double>(*v);
  throw Error("config key '" + key + "' is not a number");
}

bool Config::get_bool(const std::string& key) const {
  const Entry& e = entry(key);
  if (auto v = std::get_if<bool>(&e.value)) return *v;
  throw Error("config key '" + key + "' is not a boolean");
}

const std::string& Config::get_string(const std::string& key) const {
  const Entry& e = entry(key);
  if (auto v = std::get_if<std::string>(&e.value)) return *v;
  throw Error("config key '" + key + "' is not a string");
}

std::string Config::describe() const {
  std::ostringstream out;
  for (const auto& [key, e] : entries_) {
    out << "  " << key << " = ";
    if (!e.has_value) {
      out << "(unset)";
    } else {
      std::visit([&](const auto& v) {
        if constexpr (std::is_same_v<std::decay_t<decltype(v)>, bool>) {
          out << (v ? "true" : "false");
        } else {
          out << v;
        }
      }, e.value);
    }
    if (!e.help.empty()) out << "    # " << e.help;
    out << "\n";
  }
  return out.str();
}

void define_progress_keys(Config& config) {
  config.define("tensorBoardLogDir", std::string(), "TensorBoard logdir; empty: no TensorBoard output")
      .define_optional("tensorBoardNumMBsToLogResult", std::int64_t{0},
                       "minibatches between TensorBoard records (default numMBsToShowResult; 0: per epoch only)")
      .define("numMBsToShowResult", std::int64_t{10}, "minibatches between console lines (0: per epoch only)")
      .define("firstMBsToShowResult", std::int64_t{0}, "also show each of the first N minibatches");
}

std::vector<std::unique_ptr<ProgressWriter>> make_progress_writers(const Config& config,
                                                                   std::optional<int> rank,
                                                                   std::int64_t num_epochs,
                                                                   const std::string& tag,
                                                                   const Graph* model) {
  auto frequency = [&](const char* key, std::int64_t n) -> std::optional<std::int64_t> {
    if (n < 0) throw Error(std::string("config key '") + key + "' is negative: " + std::to_string(n));
    if (n == 0) return std::nullopt;  // per-epoch records only
    return n;
  };
  const std::int64_t show = config.get_int("numMBsToShowResult");
  const std::int64_t first = config.get_int("firstMBsToShowResult");
  if (first < 0) throw Error("config key 'firstMBsToShowResult' is negative: " + std::to_string(first));
  std::vector<std::unique_ptr<ProgressWriter>> writers;
  writers.push_back(std::make_unique<ProgressPrinter>(frequency("numMBsToShowResult", show), first,
                                                      tag, "", rank, num_epochs, true));
  const std::string& logdir = config.get_string("tensorBoardLogDir");
  if (!logdir.empty()) {
    const std::int64_t log_every = config.is_set("tensorBoardNumMBsToLogResult")
                                       ? config.get_int("tensorBoardNumMBsToLogResult")
                                       : show;
    writers.push_back(std::make_unique<TensorBoardProgressWriter>(
        frequency("tensorBoardNumMBsToLogResult", log_every), logdir, rank, model));
  }
  return writers;
}

}  // namespace tblog
