// read_run: a run's events with TensorBoard's restart rule applied.
#include <algorithm>
#include <utility>

#include "tblog/reader.hpp"

namespace tblog {

RunEvents read_run(const Run& run) {
  RunEvents out;
  for (const std::string& file : run.files) {
    try {
      EventFileReader reader(file);
      Event event;
      while (reader.next(event)) {
        if (event.what == Event::What::session_log && event.session_status == 1) {
          // TensorBoard's purge on restart: summaries logged before at this step or later are
          // from the run that was abandoned. Other events (graphs, file versions) stay.
          const std::int64_t restart = event.step;
          auto& events = out.events;
          events.erase(std::remove_if(events.begin(), events.end(),
                                      [restart](const Event& e) {
                                        return e.what == Event::What::summary && e.step >= restart;
                                      }),
                       events.end());
        }
        out.events.push_back(std::move(event));
        event = Event();
      }
      if (reader.problem()) out.problems.push_back(*reader.problem());
    } catch (const Error& e) {
      ReadProblem problem;
      problem.kind = ReadProblem::Kind::corrupt;
      problem.file = file;
      problem.message = e.what();
      out.problems.push_back(std::move(problem));
    }
  }
  return out;
}

}  // namespace tblog
