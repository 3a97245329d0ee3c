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

# ------------------------------------------------ measured in the browser
# A copy of a page with a measuring script appended (the page itself has
# none): at a 1280 px wide window it writes into <body data-...> the header's
# and the document's scroll and client widths, the right edge of the model's
# version against the header's, and the rendering mode (quirks mode: the
# page did not start with its doctype). --dump-dom runs it after load.
measure() { # page -> "key=value" lines
    local page=$1 copy dom
    copy=$(mktemp "$TEST_TMP/measure.XXXXXX.html")
    dom=$copy.dom
    sed 's#</body>#<script>(function(){var h=document.querySelector("header .sub"),v=document.querySelector("header .version"),b=document.body.dataset,d=document.documentElement;b.mSubScroll=h.scrollWidth;b.mSubClient=h.clientWidth;b.mDocScroll=d.scrollWidth;b.mDocClient=d.clientWidth;b.mVersionRight=v?Math.ceil(v.getBoundingClientRect().right):0;b.mHeaderRight=Math.floor(h.getBoundingClientRect().right);b.mMode=document.compatMode;})();</script></body>#' \
        "$page" >"$copy"
    chrome --window-size=1280,900 --dump-dom "file://$copy" >"$dom" 2>"$copy.log" ||
        { tail -20 "$copy.log"; echo "FAILED: chromium --dump-dom (measuring $page)" >&2; exit 1; }
    grep -o 'data-m-[a-z-]*="[^"]*"' "$dom" | sed 's/^data-m-//; s/"//g'
}
check_header() { # page label
    local m
    m=$(measure "$1")
    val() { echo "$m" | sed -n "s/^$1=//p"; }
    [ -n "$(val sub-scroll)" ] || { echo "FAILED: no measurement of the $2 header" >&2; exit 1; }
    [ "$(val sub-scroll)" -le "$(val sub-client)" ] ||
        { echo "FAILED: the $2 header line overflows at 1280 px: scrollWidth $(val sub-scroll) > clientWidth $(val sub-client)" >&2; exit 1; }
    [ "$(val doc-scroll)" -le "$(val doc-client)" ] ||
        { echo "FAILED: the $2 page is wider than a 1280 px window: $(val doc-scroll) > $(val doc-client)" >&2; exit 1; }
    [ "$(val version-right)" -gt 0 ] && [ "$(val version-right)" -le "$(val header-right)" ] ||
        { echo "FAILED: the $2 header cuts the model's version: its right edge $(val version-right), the header's $(val header-right)" >&2; exit 1; }
    echo "ok: the $2 header fits at 1280 px (line $(val sub-scroll) of $(val sub-client) px, version ends at $(val version-right) of $(val header-right))"
}
check_header "$PAGE" English
check_header "$PAGE_ES" Spanish

# ------------------------------------ no English on the Spanish page
# The visible words of the Spanish DOM, without what is data rather than
# wording (SVG charts with intent names, <code>, the run name in the title
# and heading, the table cells of intents and messages), must hold none of
# the English sentences and words the core or the page used to leave there;
# its numbers for people use a decimal comma.
no_english() { # spanish DOM, what it is
    python3 - "$1" "$2" <<'PY' || exit 1
import html, re, sys
dom = open(sys.argv[1], encoding='utf-8').read()
body = dom[dom.index('<body'):]
for pattern in (r'<svg.*?</svg>', r'<code.*?</code>', r'<h1.*?</h1>', r'<title.*?</title>',
                r'<section id="misclassified".*?</section>', r'<td class="msg">.*?</td>'):
    body = re.sub(pattern, ' ', body, flags=re.S)
text = html.unescape(re.sub(r'\s+', ' ', re.sub(r'<[^>]+>', ' ', body)))
english = ['fresh rows', 'enough fresh', 'no fresh', 'lowest confidence', 'out-of-fold', 'out of fold',
           'size rule', 'class blocks', 'work 0', 'folds', 'baseline', 'candidate', 'active model',
           'precision', 'coverage', 'accuracy', 'threshold ', ' rows', 'predictions', ' the ', ' and ',
           ' of ', ' was ', ' with ', ' model ']
found = [w for w in english if w in text.lower()]
if found:
    sys.exit('FAILED: English on %s: %s' % (sys.argv[2], ', '.join(repr(w) for w in found)))
points = re.findall(r'(?<![\w.])\d+\.\d+(?![\w.])', text)
if points:
    sys.exit('FAILED: numbers with a decimal point on %s: %s' % (sys.argv[2], ', '.join(points[:5])))
if not re.search(r'\d,\d{3}', text):
    sys.exit('FAILED: no number with a decimal comma on %s' % sys.argv[2])
print('ok: no English sentence or word on %s (%d words checked), numbers with a decimal comma'
      % (sys.argv[2], len(english)))
PY
}
no_english "$DOM_ES" "the Spanish page"

