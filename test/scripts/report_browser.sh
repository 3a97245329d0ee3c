#!/usr/bin/env bash
# The HTML training report in a real browser: training_report(NULL, 'html')
# of a real run is written to a file and rendered by headless Chromium. The
# screenshot must be a real, non-blank PNG with the charts' colours in it;
# the DOM Chromium built must hold the charts with the right number of
# cells and bars and the run's own text, escaped; and the page must need
# nothing from the network (no URL anywhere, no script, link, image or frame).
# The page is rendered in English and in Spanish (pg_intent.language); both
# screenshots are kept in build/screenshots/ (report_en.png, report_es.png)
# for a person to look at.
cd "$(dirname "$0")/../.."
source test/scripts/lib.bash
DB=pgi_report_browser

# Chromium comes from Debian (scripts/install-deps.sh installs it).
find_chromium() {
    local c
    for c in "${CHROMIUM:-}" chromium chromium-browser; do
        [ -n "$c" ] && command -v "$c" >/dev/null 2>&1 && { command -v "$c"; return 0; }
    done
    return 1
}
if ! CHROME=$(find_chromium); then
    if [ "$(id -u)" = 0 ]; then
        scripts/install-deps.sh test >"$TEST_TMP/deps.log" 2>&1 || { tail -20 "$TEST_TMP/deps.log"; exit 1; }
        CHROME=$(find_chromium) || { echo "FAILED: scripts/install-deps.sh did not install chromium" >&2; exit 1; }
    else
        echo "FAILED: Chromium is not installed, and this test needs it to render the HTML report." >&2
        echo "        Install it as root: scripts/install-deps.sh test (or apt-get install chromium)," >&2
        echo "        or point CHROMIUM at a Chromium binary." >&2
        exit 1
    fi
fi
echo "ok: using $("$CHROME" --version 2>/dev/null | head -1)"

# Headless, without a sandbox (root in a container), with every background
# service off and every host name unresolvable: nothing can be fetched.
chrome() {
    local profile
    profile=$(mktemp -d "$TEST_TMP/profile.XXXXXX")
    timeout 180 "$CHROME" --headless --no-sandbox --disable-gpu --disable-dev-shm-usage \
        --disable-background-networking --disable-component-update --disable-sync --disable-extensions \
        --no-first-run --no-default-browser-check --host-resolver-rules='MAP * ~NOTFOUND' \
        --user-data-dir="$profile" "$@"
}

# ------------------------------------------------------------ a real run
fresh_db $DB
load_ecommerce $DB
# a mislabeled message with markup, and a run name with quotes and markup
q $DB "INSERT INTO ai_training_data (user_message, detected_intent, confidence_score)
       VALUES ('quiero devolver <script>alert(1)</script> mis zapatos, no me quedan', 'greeting', 90)" >/dev/null
PGOPTIONS='-c client_min_messages=warning' q $DB "SELECT train_intent_model(\$\$<script>alert(\"x\")</script> nightly & 'co'\$\$, 'full', '{\"seed\": 3}') ->> 'status'" >"$TEST_TMP/status"
expect_eq "$(cat "$TEST_TMP/status")" completed "trained a model on the Spanish e-commerce rows"
RUN=$(q $DB "SELECT id FROM ai_training_runs ORDER BY started_at DESC LIMIT 1")
PAGE=$TEST_TMP/report.html
q $DB "SELECT training_report('$RUN', 'html')" >"$PAGE"
echo "ok: wrote the page of run $RUN ($(wc -c <"$PAGE") bytes)"

