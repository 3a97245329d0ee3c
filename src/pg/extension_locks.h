// The extension's own locks (extension_locks.cpp): per classifier, and the
// slots that bound how many trainings run at once.
#pragma once

#include "pg_headers.h"

#include <string>

namespace pg_intent {

// The most slots max_concurrent_trainings can name (its CHECK).
constexpr int kMaxTrainingSlots = 64;

// The training slots are the object sub-ids kFirstTrainingSlotSubid to
// kFirstTrainingSlotSubid + kMaxTrainingSlots - 1 (16 to 79) of the
// extension's pg_extension entry. The one definition: the locks are taken
// with it, ai_training_progress reads pg_locks with it without shared memory
// (progress.cpp), and SQL asks it through _pg_intent_is_training_slot()
// (_pg_intent_retrain_failure_of()).
constexpr int kFirstTrainingSlotSubid = 16;
constexpr bool is_training_slot_subid(int objsubid) {
    return objsubid >= kFirstTrainingSlotSubid && objsubid < kFirstTrainingSlotSubid + kMaxTrainingSlots;
}

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

// A training call of this backend (train_classifier(), train_intent_model()),
// for its scope. Code that a training runs (a classifier's source: its view,
// the functions it calls, its policies, domains) runs in the same backend
// and transaction, where the classifier's lock and the training slot are
// already held: a train_classifier() it called trained under them, and its
// read of the source called it again, about 150 trainings deep until the
// stack ran out, each with its own memory budget and in one slot, under a
// superuser's retrain_classifiers() as well. The constructor refuses (55000)
// a training that starts while another runs in this backend;
// refuse_inside_training() is the same check for retrain_classifiers().
// May throw SqlError.
class TrainingInProgress {
  public:
    explicit TrainingInProgress(const char *function);
    ~TrainingInProgress();
    TrainingInProgress(const TrainingInProgress &) = delete;
    TrainingInProgress &operator=(const TrainingInProgress &) = delete;
};

void refuse_inside_training(const char *function);

} // namespace pg_intent