# ------------------------------------------------- docs/reports.md's recipe
# The recipe that saves the page, run as written (the ```sql block of
# docs/reports.md that writes report.html): the file must be the page alone,
# from <!DOCTYPE html> to </html>, and render in standards mode. 0.3.1's
# recipe wrote the column name before the doctype and "(1 row)" after it.
RECIPE_DIR=$(mktemp -d "$TEST_TMP/recipe.XXXXXX")
awk '/^```sql$/ { inblock = 1; block = ""; next }
     /^```$/ && inblock { inblock = 0; if (block ~ /\\o report\.html/) { printf "%s", block; exit } next }
     inblock { block = block $0 "\n" }' docs/reports.md >"$RECIPE_DIR/recipe.sql"
grep -q 'report.html' "$RECIPE_DIR/recipe.sql" || { echo "FAILED: docs/reports.md has no recipe writing report.html" >&2; exit 1; }
(cd "$RECIPE_DIR" && psql -X -q -v ON_ERROR_STOP=1 -d $DB -f recipe.sql) >"$RECIPE_DIR/out" 2>&1 ||
    { cat "$RECIPE_DIR/out" >&2; echo "FAILED: docs/reports.md's recipe fails" >&2; exit 1; }
expect_eq "$(head -c 15 "$RECIPE_DIR/report.html")" '<!DOCTYPE html>' "docs/reports.md's recipe writes a file that starts with <!DOCTYPE html>"
expect_eq "$(grep -v '^[[:space:]]*$' "$RECIPE_DIR/report.html" | tail -1)" '</html>' "and ends with </html>"
expect_eq "$(measure "$RECIPE_DIR/report.html" | sed -n 's/^mode=//p')" CSS1Compat "the saved page renders in standards mode, not quirks mode"

# ---------------------------------- the cards compare what the decision did
# A model deployed as improved on fresh rows (test/sql/gate.sql's story: a
# weak model, then 64 reviewed rows about new products, then a full model).
# The accuracy and macro F1 cards compare both models on the same fresh
# rows as the decision, and say how many; 0.3.1 set the new model's
# out-of-fold figure on all rows against the active model's on the fresh
# rows, and showed an improved model in red.
DB2=pgi_report_browser_gate
fresh_db $DB2
psql -X -q -v ON_ERROR_STOP=1 -d $DB2 -f test/fixtures/spanish_80.sql >/dev/null
PGOPTIONS='-c client_min_messages=warning' psql -X -q -At -v ON_ERROR_STOP=1 -d $DB2 >"$TEST_TMP/gate.out" <<'SQL'
UPDATE ai_training_policy SET min_gate_rows = 40;
SELECT train_intent_model('weak', 'full', '{"max_features": 1, "char_ngrams": false}') ->> 'deploy_reason';
INSERT INTO ai_training_data (user_message, detected_intent, confidence_score, source, created_at, dataset_status)
SELECT replace(t.template, '%s', p.item), t.intent, 90, 'synthetic', '2026-03-02'::date + p.n * interval '1 minute', 'reviewed'
  FROM (SELECT DISTINCT regexp_replace(user_message, '(la camiseta|el pantalón|las zapatillas|el abrigo|la mochila)', '%s') AS template,
               detected_intent AS intent
          FROM ai_training_data WHERE source = 'synthetic' AND created_at < '2026-03-01') AS t
 CROSS JOIN unnest(ARRAY['el reloj', 'la bufanda', 'los guantes', 'el cinturón']) WITH ORDINALITY AS p(item, n);
SELECT (t ->> 'deploy_reason') || ':' || (t ->> 'deploy_evidence') FROM train_intent_model('full', 'full', '{}') AS t;
SQL
expect_eq "$(tail -1 "$TEST_TMP/gate.out")" improved:fresh_rows "the second model was deployed as improved on fresh rows"
GRUN=$(q $DB2 "SELECT id FROM ai_training_runs WHERE run_name = 'full'")
# the gate's figures, as the decision box shows them (3 decimals)
read -r G_ROWS G_CA G_AA G_CF G_AF < <(q $DB2 "SELECT concat_ws(' ', metrics #>> '{gate,rows}',
        round((metrics #>> '{gate,candidate,accuracy}')::numeric, 3), round((metrics #>> '{gate,active,accuracy}')::numeric, 3),
        round((metrics #>> '{gate,candidate,macro_f1}')::numeric, 3), round((metrics #>> '{gate,active,macro_f1}')::numeric, 3))
        FROM ai_training_runs WHERE id = '$GRUN'")
for lang in en es; do
    GPAGE=$TEST_TMP/gate_$lang.html
    PGOPTIONS="-c pg_intent.language=$lang" q $DB2 "SELECT training_report('$GRUN', 'html')" >"$GPAGE"
    chrome --dump-dom "file://$GPAGE" >"$GPAGE.dom" 2>"$GPAGE.log" ||
        { tail -20 "$GPAGE.log"; echo "FAILED: chromium --dump-dom (improved run, $lang)" >&2; exit 1; }
    python3 - "$GPAGE.dom" "$lang" "$G_ROWS" "$G_CA" "$G_AA" "$G_CF" "$G_AF" <<'PY' || exit 1
import html, re, sys
dom, lang, rows, ca, aa, cf, af = open(sys.argv[1], encoding='utf-8').read(), *sys.argv[2:]
loc = (lambda v: v.replace('.', ',')) if lang == 'es' else (lambda v: v)
def card(metric):
    m = re.search(r'<div class="card" data-metric="%s"([^>]*)>(.*?)</div></div>' % metric, dom, re.S)
    if not m:
        sys.exit('FAILED (%s): no %s card' % (lang, metric))
    below = re.search(r'<div class="b">(.*)', m.group(2), re.S).group(1)
    return m.group(1), html.unescape(re.sub(r'<[^>]+>', '', below))
decision = re.search(r'<section id="deploy">(.*?)</section>', dom, re.S).group(1)
if not re.search(r'\b%s\b' % rows, html.unescape(re.sub(r'<[^>]+>', '', decision))):
    sys.exit('FAILED (%s): the decision does not name the %s fresh rows' % (lang, rows))
for metric, new, active in (('accuracy', ca, aa), ('f1', cf, af)):
    attrs, below = card(metric)
    if 'data-compared-rows="%s"' % rows not in attrs:
        sys.exit('FAILED (%s): the %s card does not compare on the decision\'s %s fresh rows: %r / %r'
                 % (lang, metric, rows, attrs, below))
    if not re.search(r'\b%s\b' % rows, below) or loc(new) not in below or loc(active) not in below:
        sys.exit('FAILED (%s): the %s card does not show both models on the %s fresh rows (%s against %s): %r'
                 % (lang, metric, rows, loc(new), loc(active), below))
    delta = re.search(r'<div class="card" data-metric="%s".*?class="delta (\w+)"' % metric, dom, re.S)
    if not delta or delta.group(1) != 'better':
        sys.exit('FAILED (%s): the %s card of a model deployed as improved is not green' % (lang, metric))
    print('ok (%s): the %s card compares both models on the decision\'s %s fresh rows: %s' % (lang, metric, rows, below))
PY
done
# its Spanish page words the gate's reason too ("Suficientes para decidir")
grep -qF 'Suficientes para decidir' "$TEST_TMP/gate_es.html.dom" ||
    { echo "FAILED: the improved run's Spanish page does not word the gate's reason" >&2; exit 1; }
no_english "$TEST_TMP/gate_es.html.dom" "the improved run's Spanish page"
drop_db $DB2

# ------------------------------------------- a label classifier's words
# A classifier of `escalated` true/false: its page speaks of labels, the
# intent model's of intents.
q $DB "CREATE TABLE tickets AS SELECT text, (intent IN ('complaint', 'return_process'))::text AS escalated, now() AS created_at FROM demo_rows WHERE split = 'train'" >/dev/null
q $DB "SELECT create_classifier('escalation', 'tickets', 'text', 'escalated', '{\"seed\": 1}') ->> 'name'" >/dev/null
PGOPTIONS='-c client_min_messages=warning' q $DB "SELECT train_classifier('escalation', 'first') ->> 'status'" >"$TEST_TMP/label.status"
expect_eq "$(cat "$TEST_TMP/label.status")" completed "trained the escalated true/false classifier"
LRUN=$(q $DB "SELECT id FROM ai_training_runs WHERE classifier = 'escalation' ORDER BY started_at DESC LIMIT 1")
for lang in en es; do
    LPAGE=$TEST_TMP/label_$lang.html
    PGOPTIONS="-c pg_intent.language=$lang" q $DB "SELECT training_report('$LRUN', 'html')" >"$LPAGE"
    chrome --dump-dom "file://$LPAGE" >"$LPAGE.dom" 2>"$LPAGE.log" ||
        { tail -20 "$LPAGE.log"; echo "FAILED: chromium --dump-dom (label classifier, $lang)" >&2; exit 1; }
    if [ $lang = es ]; then
        want=('<dt>Etiquetas</dt>' 'F1 por etiqueta'); intent_words='ntenci[oó]n'
    else
        want=('<dt>Labels</dt>' 'F1 per label'); intent_words='(^|[^_])[Ii]ntents?\b'
    fi
    for w in "${want[@]}"; do
        grep -qF "$w" "$LPAGE.dom" || { echo "FAILED: the $lang page of a label classifier lacks \"$w\"" >&2; exit 1; }
    done
    bad=$(grep -oP "$intent_words" "$LPAGE.dom" | head -3 | tr '\n' ' ' || true)
    [ -z "$bad" ] || { echo "FAILED: the $lang page of a label classifier speaks of intents: $bad" >&2; exit 1; }
    echo "ok: the $lang page of a label classifier says ${want[*]} and never intents"
done
# the Markdown report too: "Etiquetas", "Por etiqueta" (0.3.1: "Intenciones",
# "Por intención")
MD_ES=$(PGOPTIONS='-c pg_intent.language=es' q $DB "SELECT training_report('$LRUN')")
for w in '- **Etiquetas:**' '## Por etiqueta' '| etiqueta |' '| etiqueta real |'; do
    grep -qF -- "$w" <<<"$MD_ES" || { echo "FAILED: the Spanish Markdown report of a label classifier lacks \"$w\"" >&2; exit 1; }
done
bad=$(grep -oP 'ntenci[oó]n' <<<"$MD_ES" | head -3 | tr '\n' ' ' || true)
[ -z "$bad" ] || { echo "FAILED: the Spanish Markdown report of a label classifier speaks of intents: $bad" >&2; exit 1; }
MD_EN=$(q $DB "SELECT training_report('$LRUN')")
grep -qF -- '- **Labels:**' <<<"$MD_EN" && grep -qF -- '## By label' <<<"$MD_EN" ||
    { echo "FAILED: the English Markdown report of a label classifier lacks Labels / By label" >&2; exit 1; }
echo "ok: the Markdown report of a label classifier says Etiquetas / Por etiqueta, Labels / By label"
# the intent model's page keeps its intents
grep -qF '<dt>Intenciones</dt>' "$DOM_ES" && grep -qF 'F1 por intenci' "$DOM_ES" ||
    { echo "FAILED: the intent model's Spanish page lost its intents" >&2; exit 1; }
echo "ok: the intent model's page still says Intenciones and F1 por intención"
drop_db $DB
