// The locks only the extension can take.
//
// 0.1.0 serialised training and deployment with fixed advisory lock keys,
// which any role can take (and keep, in an idle session): training then
// failed with 55P03 forever. 0.2.0 locked the extension's own pg_extension
// entry instead (object sub-ids 1 and 2), but one lock for the whole
// database: a `BEGIN; SELECT train_classifier('shops');` left idle blocked
// every other classifier and train_intent_model() (issue 31, item 4).
//
// Since 0.3.2 the locks are per classifier, and a bounded number of
// training slots limits how many trainings run at once:
//
//  - a classifier's training and deployment locks are object locks whose
//    "class" is the extension's own OID (no PostgreSQL command locks an
//    object of that class: class ids are catalog OIDs) and whose objid and
//    objsubid are 48 bits of a hash of ("training" | "deployment", classifier
//    name). COMPAT(0.2.x) They need no table of the extension, so 0.2's SQL (which has no
//    ai_classifiers), run on this library until ALTER EXTENSION UPDATE, still
//    takes them through _pg_intent_lock(). Two names
//    share a lock with a probability of 2^-48 per pair; they then wait for
//    each other, nothing worse. A classifier trains all its partitions in one
//    call, under its one lock; deployments of its partitions queue behind
//    each other (drop_classifier() deactivates them all at once).
//  - the training slots are the object sub-ids 16 .. 16 + 63 of the
//    extension's pg_extension entry (is_training_slot_subid(),
//    extension_locks.h): a training takes the first free one of the policy's
//    max_concurrent_trainings (ai_training_progress reads them when shared
//    memory is not there, and _pg_intent_retrain_failure_of() in SQL).
//  - the retraining lock, object sub-id 3 of the same entry, is held by the
//    one retrain_classifiers() call that keeps the attempt in progress
//    (src/sql/schema/81_classifier_retrain_attempt.sql).
//
// Every lock is ExclusiveLock until the end of the transaction; the
// functions that take them are not executable by PUBLIC. pg_locks shows them
// as locktype 'object'.
#include "extension_locks.h"

#include "guard.h"
#include "intent_names.h"
#include "text_io.h"

extern "C" {
#include "access/twophase.h"
#include "catalog/dependency.h"
#include "catalog/pg_extension.h"
#include "catalog/pg_proc.h"
#include "common/hashfn.h"
#include "miscadmin.h"
#include "storage/lmgr.h"
#include "storage/lock.h"
#include "storage/proc.h"
#include "utils/lsyscache.h"
}

#include <algorithm>
#include <string>
#include <vector>

