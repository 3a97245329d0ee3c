// Training progress in shared memory and as NOTICE messages (progress.h).
#include "progress.h"

#include "extension_locks.h"
#include "guard.h"
#include "intent_names.h"
#include "relations.h"
#include "spi.h"

extern "C" {
#include "catalog/pg_authid.h"
#include "funcapi.h"
#include "mb/pg_wchar.h"
#include "pgstat.h"
#include "port/atomics.h"
#include "storage/ipc.h"
#include "storage/proc.h"
#include "storage/procarray.h"
#include "storage/shmem.h"
#include "utils/acl.h"
#include "utils/timestamp.h"
#include "utils/uuid.h"
}

#include <algorithm>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

namespace pg_intent {
namespace {

// One per backend, written only by its backend. Readers copy a slot while
// its change count is even and unchanged (the protocol of PgBackendStatus).
struct ProgressSlot {
    pg_atomic_uint32 changecount;
    int32 pid; // 0: no training
    Oid database;
    Oid user;
    char run_id[40];
    char phase[24];
    char classifier[kProgressNameBytes + 1];
    char partition[kProgressNameBytes + 1];
    bool has_partition;
    int32 encoding; // of the database: classifier and partition are its text
    uint64 done;
    uint64 total;
    uint64 rows;
    TimestampTz started;
    TimestampTz updated;
};

struct ProgressShared {
    int32 slots;
    ProgressSlot slot[FLEXIBLE_ARRAY_MEMBER];
};

ProgressShared *g_shared = nullptr;
shmem_request_hook_type g_prev_request = nullptr;
shmem_startup_hook_type g_prev_startup = nullptr;

Size shared_size() {
    return add_size(offsetof(ProgressShared, slot), mul_size(MaxBackends, sizeof(ProgressSlot)));
}

void on_shmem_request() {
    if (g_prev_request) g_prev_request();
    RequestAddinShmemSpace(shared_size());
}

void on_shmem_startup() {
    if (g_prev_startup) g_prev_startup();
    bool found = false;
    LWLockAcquire(AddinShmemInitLock, LW_EXCLUSIVE);
    g_shared =
        static_cast<ProgressShared *>(ShmemInitStruct("pg_intent training progress", shared_size(), &found));
    if (!found) {
        g_shared->slots = MaxBackends;
        for (int i = 0; i < MaxBackends; ++i) {
            std::memset(&g_shared->slot[i], 0, sizeof(ProgressSlot));
            pg_atomic_init_u32(&g_shared->slot[i].changecount, 0);
        }
    }
    LWLockRelease(AddinShmemInitLock);
}

// This backend's slot, or nullptr without shared memory.
ProgressSlot *my_slot() {
    const int index = pgi_my_proc_index();
    if (!g_shared || index < 0 || index >= g_shared->slots) return nullptr;
    return &g_shared->slot[index];
}

// Writes a slot under the change-count protocol. Called only by the slot's
// own backend, so there is one writer.
template <class Fn> void write_slot(ProgressSlot *slot, Fn &&fill) {
    pg_atomic_fetch_add_u32(&slot->changecount, 1);
    pg_write_barrier();
    fill(*slot);
    pg_write_barrier();
    pg_atomic_fetch_add_u32(&slot->changecount, 1);
}

void copy_cstring(char *dst, size_t size, const std::string &src) {
    size_t n = std::min(size - 1, src.size());
    std::memcpy(dst, src.data(), n);
    dst[n] = '\0';
}

// The first kProgressNameBytes bytes of `src` (server encoding), cut at a
// character boundary, into `dst`.
void copy_name(char (&dst)[kProgressNameBytes + 1], const std::string &src) {
    size_t length = src.size();
    if (length > kProgressNameBytes) {
        // a character is at most 4 bytes: the cut is within the first 4 * 63
        const int available = static_cast<int>(std::min(length, 4 * kProgressNameBytes));
        int cut = 0;
        pg_call([&]() noexcept { cut = pg_mbcliplen(src.data(), available, kProgressNameBytes); });
        length = static_cast<size_t>(cut);
    }
    std::memcpy(dst, src.data(), length);
    dst[length] = '\0';
}

// A slot's name as text of this database. The slots are the cluster's, and
// a name is in the encoding of the database that trains: its bytes are
// shown as they are in a database of the same encoding; in another, each
// byte outside ASCII is a '?' (ASCII reads the same in every server
// encoding). Shown as they were, a LATIN1 database's "café" was invalid
// text in a UTF8 database, and any function given it failed there.
// Allocates: called inside pg_call() only.
Datum name_text(const char *name, int encoding) noexcept {
    if (encoding == GetDatabaseEncoding()) return CStringGetTextDatum(name);
    char copy[kProgressNameBytes + 1];
    size_t n = 0;
    for (; name[n] != '\0' && n < kProgressNameBytes; ++n)
        copy[n] = IS_HIGHBIT_SET(name[n]) ? '?' : name[n];
    copy[n] = '\0';
    return CStringGetTextDatum(copy);
}

std::thread::id g_backend_thread; // progress reports from any other thread are ignored

} // namespace

void request_progress_shared_memory() {
    if (!process_shared_preload_libraries_in_progress) return;
    g_prev_request = shmem_request_hook;
    shmem_request_hook = on_shmem_request;
    g_prev_startup = shmem_startup_hook;
    shmem_startup_hook = on_shmem_startup;
}

TrainingProgress::TrainingProgress(const std::string &run_id, uint64_t rows, const std::string &classifier,
                                   const std::string *partition) {
    g_backend_thread = std::this_thread::get_id();
    if (ProgressSlot *slot = my_slot()) {
        const TimestampTz now = GetCurrentTimestamp();
        char classifier_name[kProgressNameBytes + 1], partition_name[kProgressNameBytes + 1] = {0};
        copy_name(classifier_name, classifier);
        if (partition) copy_name(partition_name, *partition);
        write_slot(slot, [&](ProgressSlot &s) {
            s.pid = MyProcPid;
            s.database = MyDatabaseId;
            s.user = GetUserId();
            copy_cstring(s.run_id, sizeof s.run_id, run_id);
            copy_cstring(s.phase, sizeof s.phase, "reading");
            std::memcpy(s.classifier, classifier_name, sizeof s.classifier);
            std::memcpy(s.partition, partition_name, sizeof s.partition);
            s.has_partition = partition != nullptr;
            s.encoding = GetDatabaseEncoding();
            s.done = 0;
            s.total = 0;
            s.rows = rows;
            s.started = now;
            s.updated = now;
        });
    }
}

TrainingProgress::~TrainingProgress() {
    if (ProgressSlot *slot = my_slot()) write_slot(slot, [](ProgressSlot &s) { s.pid = 0; });
}

void TrainingProgress::set_rows(uint64_t rows) {
    if (ProgressSlot *slot = my_slot()) write_slot(slot, [&](ProgressSlot &s) { s.rows = rows; });
}

void TrainingProgress::report(const intent::TrainProgress &p) {
    // PostgreSQL may only be called from the backend's own thread; the core
    // reports from it, and this makes sure of it.
    if (std::this_thread::get_id() != g_backend_thread) return;
    const std::string phase = p.stage ? p.stage : "";
    const TimestampTz now = GetCurrentTimestamp();
    if (ProgressSlot *slot = my_slot())
        write_slot(slot, [&](ProgressSlot &s) {
            copy_cstring(s.phase, sizeof s.phase, phase);
            s.done = p.done;
            s.total = p.total;
            s.updated = now;
        });
    const int percent =
        p.total ? static_cast<int>(100.0 * static_cast<double>(p.done) / static_cast<double>(p.total)) : 0;
    const bool new_phase = phase != phase_;
    const bool step = percent >= last_percent_ + 10 && now - last_notice_us_ >= 500000;
    if (!new_phase && !step) return;
    phase_ = phase;
    last_percent_ = percent;
    last_notice_us_ = now;
    // A NOTICE never raises an error here, but it is a PostgreSQL call made
    // while C++ objects are alive: go through the guard. Interrupts are
    // held: a message ends with CHECK_FOR_INTERRUPTS(), and the whole
    // ProcessInterrupts() must not run here, with worker threads running (a
    // client gone when the NOTICE is sent, or a pg_terminate_backend(), made
    // it raise a FATAL that exited the process under them). The trainer's
    // next poll (training_should_stop()) sees those flags and stops; the
    // guard then lets PostgreSQL raise its error.
    pg_call([&]() noexcept {
        HOLD_INTERRUPTS();
        ereport(NOTICE, (errmsg("pg_intent training: %s %d%%", phase.c_str(), percent), errhidestmt(true),
                         errhidecontext(true)));
        RESUME_INTERRUPTS();
    });
}

} // namespace pg_intent

