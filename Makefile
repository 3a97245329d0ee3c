# PGXS build of the pg_intent extension. The classifier core (src/core) is
# compiled into the same shared library; CMakeLists.txt builds it standalone
# with its unit tests, CLI and fuzzers.
EXTENSION = pg_intent
EXTVERSION = 0.1.0
MODULE_big = pg_intent

CORE_SRCS = $(sort $(wildcard src/core/*.cpp))
PG_SRCS = $(sort $(wildcard src/pg/*.cpp))
OBJS = $(CORE_SRCS:.cpp=.o) $(PG_SRCS:.cpp=.o)

# The install script is assembled from its parts, in name order.
SQL_PARTS = $(sort $(wildcard src/sql/*.sql))
DATA_built = $(EXTENSION)--$(EXTVERSION).sql

REGRESS = $(sort $(basename $(notdir $(wildcard sql/*.sql))))
# --use-existing: the cluster script creates contrib_regression once; pg_cron's
# launcher stays connected to it, so pg_regress must not drop and recreate it.
REGRESS_OPTS = --inputdir=. --outputdir=. --use-existing

PG_CONFIG ?= pg_config
EIGEN_INCLUDE ?= /usr/include/eigen3

# -isystem keeps PostgreSQL's and Eigen's warnings out of ours.
PG_CPPFLAGS = -isystem $(EIGEN_INCLUDE) -Isrc/core -Isrc/pg
PG_CXXFLAGS = -std=c++17 -fvisibility=hidden -fno-omit-frame-pointer -O3 -Wall -Wextra -Wno-unused-parameter -Wno-missing-field-initializers
ifeq ($(WERROR),1)
PG_CXXFLAGS += -Werror
endif
SHLIB_LINK = -lstdc++ -lpthread

# No LLVM bitcode for JIT inlining: the C++ core is not inlinable SQL
# functions, and clang would be a build dependency for nothing.
override with_llvm = no

PGXS := $(shell $(PG_CONFIG) --pgxs)
include $(PGXS)

$(EXTENSION)--$(EXTVERSION).sql: $(SQL_PARTS)
	cat $^ > $@

$(OBJS): $(wildcard src/core/*.h) $(wildcard src/pg/*.h)

.PHONY: demo test core-test bench
demo:
	bash scripts/demo.sh

test:
	bash scripts/test.sh

core-test:
	bash scripts/core-test.sh

bench:
	bash bench/run

# Treat PostgreSQL's headers as system headers: their C-isms (`register`)
# are not ours to warn about.
override CPPFLAGS := $(patsubst -I$(includedir_server),-isystem $(includedir_server),$(CPPFLAGS))

# PostgreSQL's own C code needs -fno-strict-aliasing and -fwrapv, and PGXS
# passes them to every object. The core includes no PostgreSQL header, and
# without strict aliasing GCC cannot vectorise its scoring loops (measured:
# classify_intent about 1.2x slower per row). -ffp-contract=off: no fused
# multiply-adds, so results do not depend on which CPU clone runs.
CORE_OBJS = $(CORE_SRCS:.cpp=.o)
$(CORE_OBJS): override CXXFLAGS += -fstrict-aliasing -fno-wrapv -ffp-contract=off
