// Progress of a running training, for the caller (NOTICE messages) and for
// other sessions (the ai_training_progress view).
//
// Other sessions cannot see a running training's row in ai_training_runs
// until it commits. When the library is loaded through
// shared_preload_libraries, each backend has a slot in shared memory where
// its training writes the phase, the rows, the fold and the time;
// pg_intent_training_progress() reads the slots. Without preloading there is
// no shared memory to write to: the function then reports each running
// training from its lock and pg_stat_activity (who, since when), without the
// phase, and says so.
#pragma once

#include "pg_headers.h"

#include "linear.h"

#include <cstdint>
#include <string>

namespace pg_intent {

// Registers the shared-memory hooks; called from _PG_init while
// shared_preload_libraries is being processed (does nothing otherwise).
void request_progress_shared_memory();

// Reports one training's progress from the backend's own thread. Writes the
// slot (when there is shared memory) on every report, and sends a NOTICE
// when the phase changes and every ~10 % of a long phase, at most about
// twice a second. The slot is cleared when the reporter is destroyed, also
// when the training fails. `classifier` and `partition` (nullptr: none, the
// fallback or an unpartitioned classifier's model) are text in the server
// encoding; the slot keeps at most kProgressNameBytes bytes of each, cut at
// a character boundary, and the encoding (a reader in a database of another
// encoding shows each byte outside ASCII as '?').
constexpr size_t kProgressNameBytes = 63;
class TrainingProgress {
  public:
    TrainingProgress(const std::string &run_id, uint64_t rows, const std::string &classifier,
                     const std::string *partition);
    ~TrainingProgress();
    TrainingProgress(const TrainingProgress &) = delete;
    TrainingProgress &operator=(const TrainingProgress &) = delete;

    void report(const intent::TrainProgress &p);
    void set_rows(uint64_t rows);

  private:
    std::string phase_;
    int last_percent_ = -1;
    int64_t last_notice_us_ = 0;
};

} // namespace pg_intent