namespace pg_intent {
namespace {

constexpr int kRetrainingSubid = 3;
static_assert(!is_training_slot_subid(kRetrainingSubid), "the retraining lock is not a training slot");

Oid owning_extension(Oid fn_oid) noexcept {
    Oid ext = getExtensionOfObject(ProcedureRelationId, fn_oid);
    if (!OidIsValid(ext)) elog(ERROR, "function %u does not belong to an extension", fn_oid);
    return ext;
}

// The lock of `kind` ("training", "deployment") of `classifier`.
LOCKTAG classifier_tag(Oid fn_oid, const char *kind, const std::string &classifier) {
    std::string key(kind);
    key.push_back('\0');
    key += classifier;
    LOCKTAG tag;
    pg_call([&]() noexcept {
        const Oid classid = owning_extension(fn_oid);
        const uint64 h = hash_bytes_extended(reinterpret_cast<const unsigned char *>(key.data()),
                                             static_cast<int>(key.size()), 0);
        SET_LOCKTAG_OBJECT(tag, MyDatabaseId, classid, static_cast<uint32>(h), static_cast<uint16>(h >> 32));
    });
    return tag;
}

LOCKTAG slot_tag(Oid ext, int slot) {
    LOCKTAG tag;
    SET_LOCKTAG_OBJECT(tag, MyDatabaseId, ExtensionRelationId, ext,
                       static_cast<uint16>(kFirstTrainingSlotSubid + slot));
    return tag;
}

// Takes the lock; without `wait`, false when another backend holds it.
bool acquire(const LOCKTAG &tag, bool wait) {
    bool acquired = false;
    pg_call([&]() noexcept {
        acquired = LockAcquire(&tag, ExclusiveLock, false, !wait) != LOCKACQUIRE_NOT_AVAIL;
    });
    return acquired;
}

// Who holds `tag`: a backend (its pid), or a prepared transaction (its
// xid). A prepared transaction keeps the locks of the transaction it was
// until COMMIT PREPARED or ROLLBACK PREPARED, and its virtual transaction id
// is still the one of the backend that prepared it: looked up as a backend,
// it named that session (idle, or since gone and its slot another
// backend's, even the caller's own), and told to cancel it, which releases
// nothing (test/scripts/two_phase.sh). A prepared transaction is asked for
// first (TwoPhaseGetXidByVirtualXID()).
struct LockHolder {
    int pid = 0;                                   // 0: not a backend, or it has just let go
    TransactionId prepared = InvalidTransactionId; // valid: a prepared transaction
};

LockHolder lock_holder(const LOCKTAG &tag) {
    LockHolder holder;
    pg_call([&]() noexcept {
        int count = 0;
        VirtualTransactionId *holders = GetLockConflicts(&tag, ExclusiveLock, &count);
        for (int i = 0; i < count; ++i) {
            bool more = false;
            holder.prepared = TwoPhaseGetXidByVirtualXID(holders[i], &more);
            if (TransactionIdIsValid(holder.prepared)) return;
            PGPROC *proc = pgi_vxid_proc(&holders[i]);
            holder.pid = proc ? proc->pid : 0;
            if (holder.pid) return;
        }
    });
    return holder;
}

std::string backend_name(int pid) {
    return pid ? "backend " + std::to_string(pid) : std::string("another backend");
}

} // namespace

void lock_training(Oid fn_oid, const std::string &classifier, int max_concurrent) {
    const LOCKTAG tag = classifier_tag(fn_oid, "training", classifier);
    if (!acquire(tag, false)) {
        const LockHolder holder = lock_holder(tag);
        if (TransactionIdIsValid(holder.prepared))
            throw SqlError(
                ERRCODE_LOCK_NOT_AVAILABLE,
                intent::Message{
                    N_("classifier \"%s\" is locked by prepared transaction %s, which trained it"),
                    {classifier, std::to_string(holder.prepared)}},
                N_("A prepared transaction keeps the locks of the training it ran until COMMIT PREPARED or "
                   "ROLLBACK PREPARED ends it; no backend runs it meanwhile."),
                N_("End it with COMMIT PREPARED or ROLLBACK PREPARED and its gid (pg_prepared_xacts lists it "
                   "by "
                   "transaction), or have the transaction manager that prepared it resolve it."));
        const int pid = holder.pid;
        throw SqlError(
            ERRCODE_LOCK_NOT_AVAILABLE,
            intent::Message{N_("classifier \"%s\" is being trained by %s"), {classifier, backend_name(pid)}},
            N_("A training holds its classifier's lock until its transaction ends; other classifiers "
               "train meanwhile."),
            "Wait for it to finish (ai_training_progress shows how far it is)" +
                (pid ? ", or cancel it with pg_cancel_backend(" + std::to_string(pid) + ")."
                     : std::string(".")));
    }
    // A slot: the one this transaction holds (a classifier's partitions, a
    // retrain_classifiers() call), else the first free one.
    Oid ext = InvalidOid;
    pg_call([&]() noexcept { ext = owning_extension(fn_oid); });
    max_concurrent = std::max(1, std::min(max_concurrent, kMaxTrainingSlots));
    for (int slot = 0; slot < kMaxTrainingSlots; ++slot) {
        const LOCKTAG s = slot_tag(ext, slot);
        bool held = false;
        pg_call([&]() noexcept { held = pgi_lock_held_by_me(&s, ExclusiveLock); });
        if (held) return;
    }
    for (int slot = 0; slot < max_concurrent; ++slot)
        if (acquire(slot_tag(ext, slot), false)) return;
    std::string pids, prepared;
    for (int slot = 0; slot < max_concurrent; ++slot) {
        const LockHolder holder = lock_holder(slot_tag(ext, slot));
        if (TransactionIdIsValid(holder.prepared))
            prepared += (prepared.empty() ? "" : ", ") + std::to_string(holder.prepared);
        else if (holder.pid)
            pids += (pids.empty() ? "" : ", ") + std::to_string(holder.pid);
    }
    const std::string slots = std::to_string(max_concurrent);
    throw SqlError(
        ERRCODE_LOCK_NOT_AVAILABLE,
        !prepared.empty()
            ? (pids.empty() ? intent::Message{N_("too many trainings in progress: all %s training slots are "
                                                 "taken (prepared transactions %s)"),
                                              {slots, prepared}}
                            : intent::Message{N_("too many trainings in progress: all %s training slots are "
                                                 "taken (backends %s; prepared transactions %s)"),
                                              {slots, pids, prepared}})
        : pids.empty()
            ? intent::Message{N_("too many trainings in progress: all %s training slots are taken"), {slots}}
            : intent::Message{N_("too many trainings in progress: all %s training slots are "
                                 "taken (backends %s)"),
                              {slots, pids}},
        N_("ai_training_policy.max_concurrent_trainings bounds the trainings that run at once, "
           "whatever their classifier."),
        N_("Try again when one has finished, or raise max_concurrent_trainings."));
}

namespace {
// The training calls running in this backend: 0 or 1 (TrainingInProgress).
int trainings_running = 0;
} // namespace

void refuse_inside_training(const char *function) {
    if (trainings_running > 0)
        throw SqlError(
            ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE,
            intent::Message{N_("%s cannot run inside a training"), {function}},
            N_("It was called by code that a training runs (a classifier's source: a view, a function it "
               "calls, a row-level security policy, a domain), in the training's backend."),
            N_("Train from outside the source's code."));
}

TrainingInProgress::TrainingInProgress(const char *function) {
    refuse_inside_training(function);
    ++trainings_running;
}

TrainingInProgress::~TrainingInProgress() {
    --trainings_running;
}

bool try_lock_retraining(Oid fn_oid) {
    LOCKTAG tag;
    pg_call([&]() noexcept {
        SET_LOCKTAG_OBJECT(tag, MyDatabaseId, ExtensionRelationId, owning_extension(fn_oid),
                           kRetrainingSubid);
    });
    return acquire(tag, false);
}

} // namespace pg_intent