using namespace pg_intent;

// pg_intent_training_progress(): the trainings running now, one row each.
// 0.3.1 added the columns classifier and partition_key; a database not yet
// updated calls this library with 0.3.0's eleven columns, so the row has as
// many columns as the calling function's result type.
PG_INTENT_FUNCTION(pg_intent_training_progress) {
    constexpr int kColumns = 13, kColumns030 = 11;
    ReturnSetInfo *rsinfo = reinterpret_cast<ReturnSetInfo *>(fcinfo->resultinfo);
    pg_call([&]() noexcept {
        InitMaterializedSRF(fcinfo, 0);
        const int natts = rsinfo->setDesc->natts;
        if (natts != kColumns && natts != kColumns030)
            elog(ERROR, "pg_intent_training_progress must return %d columns", kColumns);
    });
    const bool have_shared = g_shared != nullptr;
    // Whether the caller may know which classifiers exist: a superuser, or
    // SELECT on ai_classifiers (_pg_intent_classifier_may_list(), the
    // dashboards' rule).
    bool may_list = false;
    pg_call([&]() noexcept {
        const Oid classifiers = extension_relation(calling_function(fcinfo).schema, "ai_classifiers");
        may_list = superuser() || (OidIsValid(classifiers) &&
                                   pg_class_aclcheck(classifiers, GetUserId(), ACL_SELECT) == ACLCHECK_OK);
    });
    // The backends shown from their slot of shared memory: sized here, since
    // the rows are added inside pg_call() bodies, where nothing allocates.
    std::vector<int> shown;
    size_t n_shown = 0;
    if (have_shared) {
        shown.assign(static_cast<size_t>(g_shared->slots), 0);
        for (int i = 0; i < g_shared->slots; ++i) {
            ProgressSlot copy;
            ProgressSlot *slot = &g_shared->slot[i];
            for (int attempt = 0; attempt < 1000; ++attempt) {
                uint32 before = pg_atomic_read_u32(&slot->changecount);
                pg_read_barrier();
                std::memcpy(static_cast<void *>(&copy), slot, sizeof copy);
                pg_read_barrier();
                if ((before & 1) == 0 && before == pg_atomic_read_u32(&slot->changecount)) break;
            }
            if (copy.pid == 0) continue;
            pg_call([&]() noexcept {
                // A backend that died mid-training leaves its slot behind.
                if (BackendPidGetProc(copy.pid) == nullptr) return;
                Datum values[kColumns];
                bool nulls[kColumns] = {false};
                values[0] = Int32GetDatum(copy.pid);
                values[1] = ObjectIdGetDatum(copy.database);
                values[2] = ObjectIdGetDatum(copy.user);
                if (copy.run_id[0])
                    values[3] = DirectFunctionCall1(uuid_in, CStringGetDatum(copy.run_id));
                else
                    nulls[3] = true;
                values[4] = CStringGetTextDatum(copy.phase);
                values[5] = Int64GetDatum(static_cast<int64>(copy.done));
                values[6] = Int64GetDatum(static_cast<int64>(copy.total));
                if (copy.rows)
                    values[7] = Int64GetDatum(static_cast<int64>(copy.rows));
                else
                    nulls[7] = true;
                values[8] = TimestampTzGetDatum(copy.started);
                values[9] = TimestampTzGetDatum(copy.updated);
                values[10] = CStringGetTextDatum("shared_memory");
                copy.classifier[kProgressNameBytes] = copy.partition[kProgressNameBytes] = '\0';
                values[11] = name_text(copy.classifier, copy.encoding);
                if (copy.has_partition)
                    values[12] = name_text(copy.partition, copy.encoding);
                else
                    nulls[12] = true;
                // A training of another database shows who runs it and since
                // when, as pg_stat_activity shows another role's backend; its
                // run, phase, counts, classifier and partition (a tenant's
                // name) only to a role with the privileges of the role that
                // trains or of pg_read_all_stats, PostgreSQL's rule for
                // another role's activity. The function is granted to a
                // database's staff (the explain set), and the databases of a
                // cluster may be different customers'.
                //
                // In its own database, another role's training names its
                // classifier and partition only to a role that may know
                // which classifiers exist (may_list): the explain set, which
                // a tenant holds to explain the fallback, showed every
                // classifier's name and every tenant's partition value being
                // trained, where the dashboards answer such a role an
                // unknown classifier and a forbidden one alike (42501).
                const bool sees_trainer = has_privs_of_role(GetUserId(), copy.user) ||
                                          has_privs_of_role(GetUserId(), ROLE_PG_READ_ALL_STATS);
                if (copy.database != MyDatabaseId && !sees_trainer)
                    for (int hidden : {3, 4, 5, 6, 7, 11, 12})
                        nulls[hidden] = true;
                else if (!sees_trainer && !may_list) {
                    // The built-in classifier is in every database: its name
                    // tells no one anything.
                    if (std::strcmp(copy.classifier, intent::kBuiltinClassifier) != 0) nulls[11] = true;
                    nulls[12] = true;
                }
                tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
                shown[n_shown++] = copy.pid;
            });
        }
    }
    // Without shared memory, and with it for a training not in it (yet): the
    // backends holding one of the extension's training slots (object sub-ids
    // of its pg_extension entry, is_training_slot_subid()), from pg_locks and
    // pg_stat_activity (no phase). A training writes its slot of shared
    // memory from its run on, and train_classifier() reads the classifier's
    // source before its first run: with pg_intent preloaded, a training
    // reading a large source (or a slow view) held its training slot and was
    // in no row at all, where without preloading its lock showed it.
    const std::string sql =
        "SELECT a.pid, a.datid, a.usesysid, a.query_start, a.state_change "
        "FROM pg_catalog.pg_locks AS l JOIN pg_catalog.pg_stat_activity AS a ON a.pid "
        "OPERATOR(pg_catalog.=) l.pid "
        "WHERE l.locktype OPERATOR(pg_catalog.=) 'object' AND l.granted "
        "AND l.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_extension'::pg_catalog.regclass "
        "AND l.objid OPERATOR(pg_catalog.=) (SELECT e.oid FROM pg_catalog.pg_extension AS e "
        "WHERE e.extname OPERATOR(pg_catalog.=) 'pg_intent') "
        "AND l.objsubid OPERATOR(pg_catalog.>=) " +
        std::to_string(kFirstTrainingSlotSubid) + " AND l.objsubid OPERATOR(pg_catalog.<) " +
        std::to_string(kFirstTrainingSlotSubid + kMaxTrainingSlots) +
        " AND l.database OPERATOR(pg_catalog.=) a.datid";
    SpiConnection spi;
    spi.for_each_row_read_only(sql.c_str(), [&](const SpiRow &row) noexcept {
        Datum values[kColumns];
        bool nulls[kColumns] = {false};
        bool isnull;
        values[0] = row.value(1, &isnull);
        if (std::find(shown.begin(), shown.begin() + static_cast<std::ptrdiff_t>(n_shown),
                      DatumGetInt32(values[0])) != shown.begin() + static_cast<std::ptrdiff_t>(n_shown))
            return;
        values[1] = row.value(2, &nulls[1]);
        values[2] = row.value(3, &nulls[2]);
        nulls[3] = nulls[4] = nulls[5] = nulls[6] = nulls[7] = true;
        values[8] = row.value(4, &nulls[8]);
        values[9] = row.value(5, &nulls[9]);
        values[10] = CStringGetTextDatum("lock");
        nulls[11] = nulls[12] = true; // which classifier is not known from the lock
        tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
    });
    return (Datum)0;
}
