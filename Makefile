# PGXS build of the pg_intent extension. The classifier core (src/core) is
# compiled into the same shared library; CMakeLists.txt builds it standalone
# with its unit tests, CLI and fuzzers.
#
#   make                      the library, the CLI, and a check of the shipped SQL scripts
#   make install [DESTDIR=…]  library, control file, every versioned script, CLI in $(bindir)
#   make installcheck         pg_regress against the cluster PG* variables point at
#   make sql                  the current version's scripts, from src/sql/ into build/sql/
#   make print-shipped-sql    the names of the SQL scripts `make install` ships
#   make install-released-scripts [DESTDIR=…]
#                             also the frozen install scripts of released
#                             versions (tests create those versions)
#   make core-test            the core's unit tests (CMake + ctest)
#   make check-local          the local loop: build, unit tests of the shipped
#                             core objects, pg_regress and pgTAP on a throwaway
#                             cluster (scripts/check-local.sh)
#   make core-objects         only the core's objects, as pg_intent.so has them
#   make update-po            po/pg_intent.pot from the sources, merged into po/*.po
#   make COPT=-O2             optimisation and other flags for C and C++ (default -O3)
EXTENSION = pg_intent
EXTVERSION = 0.3.2
# Upgrade scripts go between adjacent versions only; PostgreSQL chains them
# (0.1.0 -> 0.2.0 -> 0.2.1 -> 0.2.2 -> 0.3.0 -> 0.3.1 -> 0.3.2). Released versions are frozen: their scripts are
# committed files in sql/, no longer generated. Releasing a version commits
# its two generated scripts (build/sql/) into sql/ (docs/internals.md).
UPGRADE_FROM = 0.3.1
MODULE_big = pg_intent

CORE_SRCS = $(sort $(wildcard src/core/*.cpp))
PG_SRCS = $(sort $(wildcard src/pg/*.cpp))
CORE_OBJS = $(CORE_SRCS:.cpp=.o)
OBJS = $(CORE_OBJS) $(PG_SRCS:.cpp=.o)

# What ships: the current version's install script and the upgrade chain.
# The current version's scripts are generated at build time from the pieces
# in src/sql/ (build/sql/, never committed); the upgrade scripts between
# released versions are the frozen files in sql/. The frozen install
# scripts of released versions stay in sql/ for the tests that create those
# versions (install-released-scripts), and are not shipped: an upgrade
# needs only the chain.
SQL_UPGRADES = $(sort $(wildcard sql/$(EXTENSION)--*--*.sql))
SQL_RELEASED_INSTALLS = $(filter-out $(SQL_UPGRADES),$(sort $(wildcard sql/$(EXTENSION)--*.sql)))
SQL_PIECES = $(sort $(wildcard src/sql/*.sql src/sql/*/*.sql)) scripts/build-sql.sh
SQL_GENERATED = build/sql/$(EXTENSION)--$(EXTVERSION).sql \
	$(foreach v,$(UPGRADE_FROM),build/sql/$(EXTENSION)--$(v)--$(EXTVERSION).sql)
DATA = $(SQL_UPGRADES)
DATA_built = $(SQL_GENERATED)

