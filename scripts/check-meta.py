#!/usr/bin/env python3
"""Validates META.json against the PGXN Meta Spec v1.0.0 (https://pgxn.org/spec/)
and against this tree: the files it names exist, its version is the control
file's default_version, and provides.file is that version's install script.

Only the standard library: the spec's rules are written out below, one check
per rule, with the spec's section in the message.

    scripts/check-meta.py [META.json]
"""
import json
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
errors = []


def fail(msg):
    errors.append(msg)


# Semantic Versioning 1.0.0 as the spec requires (section "Version Format").
SEMVER = re.compile(r"^(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)([a-zA-Z][a-zA-Z0-9-]*)?$")
LICENSES = {
    "agpl_3", "apache_1_1", "apache_2_0", "artistic_1", "artistic_2", "bsd", "freebsd", "gfdl_1_2",
    "gfdl_1_3", "gpl_1", "gpl_2", "gpl_3", "lgpl_2_1", "lgpl_3_0", "mit", "mozilla_1_0", "mozilla_1_1",
    "openssl", "perl_5", "postgresql", "qpl_1_0", "ssleay", "sun", "zlib", "open_source", "restricted",
    "unrestricted", "unknown",
}
PHASES = {"configure", "build", "test", "runtime", "develop"}
RELATIONS = {"requires", "recommends", "suggests", "conflicts"}
RELEASE_STATUS = {"stable", "testing", "unstable"}
TOP_KEYS = {
    "name", "abstract", "description", "version", "maintainer", "license", "provides", "prereqs",
    "resources", "generated_by", "meta-spec", "tags", "no_index", "release_status",
}


def check_version(value, where):
    if not isinstance(value, str) or not SEMVER.match(value):
        fail(f"{where}: {value!r} is not a semantic version (spec: Version Format)")


def check_prereq_version(value, where):
    # A version (0 meaning any) or a version range such as ">= 1.2.0, < 2.0.0".
    if value == 0 or value == "0":
        return
    if isinstance(value, (int, float)):
        fail(f"{where}: {value!r} must be 0 or a semantic version string (spec: Version Ranges)")
        return
    for part in str(value).split(","):
        m = re.match(r"^\s*(==|!=|>=|<=|>|<)?\s*(\S+)\s*$", part)
        if not m:
            fail(f"{where}: cannot read version range {value!r} (spec: Version Ranges)")
            continue
        check_version(m.group(2), where)


def is_url(s):
    return isinstance(s, str) and re.match(r"^[a-z][a-z0-9+.-]*://\S+$", s) is not None


