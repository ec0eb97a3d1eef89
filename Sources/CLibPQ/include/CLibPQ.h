#ifndef CATALOG_CLIBPQ_H
#define CATALOG_CLIBPQ_H

// libpq's own declarations: Debian keeps them under postgresql/, Homebrew and most others at the top.
#if __has_include(<libpq-fe.h>)
#include <libpq-fe.h>
#else
#include <postgresql/libpq-fe.h>
#endif

/// Loads libpq on first use. Returns NULL once it is loaded, or why it could not be (a static
/// message naming the library). Call it before anything that can create a PGconn: every other
/// libpq function needs one, so the rest can take the library as loaded.
const char *catalog_libpq_load_error(void);

#endif
