// The invalidation that ai_intent_models' and ai_classifiers' statement
// triggers send (models_changed.cpp), and a call's way to send it once.
#pragma once

#include "pg_headers.h"

namespace pg_intent {

// While one lives, the triggers' invalidations in this backend wait in a
// list instead of being sent at each statement; flush() ends the deferral
// and sends each table's once, in the current transaction, so every backend
// still gets them at commit. A relcache invalidation of ai_intent_models,
// processed at the end of each command, also drops this backend's cached
// plans over the table: a call that inserted a model per run
// (train_classifier()'s partitions) planned its runs' statements again
// after each one (issue 33). The destructor sends nothing: on an error the
// (sub)transaction that holds the changes aborts, and they with it. What
// still waits at a transaction's end is sent at PRE_COMMIT (but for a table
// the transaction dropped meanwhile, whose drop sent its own) and dropped at
// an abort (models_changed.cpp's transaction callback): never a lost
// invalidation.
class DeferredModelInvalidations {
  public:
    DeferredModelInvalidations() noexcept;
    ~DeferredModelInvalidations();
    DeferredModelInvalidations(const DeferredModelInvalidations &) = delete;
    DeferredModelInvalidations &operator=(const DeferredModelInvalidations &) = delete;
    // Ends the deferral and, unless an outer one is alive, sends what waits.
    void flush();

  private:
    bool ended_ = false;
};

// Registers the transaction callback that ends every deferral (_PG_init).
void register_models_changed_callbacks();

} // namespace pg_intent
