#!/usr/bin/env bash
# Every relative link of the documentation points at a file that exists,
# and every #anchor at a heading of its target (GitHub's anchors: the
# heading lowercased, punctuation but - and _ dropped, spaces as -; a
# repeated heading gets -1, -2, ...). The reference moved from README.md
# to docs/ in 0.2.2, and links into moved sections broke silently before.
# Needs no database.
cd "$(dirname "$0")/../.."
set -euo pipefail
files=(README.md SECURITY.md CHANGELOG.md bench/README.md docs/*.md)
[ -f bench/HISTORY.md ] && files+=(bench/HISTORY.md)
perl -CSD -e '
    use strict; use warnings; use File::Basename qw(dirname); use File::Spec;
    my (%anchors, $bad, $links);
    sub anchors {
        my ($f) = @_;
        return $anchors{$f} if $anchors{$f};
        open(my $h, "<:encoding(UTF-8)", $f) or die "$f: $!";
        my (%seen, %a, $fence);
        while (<$h>) {
            if (/^```/) { $fence = !$fence; next }
            next if $fence || !/^#+\s+(.*?)\s*$/;
            my $slug = lc $1;
            $slug =~ s/[^\p{L}\p{N}\s_-]//g; $slug =~ s/ /-/g;
            my $n = $seen{$slug}++;
            $a{$n ? "$slug-$n" : $slug} = 1;
        }
        return $anchors{$f} = \%a;
    }
    for my $f (@ARGV) {
        open(my $h, "<:encoding(UTF-8)", $f) or die "$f: $!";
        my $fence;
        while (my $line = <$h>) {
            if ($line =~ /^\s*```/) { $fence = !$fence; next }
            next if $fence;
            $line =~ s/`[^`]*`//g;    # code spans are not links
            my $ln = $.;
            while ($line =~ /\]\(([^)\s]+)\)/g) {
                my $target = $1;
                next if $target =~ m{^[a-z]+:};
                $links++;
                my ($path, $anchor) = split /#/, $target, 2;
                my $file = $path eq "" ? $f : File::Spec->catfile(dirname($f), $path);
                if (!-e $file) { print STDERR "FAILED: $f:$ln: $target: no file $file\n"; $bad++; next }
                next unless defined $anchor && $file =~ /\.md$/;
                next if anchors($file)->{$anchor};
                print STDERR "FAILED: $f:$ln: $target: no heading with the anchor #$anchor in $file\n"; $bad++;
            }
        }
    }
    die "FAILED: $bad broken links\n" if $bad;
    print "ok: $links relative links in ", scalar(@ARGV), " files point at existing files and headings\n";
' "${files[@]}"
