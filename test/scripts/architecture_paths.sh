#!/usr/bin/env bash
# Every file ARCHITECTURE.md names exists where it says (issue 33: "the map
# is true to the code"). A backquoted path (`src/...`, `test/...`,
# `scripts/...`, `docs/...`, `po/...`, `sql/...`; a glob such as
# `test/unit/*.cpp` matches at least one file) exists; a bare file name
# (`guard.cpp`, `gram_counter.*`) in the sections "src/core" and "src/pg"
# exists in that directory, and elsewhere somewhere in the tree. A
# placeholder (`src/sql/NN_area.sql`, `<from>--<to>`, `FROM--TO`, `NAME`)
# is not a path, nor are settings (`pg_intent.*`, `app.*`) and PostgreSQL's
# `postgres.h`. The map had named files by hand, and nothing told when one
# moved or went.
#
# Two more of its statements are checked, because they drifted before and
# grep can decide them: a function written as the map names a function in a
# file, `f()` (`src/....sql`), is defined in that SQL file (a CREATE
# FUNCTION or PROCEDURE of that name), and a C++ one, `f()` (`src/....cpp`
# or `.h`), is named in that file; and `pg_compat.h` is the only file of
# src/ with `#if PG_VERSION_NUM` (the Layers table). Needs no database.
cd "$(dirname "$0")/../.."
set -euo pipefail
DOC=${ARCHITECTURE_MD:-ARCHITECTURE.md}
git ls-files >"${TMPDIR:-/tmp}/architecture_paths.$$" 2>/dev/null || find . -type f | sed 's|^\./||' >"${TMPDIR:-/tmp}/architecture_paths.$$"
trap 'rm -f "${TMPDIR:-/tmp}/architecture_paths.$$"' EXIT
perl -e '
    use strict; use warnings; use File::Basename qw(basename);
    my ($doc, $list) = @ARGV;
    open(my $l, "<", $list) or die "$list: $!";
    my (%by_base, %files);
    while (<$l>) { chomp; $files{$_} = 1; push @{$by_base{basename($_)}}, $_ }
    my ($bad, $paths, $names) = (0, 0, 0);
    my $section = "";
    my $ext = qr/\.(?:cpp|h|sql|sh|bash|py|awk|map|md|out|bin|txt|control|\*)/;
    open(my $h, "<", $doc) or die "$doc: $!";
    my $fence;
    while (my $line = <$h>) {
        if ($line =~ /^\s*```/) { $fence = !$fence; next }
        next if $fence;
        $section = $1 if $line =~ m{^#+\s+(src/(?:core|pg))\b};
        $section = "" if $line =~ /^#+\s/ && $line !~ m{^#+\s+src/(?:core|pg)\b};
        while ($line =~ /`([^`\s]+)`/g) {
            my $t = $1;
            next if $t =~ /[<>]|NN_|FROM--TO|NAME/;
            next if $t =~ /^(?:pg_intent|app)\.\*$/ || $t eq "postgres.h";    # settings; PostgreSQL'"'"'s header
            if ($t =~ m{^(?:src|test|scripts|docs|po|sql|bench|debian)/}) {
                $paths++;
                (my $p = $t) =~ s{/$}{};
                my @hit = grep { $_ eq $p || index($_, "$p/") == 0 } keys %files;
                if (!@hit && $p =~ /\*/) { my @g = glob($p); @hit = grep { -e } @g }
                next if @hit;
                print STDERR "FAILED: $doc:$.: `$t` does not exist\n"; $bad++;
            } elsif ($t =~ m{^[A-Za-z0-9_]+$ext$}) {
                $names++;
                my $stem = $t; $stem =~ s/\.\*$//;
                my @cand = $t =~ /\.\*$/
                    ? grep { /^\Q$stem\E\.[a-z]+$/ } keys %by_base
                    : exists $by_base{$t} ? ($t) : ();
                my @where = map { @{$by_base{$_}} } @cand;
                if ($section && $t !~ /\.(?:sh|sql|md)$/) {
                    @where = grep { m{^\Q$section\E/} } @where;
                    next if @where;
                    print STDERR "FAILED: $doc:$.: `$t` is not in $section/\n"; $bad++;
                } else {
                    next if @where;
                    print STDERR "FAILED: $doc:$.: `$t` names no file of the tree\n"; $bad++;
                }
            }
        }
    }
    die "FAILED: $bad names in $doc name no file\n" if $bad;
    die "FAILED: no paths found in $doc\n" unless $paths;
    print "ok: the $paths paths and $names file names $doc backquotes exist where it says\n";
' "$DOC" "${TMPDIR:-/tmp}/architecture_paths.$$"

# `f()` (`file`): f is in that file. Only that exact form, a function's
# backquoted name and call parentheses, a space, then the backquoted path of
# one file under src/, so that a function merely near a path is not read as
# placed in it.
perl -e '
    use strict; use warnings;
    my ($doc) = @ARGV;
    my ($bad, $pairs) = (0, 0);
    my %text;
    sub text { my ($f) = @_; return $text{$f} //= do { local $/; open(my $h, "<", $f) or die "$f: $!"; <$h> } }
    open(my $h, "<", $doc) or die "$doc: $!";
    my $fence;
    while (my $line = <$h>) {
        if ($line =~ /^\s*```/) { $fence = !$fence; next }
        next if $fence;
        while ($line =~ /`(?:[A-Za-z_][A-Za-z0-9_]*::)*([A-Za-z_][A-Za-z0-9_]*)\([^`]*\)`,? \(`(src\/[^`*\s]+\.(sql|cpp|h))`/g) {
            my ($fn, $file, $ext) = ($1, $2, $3);
            $pairs++;
            next unless -f $file;    # a missing file is the check above'"'"'s failure
            my $t = text($file);
            my $ok = $ext eq "sql" ? $t =~ /FUNCTION\s+(?:[\w@]+\.)?\Q$fn\E\s*\(/i : $t =~ /\b\Q$fn\E\b/;
            next if $ok;
            print STDERR "FAILED: $doc:$.: `$fn()` is not ", ($ext eq "sql" ? "defined" : "named"), " in $file\n";
            $bad++;
        }
    }
    die "FAILED: $bad functions $doc places in a file are not there\n" if $bad;
    die "FAILED: no function placed in a file found in $doc\n" unless $pairs;
    print "ok: the $pairs functions $doc places in a file are there\n";
' "$DOC"

# The only file with `#if PG_VERSION_NUM` (what differs between majors).
others=$(grep -lE '^[[:space:]]*#[[:space:]]*(if|elif|ifdef|ifndef)\b.*PG_VERSION_NUM' -r src --include='*.cpp' --include='*.h' |
    grep -vx 'src/pg/pg_compat.h' || true)
[ -z "$others" ] || { echo "FAILED: $DOC says pg_compat.h is the only file with #if PG_VERSION_NUM; also:" >&2; echo "$others" >&2; exit 1; }
grep -q 'the only file with `#if PG_VERSION_NUM`' "$DOC" || { echo "FAILED: $DOC no longer says which file holds #if PG_VERSION_NUM; update this check" >&2; exit 1; }
echo "ok: src/pg/pg_compat.h is the only file with #if PG_VERSION_NUM"
