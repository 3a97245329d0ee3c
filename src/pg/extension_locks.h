// The extension's own locks (extension_locks.cpp): per classifier, and the
// slots that bound how many trainings run at once.
#pragma once

#include "pg_headers.h"

#include <string>

namespace pg_intent {

// The most slots max_concurrent_trainings can name (its CHECK).
constexpr int kMaxTrainingSlots = 64;

// Takes, until the end of the transaction, the training lock of
// `classifier` and one of the first `max_concurrent` training slots (none
// more when this transaction holds one already). Never waits: 55P03 naming
// the pid of a backend that holds the lock or the slots. `fn_oid` is any
// function of the extension (it finds the extension and its schema).
// May throw SqlError and PgError.
void lock_training(Oid fn_oid, const std::string &classifier, int max_concurrent);

// Takes, until the end of the transaction, the retraining lock: only the
// retrain_classifiers() call that holds it reads and writes the attempt in
// progress (ai_classifier_retrain_attempt_seq), so that no call takes
// another's running attempt for an interrupted one. Never waits: false when
// another backend holds it. May throw PgError.
bool try_lock_retraining(Oid fn_oid);

} // namespace pg_intent
