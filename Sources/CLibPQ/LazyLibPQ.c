// libpq, loaded when catalog first talks to PostgreSQL rather than when the process starts.
//
// Linking libpq pulls in 30 shared libraries (OpenSSL, Kerberos, LDAP, GnuTLS, ...). Loading and
// relocating them took about 6 ms of every start, also for the commands that never connect:
// `--version`, `--help`, and `find-column --cached`, which answers from the store alone.
// So catalog does not link libpq; each function below forwards to the same function of a
// libpq opened with dlopen on first use. The prototypes are libpq's own: the compiler checks each
// definition against libpq-fe.h.

#include "CLibPQ.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#define LIBPQ_FUNCTIONS(X) \
    X(PQstatus) \
    X(PQfinish) \
    X(PQfreemem) \
    X(PQsocket) \
    X(PQexecParams) \
    X(PQconninfoParse) \
    X(PQconnectStartParams) \
    X(PQtransactionStatus) \
    X(PQntuples) \
    X(PQnfields) \
    X(PQisBusy) \
    X(PQgetvalue) \
    X(PQgetisnull) \
    X(PQgetCancel) \
    X(PQflush) \
    X(PQexec) \
    X(PQescapeLiteral) \
    X(PQescapeIdentifier) \
    X(PQconsumeInput) \
    X(PQconninfoFree) \
    X(PQconnectdbParams) \
    X(PQconnectPoll) \
    X(PQcancel) \
    X(PQbackendPID) \
    X(PQuser) \
    X(PQsetnonblocking) \
    X(PQsetNoticeProcessor) \
    X(PQserverVersion) \
    X(PQsendQueryPrepared) \
    X(PQsendQueryParams) \
    X(PQsendPrepare) \
    X(PQresultStatus) \
    X(PQresultErrorMessage) \
    X(PQresultErrorField) \
    X(PQport) \
    X(PQpipelineSync) \
    X(PQpipelineStatus) \
    X(PQnotifies) \
    X(PQhost) \
    X(PQgetlength) \
    X(PQgetResult) \
    X(PQfreeCancel) \
    X(PQfname) \
    X(PQexitPipelineMode) \
    X(PQerrorMessage) \
    X(PQenterPipelineMode) \
    X(PQdb) \
    X(PQconnectStart) \
    X(PQcmdStatus) \
    X(PQclear)

struct LibPQ {
#define LIBPQ_FIELD(name) __typeof__(&name) name;
    LIBPQ_FUNCTIONS(LIBPQ_FIELD)
#undef LIBPQ_FIELD
};

static struct LibPQ table;
static const char *loadError = "libpq has not been loaded";
static char loadErrorText[512];
static pthread_once_t loadOnce = PTHREAD_ONCE_INIT;

#if defined(__APPLE__)
static const char *const libraryNames[] = {"libpq.5.dylib", "/opt/homebrew/opt/libpq/lib/libpq.5.dylib", "/usr/local/opt/libpq/lib/libpq.5.dylib"};
#else
static const char *const libraryNames[] = {"libpq.so.5"};
#endif

