# Reads ctest's output as it streams and prints one line per test source
# file once all of that file's tests have finished: status, number of
# tests, their summed time. MAP (a file of "test name<TAB>source file"
# lines, one per registered test) says which file each test comes from.
#   ctest ... | awk -v map=FILE -f scripts/lib/ctest-by-file.awk
function report(f, status) {
    printf "    %-4s %-44s %4d tests %7.2fs%s%s\n", status, f, done_[f], secs[f], (bad[f] ? "  failed: " failed[f] : ""), (skip[f] ? "  skipped: " skipped[f] : "")
    fflush()
    reported[f] = 1
}
BEGIN {
    while ((getline line < map) > 0) {
        split(line, a, "\t")
        file[a[1]] = a[2]
        total[a[2]]++
    }
}
/ Test +#[0-9]+: / {
    name = $0
    sub(/.* Test +#[0-9]+: /, "", name)
    sub(/ .*/, "", name)
    f = (name in file) ? file[name] : "(other)"
    ok = ($0 ~ / Passed +[0-9.]+ sec/)
    # A skipped test is not a failure (ctest counts it as passed): say so.
    if ($0 ~ /\*\*\*Skipped/) { ok = 1; skip[f]++; skipped[f] = skipped[f] (skip[f] > 1 ? ", " : "") name }
    t = $0
    if (match(t, /[0-9.]+ sec/)) secs[f] += substr(t, RSTART, RLENGTH - 4)
    done_[f]++
    if (!ok) { bad[f]++; failed[f] = failed[f] (bad[f] > 1 ? ", " : "") name }
    if ((f in total) && done_[f] == total[f]) report(f, bad[f] ? "FAIL" : "ok")
}
END {
    for (f in done_) if (!(f in reported)) report(f, bad[f] ? "FAIL" : ((f in total) ? "part" : "ok"))
    for (f in total) if (!(f in done_)) printf "    %-4s %-44s %4d tests did not run\n", "FAIL", f, total[f]
}