# What the page must show, from the run's stored report: the intents the
# heatmap keeps (all up to 12, else the 12 involved in the most confusions),
# the intents with an F1 bar, the misclassified message with markup.
KEPT=$(q $DB "WITH m AS (SELECT metrics #> '{metrics,confusion}' AS c FROM ai_training_runs WHERE id = '$RUN'),
                   cells AS (SELECT t.i, c.j, (c.v #>> '{}')::bigint AS n
                               FROM m, jsonb_array_elements(m.c -> 'matrix') WITH ORDINALITY AS t(r, i),
                                    jsonb_array_elements(t.r) WITH ORDINALITY AS c(v, j)),
                   labels AS (SELECT jsonb_array_length(c -> 'labels') AS n FROM m),
                   confused AS (SELECT count(DISTINCT x) AS n FROM cells, LATERAL (VALUES (i), (j)) AS v(x)
                                 WHERE i <> j AND cells.n > 0)
              SELECT CASE WHEN labels.n <= 12 THEN labels.n ELSE least(confused.n, 12) END FROM labels, confused")
INTENTS=$(q $DB "SELECT count(*) FROM ai_training_runs, jsonb_object_keys(metrics #> '{metrics,per_intent}') WHERE id = '$RUN'")
SHOWN_HOSTILE=$(q $DB "SELECT count(*) FROM ai_training_runs r, jsonb_array_elements(r.metrics #> '{metrics,misclassified}') AS x
                        JOIN ai_training_data d ON d.id = (x ->> 'training_data_id')::uuid
                       WHERE r.id = '$RUN' AND d.user_message LIKE 'quiero devolver <script>%'")
echo "ok: the run has $INTENTS intents; the heatmap should keep $KEPT"
[ "$KEPT" -ge 2 ] && [ "$INTENTS" -ge 12 ] || { echo "FAILED: expected a run with many intents" >&2; exit 1; }
expect_eq "$SHOWN_HOSTILE" 1 "the mislabeled message with markup is among the misclassified"

# ------------------------------------------------- nothing from the network
bad=$(grep -Eio '(src|href|action|xlink:href|poster|srcset)[[:space:]]*=[[:space:]]*"[^"]*"' "$PAGE" | grep -Eci 'http|//' || true)
expect_eq "$bad" 0 "no src= or href= attribute points at a URL"
expect_eq "$(grep -Eci 'https?:|url\(|@import' "$PAGE" || true)" 0 "no URL, url() or @import anywhere in the page"
expect_eq "$(grep -Eci '<(script|link|img|iframe|object|embed)[[:space:]>]' "$PAGE" || true)" 0 \
    "no script, link, image, frame or embedded object"

# --------------------------------------------------------------- the DOM
DOM=$TEST_TMP/dom.html
chrome --dump-dom "file://$PAGE" >"$DOM" 2>"$TEST_TMP/chrome.dom.log" ||
    { tail -20 "$TEST_TMP/chrome.dom.log"; echo "FAILED: chromium --dump-dom" >&2; exit 1; }
[ -s "$DOM" ] || { tail -20 "$TEST_TMP/chrome.dom.log"; echo "FAILED: empty DOM" >&2; exit 1; }
count() { grep -o "$1" "$DOM" | wc -l; }
expect_eq "$(count '<html lang="en"')" 1 "the English page says lang=\"en\""
expect_eq "$(count '<tr class="trend-run current"')" 1 "the trend table marks this run"
grep -q '<p class="decision">The new model was put in service' "$DOM" ||
    { echo "FAILED: the decision is not explained in words" >&2; exit 1; }
echo "ok: the deploy decision is explained in words"
expect_eq "$(count '<svg id="confusion-heatmap"')" 1 "the DOM has the confusion heatmap"
expect_eq "$(count '<rect class="cell ')" "$((KEPT * KEPT))" "the heatmap has one cell per pair of kept intents ($KEPT x $KEPT)"
expect_eq "$(count '<rect class="bar"')" "$INTENTS" "the F1 chart has one bar per intent"
bins=$(count '<rect class="bin"')
[ "$bins" -ge 1 ] && [ "$bins" -le 10 ] || { echo "FAILED: reliability diagram has $bins bins" >&2; exit 1; }
echo "ok: the reliability diagram has $bins confidence bins"
expect_eq "$(count '<polyline class="curve"')" 1 "the coverage-accuracy curve is drawn"
expect_eq "$(count '<circle class="threshold"')" 1 "the chosen threshold is marked on it"
expect_eq "$(grep -ci '<script' "$DOM" || true)" 0 "no script element in the DOM Chromium built"
grep -qF "$RUN" "$DOM" || { echo "FAILED: the run id is not in the page" >&2; exit 1; }
grep -qF "Training report: &lt;script&gt;alert(\"x\")&lt;/script&gt; nightly &amp; 'co'" "$DOM" ||
    { echo "FAILED: the run name is not shown as text" >&2; exit 1; }
echo "ok: the run id and its name (as text, markup escaped) are in the page"
grep -qF 'quiero devolver &lt;script&gt;alert(1)&lt;/script&gt; mis zapatos, no me quedan' "$DOM" ||
    { echo "FAILED: the misclassified message with markup is not shown as text" >&2; exit 1; }
echo "ok: the misclassified message is shown as text, its markup escaped"

# --------------------------------------------------------- the screenshot
SHOTS=$PWD/build/screenshots
mkdir -p "$SHOTS"
PNG=$SHOTS/report_en.png
rm -f "$PNG"
(cd "$TEST_TMP" && chrome --screenshot="$PNG" --window-size=1280,2400 --hide-scrollbars "file://$PAGE") \
    >"$TEST_TMP/chrome.png.log" 2>&1 || { tail -20 "$TEST_TMP/chrome.png.log"; echo "FAILED: chromium --screenshot" >&2; exit 1; }
echo "ok: screenshot of the English page: $PNG"
# Decodes the PNG (python3 standard library: zlib and struct) and checks
# its size, that it is not one colour, and that the charts' blues and reds
# were painted.
python3 - "$PNG" <<'PY' || exit 1
import struct, sys, zlib
data = open(sys.argv[1], 'rb').read()
if data[:8] != b'\x89PNG\r\n\x1a\n':
    sys.exit('FAILED: the screenshot is not a PNG')
pos, idat = 8, []
while pos < len(data):
    length, = struct.unpack('>I', data[pos:pos + 4])
    kind, body = data[pos + 4:pos + 8], data[pos + 8:pos + 8 + length]
    pos += 12 + length
    if kind == b'IHDR':
        width, height, depth, colour, _, _, interlace = struct.unpack('>IIBBBBB', body)
    elif kind == b'IDAT':
        idat.append(body)
if (width, height) != (1280, 2400):
    sys.exit(f'FAILED: screenshot is {width}x{height}, not 1280x2400')
if depth != 8 or colour not in (2, 6) or interlace:
    sys.exit(f'FAILED: unexpected PNG format (depth {depth}, colour type {colour}, interlace {interlace})')
bpp = 3 if colour == 2 else 4
raw, stride = zlib.decompress(b''.join(idat)), width * bpp
prev, i, colours, blue, red, background = bytearray(stride), 0, set(), 0, 0, 0
for y in range(height):
    kind, line = raw[i], bytearray(raw[i + 1:i + 1 + stride])
    i += 1 + stride
    if kind == 1:
        for x in range(bpp, stride):
            line[x] = (line[x] + line[x - bpp]) & 255
    elif kind == 2:
        for x in range(stride):
            line[x] = (line[x] + prev[x]) & 255
    elif kind == 3:
        for x in range(stride):
            line[x] = (line[x] + ((line[x - bpp] if x >= bpp else 0) + prev[x]) // 2) & 255
    elif kind == 4:
        for x in range(stride):
            a = line[x - bpp] if x >= bpp else 0
            b, c = prev[x], (prev[x - bpp] if x >= bpp else 0)
            p = a + b - c
            pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
            line[x] = (line[x] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
    elif kind != 0:
        sys.exit(f'FAILED: bad PNG filter {kind}')
    prev = line
    for x in range(0, stride, bpp * 4):  # every 4th pixel
        r, g, b = line[x], line[x + 1], line[x + 2]
        colours.add((r, g, b))
        blue += b > r + 80 and b > g + 30
        red += r > g + 80 and r > b + 80
        background += (r, g, b) == (0xf3, 0xf5, 0xf8)
sampled = height * width // 4
print(f'ok: the screenshot is a {width}x{height} PNG with {len(colours)} distinct colours '
      f'({100 * blue / sampled:.1f}% chart blue, {100 * red / sampled:.1f}% chart red, {100 * background / sampled:.0f}% page background)')
if len(colours) < 50:
    sys.exit('FAILED: the screenshot is (nearly) one colour')
if blue < 500 or red < 100:
    sys.exit('FAILED: the charts\' colours are missing from the screenshot')
PY

# ------------------------------------------------------ the Spanish page
PAGE_ES=$TEST_TMP/report_es.html
PGOPTIONS='-c pg_intent.language=es' q $DB "SELECT training_report('$RUN', 'html')" >"$PAGE_ES"
DOM_ES=$TEST_TMP/dom_es.html
chrome --enable-logging=stderr --v=0 --dump-dom "file://$PAGE_ES" >"$DOM_ES" 2>"$TEST_TMP/chrome.dom_es.log" ||
    { tail -20 "$TEST_TMP/chrome.dom_es.log"; echo "FAILED: chromium --dump-dom (Spanish)" >&2; exit 1; }
expect_eq "$(grep -c '<html lang="es"' "$DOM_ES")" 1 "the Spanish page says lang=\"es\""
expect_eq "$(grep -c 'CONSOLE' "$TEST_TMP/chrome.dom_es.log" || true)" 0 "no console message while loading the Spanish page"
grep -q 'Informe de entrenamiento: &lt;script&gt;' "$DOM_ES" ||
    { echo "FAILED: the Spanish title (with the run name escaped) is missing" >&2; exit 1; }
grep -q '<p class="decision">El nuevo modelo se puso en servicio' "$DOM_ES" ||
    { echo "FAILED: the decision is not explained in Spanish" >&2; exit 1; }
expect_eq "$(grep -o '<rect class="bar"' "$DOM_ES" | wc -l)" "$INTENTS" "the Spanish page has the same F1 bars"
expect_eq "$(grep -ci 'Training report\|Deploy decision' "$DOM_ES" || true)" 0 "no English heading on the Spanish page"
PNG_ES=$SHOTS/report_es.png
rm -f "$PNG_ES"
(cd "$TEST_TMP" && chrome --screenshot="$PNG_ES" --window-size=1280,2400 --hide-scrollbars "file://$PAGE_ES") \
    >"$TEST_TMP/chrome.png_es.log" 2>&1 || { tail -20 "$TEST_TMP/chrome.png_es.log"; echo "FAILED: chromium --screenshot (Spanish)" >&2; exit 1; }
size=$(wc -c <"$PNG_ES")
[ "$size" -gt 50000 ] || { echo "FAILED: the Spanish screenshot has only $size bytes" >&2; exit 1; }
echo "ok: screenshot of the Spanish page: $PNG_ES ($size bytes)"
drop_db $DB
