// Writes one scalar and reads it back: proof that a consumer compiles, links and runs.
#include <tblog/tblog.hpp>

#include <cstdio>
#include <string>

int main(int argc, char** argv) {
  if (argc < 2) return 2;
  const std::string logdir = argv[1];
  {
    tblog::SummaryWriter writer(logdir);
    writer.add_scalar("consumer/value", 42.0, 7);
  }
  for (const auto& run : tblog::find_runs(logdir)) {
    for (const auto& file : run.files) {
      tblog::EventFileReader reader(file);
      tblog::Event event;
      while (reader.next(event)) {
        for (const auto& v : event.values) {
          if (v.tag == "consumer/value" && v.simple_value == 42.0f && event.step == 7) {
            std::printf("consumer ok (tblog %s)\n", TBLOG_VERSION_STRING);
            return 0;
          }
        }
      }
    }
  }
  std::fprintf(stderr, "consumer: the scalar was not read back\n");
  return 1;
}