REGRESS = $(sort $(basename $(notdir $(wildcard test/sql/*.sql))))
REGRESS_OPTS = --inputdir=test

PG_CONFIG ?= pg_config

# One warning policy for the core and the glue (CMakeLists.txt uses the
# same list); scripts/test.sh builds with WERROR=1.
WARNINGS = -Wall -Wextra -Wshadow -Wnon-virtual-dtor
PG_CPPFLAGS = -Isrc/core -Isrc/pg
PG_CXXFLAGS = -std=c++17 -fvisibility=hidden -fvisibility-inlines-hidden -fno-omit-frame-pointer -O3 $(WARNINGS)
ifeq ($(WERROR),1)
PG_CXXFLAGS += -Werror
endif
# Only the SQL-callable functions, the magic block and _PG_init leave the
# library (test/scripts/exports.sh checks `nm -D`). -lm: without it the
# library's expf, exp and log references carry no symbol version and bind to
# glibc's oldest ones, the compatibility wrappers that test every result for
# errno (expf went through two functions per call, 150 times per
# prediction); with it they bind to the current versions, as the CLI's and
# the core tests' do. The same results for every finite argument.
SHLIB_LINK = -lstdc++ -lm -lpthread -Wl,--version-script=src/pg/exports.map

# No LLVM bitcode for JIT inlining: the C++ core is not inlinable SQL
# functions, and clang would be a build dependency for nothing.
override with_llvm = no

EXTRA_CLEAN = pg-intent po/*.mo src/cli/*.o build/sql results regression.diffs regression.out

PGXS := $(shell $(PG_CONFIG) --pgxs)
include $(PGXS)

# PGXS appends COPT to CFLAGS only; the C++ objects honour it too, after our
# -O3, so `make COPT=-O2` wins.
ifdef COPT
override CXXFLAGS += $(COPT)
endif

# Treat PostgreSQL's headers as system headers: their C-isms (`register`)
# are not ours to warn about.
override CPPFLAGS := $(patsubst -I$(includedir_server),-isystem $(includedir_server),$(CPPFLAGS))

# PostgreSQL's own C code needs -fno-strict-aliasing and -fwrapv, and PGXS
# passes them to every object. The core includes no PostgreSQL header, and
# without strict aliasing GCC cannot vectorise its scoring loops (measured:
# classify_intent about 1.2x slower per row). -ffp-contract=off: no fused
# multiply-adds, so results do not depend on which CPU clone runs.
$(CORE_OBJS) src/cli/main.o: override CXXFLAGS += -fstrict-aliasing -fno-wrapv -ffp-contract=off

$(OBJS): $(wildcard src/core/*.h) $(wildcard src/pg/*.h)
$(shlib): src/pg/exports.map

# ---------------------------------------------------------------- the CLI
# `pg-intent train|eval|predict` on CSV files, installed next to pg_config.
all: pg-intent check-sql
pg-intent: src/cli/main.o $(CORE_OBJS)
	$(CXX) $(CXXFLAGS) -o $@ $^ $(LDFLAGS) -lpthread
src/cli/main.o: src/cli/main.cpp $(wildcard src/cli/*.h) $(wildcard src/core/*.h)
	$(CXX) $(CXXFLAGS) $(CPPFLAGS) -Isrc/cli -c -o $@ $<

install: install-cli
.PHONY: install-cli uninstall-cli
install-cli: pg-intent installdirs
	$(MKDIR_P) '$(DESTDIR)$(bindir)'
	$(INSTALL_PROGRAM) pg-intent '$(DESTDIR)$(bindir)/pg-intent'
uninstall: uninstall-cli
uninstall-cli:
	rm -f '$(DESTDIR)$(bindir)/pg-intent'

# --------------------------------------------------- message catalogues
# The translations of error messages (po/LANG.po), compiled by msgfmt and
# installed where the server's pg_bindtextdomain() looks for an extension's
# catalogue: <localedir>/LANG/LC_MESSAGES/pg_intent-<major>.mo, localedir
# being pg_config's (/usr/share/locale on Debian; inside the tree of a
# relocatable server, which finds it relative to its binaries as the
# library does). The library reads the file itself (src/core/messages.h),
# so it is installed whether or not the server was built with NLS.
LANGUAGES = es
MO_FILES = $(LANGUAGES:%=po/%.mo)
all: $(MO_FILES)
po/%.mo: po/%.po
	msgfmt --check -o $@ $<

install: install-po
.PHONY: install-po uninstall-po update-po
install-po: $(MO_FILES)
	for l in $(LANGUAGES); do \
		$(MKDIR_P) '$(DESTDIR)$(localedir)'/$$l/LC_MESSAGES && \
		$(INSTALL_DATA) po/$$l.mo '$(DESTDIR)$(localedir)'/$$l/LC_MESSAGES/$(EXTENSION)-$(MAJORVERSION).mo || exit 1; \
	done
uninstall: uninstall-po
uninstall-po:
	for l in $(LANGUAGES); do rm -f '$(DESTDIR)$(localedir)'/$$l/LC_MESSAGES/$(EXTENSION)-$(MAJORVERSION).mo; done
update-po:
	scripts/update-po.sh

# ---------------------------------------------------------- SQL scripts
.PHONY: sql check-sql print-shipped-sql install-released-scripts
build/sql/$(EXTENSION)--$(EXTVERSION).sql: $(SQL_PIECES)
	@mkdir -p build/sql
	scripts/build-sql.sh install $(EXTVERSION) > $@
build/sql/$(EXTENSION)--%--$(EXTVERSION).sql: $(SQL_PIECES)
	@mkdir -p build/sql
	scripts/build-sql.sh upgrade $* $(EXTVERSION) > $@

# Fails when a generated script is not ASCII: PostgreSQL reads an extension
# script in the database's encoding, and EUC_JP refused 0.2.0's en dashes
# (report text makes its characters with _pg_intent_glyph() instead); or
# when sql/ holds a script of the current version, which is generated.
check-sql: $(SQL_GENERATED)
	@for f in $(SQL_GENERATED); do \
		! LC_ALL=C grep -n '[^ -~	]' $$f | head -5 | grep . >&2 || { echo "$$f has bytes that are not printable ASCII" >&2; exit 1; }; \
		[ ! -e sql/$$(basename $$f) ] || { echo "sql/$$(basename $$f) is committed, but the current version's scripts are generated (build/sql/)" >&2; exit 1; }; \
	done

sql: $(SQL_GENERATED)

print-shipped-sql:
	@for f in $(DATA) $(DATA_built); do basename $$f; done | sort

install-released-scripts: installdirs
	$(INSTALL_DATA) $(SQL_RELEASED_INSTALLS) '$(DESTDIR)$(datadir)/$(datamoduledir)/'

# ------------------------------------------------------------ shortcuts
.PHONY: demo test core-test stress bench check-local core-objects
core-objects: $(CORE_OBJS)
check-local:
	bash scripts/check-local.sh
demo:
	bash scripts/demo.sh
test:
	bash scripts/test.sh
core-test:
	bash scripts/core-test.sh
stress:
	bash scripts/stress.sh
bench:
	bash bench/run