def main():
    path = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "META.json")
    with open(path, encoding="utf-8") as f:
        meta = json.load(f)
    if not isinstance(meta, dict):
        sys.exit("META.json is not a JSON object")

    # Required fields (spec: Structure / Required Fields).
    for key in ("name", "abstract", "maintainer", "license", "provides", "version", "meta-spec"):
        if key not in meta:
            fail(f"required field {key!r} missing")
    for key in meta:
        if key not in TOP_KEYS and not key.startswith("x_") and not key.startswith("X_"):
            fail(f"unknown field {key!r} (custom fields start with x_)")

    if not re.match(r"^[A-Za-z0-9_-]{2,}$", str(meta.get("name", ""))) or "/" in str(meta.get("name", "")):
        fail(f"name {meta.get('name')!r}: at least two characters, no slash, backslash or control character")
    if not isinstance(meta.get("abstract"), str) or not meta.get("abstract"):
        fail("abstract must be a non-empty string")
    check_version(meta.get("version"), "version")

    maint = meta.get("maintainer")
    if isinstance(maint, str):
        maint = [maint]
    if not isinstance(maint, list) or not maint or not all(isinstance(m, str) and m for m in maint):
        fail("maintainer must be a string or a list of strings")
    elif not any(re.search(r"<[^>]+>", m) for m in maint):
        fail("maintainer gives no contact (an address in <...>)")

    lic = meta.get("license")
    names = []
    if isinstance(lic, str):
        names = [lic]
    elif isinstance(lic, list):
        names = lic
    elif isinstance(lic, dict):
        for k, v in lic.items():
            if not is_url(v):
                fail(f"license {k}: {v!r} is not a URL")
    else:
        fail("license must be a string, a list or an object")
    for n in names:
        if n not in LICENSES:
            fail(f"license {n!r} is not one of the spec's license strings")

    ms = meta.get("meta-spec", {})
    if ms.get("version") != "1.0.0":
        fail("meta-spec.version must be 1.0.0")
    if "url" in ms and not is_url(ms["url"]):
        fail("meta-spec.url is not a URL")

    provides = meta.get("provides")
    if not isinstance(provides, dict) or not provides:
        fail("provides must be an object with at least one extension")
        provides = {}
    for ext, p in provides.items():
        for key in ("file", "version"):
            if key not in p:
                fail(f"provides.{ext}: required field {key!r} missing")
        check_version(p.get("version"), f"provides.{ext}.version")
        for key in ("file", "docfile"):
            if key in p and not os.path.isfile(os.path.join(ROOT, p[key])):
                fail(f"provides.{ext}.{key}: {p[key]!r} does not exist in the source tree")
        for key in p:
            if key not in ("file", "version", "abstract", "docfile") and not key.lower().startswith("x_"):
                fail(f"provides.{ext}: unknown field {key!r}")

    for phase, rels in (meta.get("prereqs") or {}).items():
        if phase not in PHASES:
            fail(f"prereqs: unknown phase {phase!r}")
            continue
        for rel, deps in rels.items():
            if rel not in RELATIONS:
                fail(f"prereqs.{phase}: unknown relationship {rel!r}")
                continue
            for dep, ver in deps.items():
                check_prereq_version(ver, f"prereqs.{phase}.{rel}.{dep}")

    res = meta.get("resources")
    if res is not None:
        for key, val in res.items():
            if key == "homepage":
                if not is_url(val):
                    fail("resources.homepage is not a URL")
            elif key == "bugtracker":
                if not set(val) <= {"web", "mailto"} or not val:
                    fail("resources.bugtracker takes web and/or mailto")
                if "web" in val and not is_url(val["web"]):
                    fail("resources.bugtracker.web is not a URL")
            elif key == "repository":
                if not set(val) <= {"url", "web", "type"} or not val:
                    fail("resources.repository takes url, web and type")
                for k in ("url", "web"):
                    if k in val and not is_url(val[k]):
                        fail(f"resources.repository.{k} is not a URL")
                if "url" in val and "type" not in val:
                    fail("resources.repository: type is required with url")
            elif not key.lower().startswith("x_"):
                fail(f"resources: unknown field {key!r}")
    else:
        fail("resources (repository, bugtracker) missing")
    if res is not None and ("repository" not in res or "bugtracker" not in res):
        fail("resources must name the repository and the bug tracker")

    if "release_status" in meta and meta["release_status"] not in RELEASE_STATUS:
        fail(f"release_status {meta['release_status']!r} must be stable, testing or unstable")
    if "tags" in meta and not (isinstance(meta["tags"], list)
                               and all(isinstance(t, str) and 0 < len(t) <= 255 for t in meta["tags"])):
        fail("tags must be a list of strings of 1 to 255 characters")

    # This tree: META's version is the control file's default version, and
    # provides.file is the control file (the install script of the current
    # version is generated at build time, not in the distribution).
    with open(os.path.join(ROOT, "pg_intent.control"), encoding="utf-8") as f:
        m = re.search(r"^default_version\s*=\s*'([^']+)'", f.read(), re.M)
    default = m.group(1) if m else None
    if meta.get("version") != default:
        fail(f"version {meta.get('version')!r} differs from pg_intent.control's default_version {default!r}")
    p = provides.get("pg_intent", {})
    if p.get("version") != default:
        fail("provides.pg_intent.version differs from the control file's default_version")
    if p.get("file") != "pg_intent.control":
        fail("provides.pg_intent.file should be pg_intent.control")

    # The PostgreSQL versions it claims are the ones built and tested:
    # debian/pgversions lists them (one major version a line), and the
    # runtime requirement must be exactly that range, not an open-ended
    # "15 or later".
    pgv_path = os.path.join(ROOT, "debian", "pgversions")
    if os.path.isfile(pgv_path):
        with open(pgv_path, encoding="utf-8") as f:
            majors = sorted(int(l) for l in (x.strip() for x in f) if re.fullmatch(r"[0-9]+", l))
        want = None
        if majors and majors == list(range(majors[0], majors[-1] + 1)):
            want = f">= {majors[0]}.0.0, < {majors[-1] + 1}.0.0"
        got = (((meta.get("prereqs") or {}).get("runtime") or {}).get("requires") or {}).get("PostgreSQL")
        if want is None:
            fail(f"debian/pgversions names no contiguous list of major versions ({majors})")
        elif got != want:
            fail(f"prereqs.runtime.requires.PostgreSQL is {got!r}; debian/pgversions builds and tests {majors}: say {want!r}")

    if errors:
        for e in errors:
            print(f"META.json: {e}", file=sys.stderr)
        sys.exit(1)
    print(f"ok: META.json is valid PGXN Meta Spec 1.0.0 and matches the tree (version {default})")


if __name__ == "__main__":
    main()