static void load(void) {
    void *library = NULL;
    for (size_t i = 0; i < sizeof libraryNames / sizeof *libraryNames && library == NULL; i++) {
        library = dlopen(libraryNames[i], RTLD_NOW | RTLD_LOCAL);
    }
    if (library == NULL) {
        const char *reason = dlerror();
        snprintf(loadErrorText, sizeof loadErrorText,
                 "libpq could not be loaded (%s); install PostgreSQL's client library, e.g. 'apt install libpq5'",
                 reason != NULL ? reason : libraryNames[0]);
        loadError = loadErrorText;
        return;
    }
#define LIBPQ_RESOLVE(name) \
    table.name = (__typeof__(&name))dlsym(library, #name); \
    if (table.name == NULL) { \
        loadError = "the libpq found has no " #name "; catalog needs libpq 14 or newer"; \
        return; \
    }
    LIBPQ_FUNCTIONS(LIBPQ_RESOLVE)
#undef LIBPQ_RESOLVE
    loadError = NULL;
}

const char *catalog_libpq_load_error(void) {
    pthread_once(&loadOnce, load);
    return loadError;
}

/// The loaded library. Only reached through a PGconn or PGresult, which exist only after a
/// successful load, so failing here is a bug in catalog, not the user's setup.
static inline const struct LibPQ *libpq(void) {
    const char *error = catalog_libpq_load_error();
    if (error != NULL) {
        fprintf(stderr, "catalog: internal error: libpq used before it was loaded: %s\n", error);
        abort();
    }
    return &table;
}

ConnStatusType PQstatus(const PGconn *a0) { return libpq()->PQstatus(a0); }
void PQfinish(PGconn *a0) { libpq()->PQfinish(a0); }
void PQfreemem(void *a0) { libpq()->PQfreemem(a0); }
int PQsocket(const PGconn *a0) { return libpq()->PQsocket(a0); }
PGresult *PQexecParams(PGconn *a0, const char *a1, int a2, const Oid *a3, const char *const *a4, const int *a5, const int *a6, int a7) { return libpq()->PQexecParams(a0, a1, a2, a3, a4, a5, a6, a7); }
PQconninfoOption *PQconninfoParse(const char *a0, char **a1) { return libpq()->PQconninfoParse(a0, a1); }
PGconn *PQconnectStartParams(const char *const *a0, const char *const *a1, int a2) { return libpq()->PQconnectStartParams(a0, a1, a2); }
PGTransactionStatusType PQtransactionStatus(const PGconn *a0) { return libpq()->PQtransactionStatus(a0); }
int PQntuples(const PGresult *a0) { return libpq()->PQntuples(a0); }
int PQnfields(const PGresult *a0) { return libpq()->PQnfields(a0); }
int PQisBusy(PGconn *a0) { return libpq()->PQisBusy(a0); }
char *PQgetvalue(const PGresult *a0, int a1, int a2) { return libpq()->PQgetvalue(a0, a1, a2); }
int PQgetisnull(const PGresult *a0, int a1, int a2) { return libpq()->PQgetisnull(a0, a1, a2); }
PGcancel *PQgetCancel(PGconn *a0) { return libpq()->PQgetCancel(a0); }
int PQflush(PGconn *a0) { return libpq()->PQflush(a0); }
PGresult *PQexec(PGconn *a0, const char *a1) { return libpq()->PQexec(a0, a1); }
char *PQescapeLiteral(PGconn *a0, const char *a1, size_t a2) { return libpq()->PQescapeLiteral(a0, a1, a2); }
char *PQescapeIdentifier(PGconn *a0, const char *a1, size_t a2) { return libpq()->PQescapeIdentifier(a0, a1, a2); }
int PQconsumeInput(PGconn *a0) { return libpq()->PQconsumeInput(a0); }
void PQconninfoFree(PQconninfoOption *a0) { libpq()->PQconninfoFree(a0); }
PGconn *PQconnectdbParams(const char *const *a0, const char *const *a1, int a2) { return libpq()->PQconnectdbParams(a0, a1, a2); }
PostgresPollingStatusType PQconnectPoll(PGconn *a0) { return libpq()->PQconnectPoll(a0); }
int PQcancel(PGcancel *a0, char *a1, int a2) { return libpq()->PQcancel(a0, a1, a2); }
int PQbackendPID(const PGconn *a0) { return libpq()->PQbackendPID(a0); }
char *PQuser(const PGconn *a0) { return libpq()->PQuser(a0); }
int PQsetnonblocking(PGconn *a0, int a1) { return libpq()->PQsetnonblocking(a0, a1); }
PQnoticeProcessor PQsetNoticeProcessor(PGconn *a0, PQnoticeProcessor a1, void *a2) { return libpq()->PQsetNoticeProcessor(a0, a1, a2); }
int PQserverVersion(const PGconn *a0) { return libpq()->PQserverVersion(a0); }
int PQsendQueryPrepared(PGconn *a0, const char *a1, int a2, const char *const *a3, const int *a4, const int *a5, int a6) { return libpq()->PQsendQueryPrepared(a0, a1, a2, a3, a4, a5, a6); }
int PQsendQueryParams(PGconn *a0, const char *a1, int a2, const Oid *a3, const char *const *a4, const int *a5, const int *a6, int a7) { return libpq()->PQsendQueryParams(a0, a1, a2, a3, a4, a5, a6, a7); }
int PQsendPrepare(PGconn *a0, const char *a1, const char *a2, int a3, const Oid *a4) { return libpq()->PQsendPrepare(a0, a1, a2, a3, a4); }
ExecStatusType PQresultStatus(const PGresult *a0) { return libpq()->PQresultStatus(a0); }
char *PQresultErrorMessage(const PGresult *a0) { return libpq()->PQresultErrorMessage(a0); }
char *PQresultErrorField(const PGresult *a0, int a1) { return libpq()->PQresultErrorField(a0, a1); }
char *PQport(const PGconn *a0) { return libpq()->PQport(a0); }
int PQpipelineSync(PGconn *a0) { return libpq()->PQpipelineSync(a0); }
PGpipelineStatus PQpipelineStatus(const PGconn *a0) { return libpq()->PQpipelineStatus(a0); }
PGnotify *PQnotifies(PGconn *a0) { return libpq()->PQnotifies(a0); }
char *PQhost(const PGconn *a0) { return libpq()->PQhost(a0); }
int PQgetlength(const PGresult *a0, int a1, int a2) { return libpq()->PQgetlength(a0, a1, a2); }
PGresult *PQgetResult(PGconn *a0) { return libpq()->PQgetResult(a0); }
void PQfreeCancel(PGcancel *a0) { libpq()->PQfreeCancel(a0); }
char *PQfname(const PGresult *a0, int a1) { return libpq()->PQfname(a0, a1); }
int PQexitPipelineMode(PGconn *a0) { return libpq()->PQexitPipelineMode(a0); }
char *PQerrorMessage(const PGconn *a0) { return libpq()->PQerrorMessage(a0); }
int PQenterPipelineMode(PGconn *a0) { return libpq()->PQenterPipelineMode(a0); }
char *PQdb(const PGconn *a0) { return libpq()->PQdb(a0); }
PGconn *PQconnectStart(const char *a0) { return libpq()->PQconnectStart(a0); }
char *PQcmdStatus(PGresult *a0) { return libpq()->PQcmdStatus(a0); }
void PQclear(PGresult *a0) { libpq()->PQclear(a0); }
