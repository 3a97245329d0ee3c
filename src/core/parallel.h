// Independent training tasks (cross-validation folds, gate folds, the C grid)
// on a few threads, with the cancel callback polled only by the caller.
#pragma once

#include "linear.h" // TrainCallbacks

#include <cstddef>
#include <functional>

namespace intent {

// Runs task(i, callbacks_for_task) for every i in [0, count) on up to
// `threads` threads, the calling thread included. The calling thread's tasks
// get `callbacks`' cancel check, not its progress (they poll it, as
// train_one_vs_rest does about every 20 ms; a task's own progress is not the
// run's); tasks on worker threads get callbacks whose only member is a check
// of a shared stop flag, so worker threads never call back into the caller
// (in PostgreSQL the callbacks wrap CHECK_FOR_INTERRUPTS, which only the
// backend's own thread may run). Once its own tasks are done, the caller polls
// `callbacks` every 20 ms until the workers finish. The first exception (a
// cancel included) stops every task and is rethrown after all threads joined.
// Tasks must write only their own results, so the outcome does not depend on
// the thread count or on scheduling. Worker threads start with every signal
// blocked. With `stage`, the caller reports (stage, tasks finished, count)
// through `callbacks` as tasks finish.
void run_tasks(size_t count, size_t threads, const TrainCallbacks &callbacks,
               const std::function<void(size_t, const TrainCallbacks &)> &task, const char *stage = nullptr);

// The training thread count: `requested`, or min(hardware threads, 4) for 0.
size_t training_threads(int requested);

} // namespace intent