using namespace pg_intent;

// _pg_intent_lock(p_lock text, p_wait boolean): the training or deployment
// lock of the built-in classifier "intent" (0.2's name for them), until the
// end of the transaction. Without p_wait, returns false at once when
// another session holds it.
PG_INTENT_FUNCTION(pg_intent_lock) {
    if (PG_ARGISNULL(0) || PG_ARGISNULL(1))
        throw SqlError(ERRCODE_NULL_VALUE_NOT_ALLOWED, intent::Message{N_("arguments must not be null"), {}});
    TextRef which = text_ref(PG_GETARG_DATUM(0));
    const std::string name(which.data, which.size);
    if (name != "training" && name != "deployment")
        throw SqlError(ERRCODE_INVALID_PARAMETER_VALUE, intent::Message{N_("unknown pg_intent lock"), {}},
                       N_("The locks are \"training\" and \"deployment\"."));
    PG_RETURN_BOOL(acquire(classifier_tag(fcinfo->flinfo->fn_oid, name.c_str(), intent::kBuiltinClassifier),
                           PG_GETARG_BOOL(1)));
}

// _pg_intent_lock_training(p_classifier text, p_max_concurrent integer):
// lock_training() for the training worker.
PG_INTENT_FUNCTION(pg_intent_lock_training) {
    if (PG_ARGISNULL(0) || PG_ARGISNULL(1))
        throw SqlError(ERRCODE_NULL_VALUE_NOT_ALLOWED, intent::Message{N_("arguments must not be null"), {}});
    const TextRef c = text_ref(PG_GETARG_DATUM(0));
    lock_training(fcinfo->flinfo->fn_oid, std::string(c.data, c.size), PG_GETARG_INT32(1));
    PG_RETURN_VOID();
}

// _pg_intent_lock_deployment(p_classifier text): waits for the deployment
// lock of the classifier, held until the end of the transaction.
PG_INTENT_FUNCTION(pg_intent_lock_deployment) {
    if (PG_ARGISNULL(0))
        throw SqlError(ERRCODE_NULL_VALUE_NOT_ALLOWED,
                       intent::Message{N_("p_classifier must not be null"), {}});
    const TextRef c = text_ref(PG_GETARG_DATUM(0));
    acquire(classifier_tag(fcinfo->flinfo->fn_oid, "deployment", std::string(c.data, c.size)), true);
    PG_RETURN_VOID();
}

// _pg_intent_is_training_slot(p_objsubid integer): is_training_slot_subid()
// for SQL: whether pg_locks' objsubid of an object lock on the extension's
// pg_extension entry is a training slot.
PG_INTENT_FUNCTION(pg_intent_is_training_slot) {
    PG_RETURN_BOOL(is_training_slot_subid(PG_GETARG_INT32(0)));
}
