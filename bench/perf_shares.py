#!/usr/bin/env python3
"""Shares of a backend's main-thread perf samples by what the stack is in.

Reads `perf script -F tid,ip,sym` (stacks separated by blank lines) on stdin;
argv[1] is the backend's pid (its main thread's tid). A sample counts under
the first rule whose frame is on its stack, checked in this order."""
import sys

RULES = [
    ("the core (train_model_taking_rows)", ("train_model_taking_rows",)),
    ("planning (pg_plan_queries, GetCachedPlan's replanning)", ("pg_plan_queries", "pg_plan_query", "standard_planner")),
    ("PL/pgSQL bookkeeping (plpgsql_exec_function)", ("plpgsql_exec_function",)),
    ("the trainer's C around the core (train_table)", ("train_table",)),
]


def main():
    main_tid = sys.argv[1]
    counts = {name: 0 for name, _ in RULES}
    other = total = 0
    stack, tid = [], None
    relcache_inval = 0
    sha256 = 0
    revalidate = 0

    def flush():
        nonlocal other, total, relcache_inval, sha256, revalidate
        if tid != main_tid or not stack:
            return
        total += 1
        if any("RelationCacheInvalidateEntry" in s or "PlanCacheRelCallback" in s for s in stack):
            relcache_inval += 1
        if any("sha256" in s.lower() or "SHA256" in s for s in stack):
            sha256 += 1
        if any("RevalidateCachedQuery" in s for s in stack):
            revalidate += 1
        for name, frames in RULES:
            if any(any(f in s for f in frames) for s in stack):
                counts[name] += 1
                return
        other += 1

    for line in sys.stdin:
        line = line.rstrip("\n")
        if not line.strip():
            flush()
            stack, tid = [], None
            continue
        if tid is None:
            tid = line.split()[0]
            continue
        parts = line.split(None, 1)
        stack.append(parts[1] if len(parts) > 1 else parts[0])
    flush()
    print(f"main-thread samples: {total}")
    for name, _ in RULES:
        print(f"{name}: {counts[name]} ({100.0 * counts[name] / max(total, 1):.1f} %)")
    print(f"other: {other} ({100.0 * other / max(total, 1):.1f} %)")
    print(f"(of all: relcache invalidation processing on the stack: {relcache_inval}; "
          f"SHA-256 on the stack: {sha256}; RevalidateCachedQuery on the stack: {revalidate})")


if __name__ == "__main__":
    main()
