#!/usr/bin/env bash
# Hostile workbooks (issue 15, item 9): peak memory of `codifica import` refusing each one.
#
#   scripts/bench_hostile.sh [BIN]
#
# Generates, in BENCH_DIR (default target/bench_hostile), small files that used to take the
# process past any sane limit — a cell at XFD1048576 (calamine allocated 549 GB and aborted), a
# cell at Z1048576 (1.57 GB), a zip bomb whose shared strings inflate to 1 GB, a part that
# declares 1 KB and inflates to 300 MB (a lying header), a single 100 MB cell, a 1 GB cell, a
# sheet announcing 4 billion shared strings — and runs `codifica import` and `import --dry-run`
# on each in a fresh workspace under /usr/bin/time -v. Prints, per file: its size, the exit
# status, the peak RSS (max resident set) and the first line of the message. Goal: every file
# refused (exit 1) with peak RSS ≤ 100 MB. BIN defaults to target/release/codifica (built if
# absent: `cargo build --release --bin codifica`).
set -uo pipefail
cd "$(dirname "$0")/.."
BIN=${1:-$PWD/target/release/codifica}
if [ ! -x "$BIN" ]; then
  echo "== building (release)" >&2
  cargo build --release --quiet --bin codifica || exit 1
fi
DIR=${BENCH_DIR:-target/bench_hostile}
rm -rf "$DIR"; mkdir -p "$DIR"
[ -x /usr/bin/time ] || { echo "needs /usr/bin/time (GNU time) for the peak RSS" >&2; exit 1; }

python3 - "$DIR" <<'PY'
import struct, sys, zipfile, zlib
out = sys.argv[1]
NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
CT = ('<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
      '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
      '<Default Extension="xml" ContentType="application/xml"/>'
      '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
      '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
      '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>')
RELS = ('<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>')
WB = ('<?xml version="1.0" encoding="UTF-8"?><workbook ' + NS + ' xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
      '<sheets><sheet name="datos" sheetId="1" r:id="rId1"/></sheets></workbook>')
WB_RELS = ('<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
           '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
           '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>')
HEADER = ["entity_code", "entity_name", "department", "region", "month", "question", "answer"]
SST = '<?xml version="1.0" encoding="UTF-8"?><sst ' + NS + ' count="7" uniqueCount="7">' + ''.join(f'<si><t>{h}</t></si>' for h in HEADER) + '</sst>'

def sheet(extra_rows=""):
    head = ''.join(f'<c r="{chr(65 + i)}1" t="s"><v>{i}</v></c>' for i in range(len(HEADER)))
    data = ''.join(f'<c r="{chr(65 + i)}2" t="inlineStr"><is><t>{v}</t></is></c>' for i, v in enumerate(
        ["05001", "Medellín", "Antioquia", "Eje Cafetero", "2020-07", "articulacion_instrumentos", "Sí"]))
    return ('<?xml version="1.0" encoding="UTF-8"?><worksheet ' + NS + '><sheetData>'
            f'<row r="1">{head}</row><row r="2">{data}</row>{extra_rows}</sheetData></worksheet>')

def workbook(name, sheet_xml=None, sst=SST, streamed=None):
    """streamed: (part name, chunk, count) written deflated in pieces (never in memory whole)."""
    with zipfile.ZipFile(f"{out}/{name}", "w", zipfile.ZIP_DEFLATED) as z:
        for part, text in [("[Content_Types].xml", CT), ("_rels/.rels", RELS), ("xl/workbook.xml", WB),
                           ("xl/_rels/workbook.xml.rels", WB_RELS)]:
            z.writestr(part, text)
        z.writestr("xl/worksheets/sheet1.xml", sheet_xml if sheet_xml is not None else sheet())
        if streamed and streamed[0] == "xl/sharedStrings.xml":
            sst = None
        if sst is not None:
            z.writestr("xl/sharedStrings.xml", sst)
        if streamed:
            part, (head, chunk, count, tail) = streamed[0], streamed[1]
            with z.open(part, "w", force_zip64=True) as f:
                f.write(head)
                for _ in range(count):
                    f.write(chunk)
                f.write(tail)

workbook("far_xfd.xlsx", sheet('<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'))
workbook("far_z.xlsx", sheet('<row r="1048576"><c r="Z1048576"><v>1</v></c></row>'))
MB = b" " * (1 << 20)
# Shared strings inflating to 1 GB (a classic zip bomb: ~1 MB compressed).
workbook("zip_bomb_1gb.xlsx", streamed=("xl/sharedStrings.xml", (
    ('<?xml version="1.0"?><sst ' + NS + ' count="7" uniqueCount="7">').encode(), MB, 1024, SST.split('uniqueCount="7">')[1].encode())))
# One cell of 100 MB (under the part limit: the text-run limit refuses it).
workbook("cell_100mb.xlsx", streamed=("xl/sharedStrings.xml", (
    ('<?xml version="1.0"?><sst ' + NS + ' count="8" uniqueCount="8">' + SST.split('uniqueCount="7">')[1].replace('</sst>', '') + '<si><t>').encode(),
    b"x" * (1 << 20), 100, b"</t></si></sst>")))
# One cell of 1 GB (past the part limit).
workbook("cell_1gb.xlsx", streamed=("xl/sharedStrings.xml", (
    ('<?xml version="1.0"?><sst ' + NS + ' count="8" uniqueCount="8">' + SST.split('uniqueCount="7">')[1].replace('</sst>', '') + '<si><t>').encode(),
    b"x" * (1 << 20), 1024, b"</t></si></sst>")))
# 4 billion shared strings announced (calamine reserves room for them up front).
workbook("sst_count.xlsx", sst=SST.replace('count="7" uniqueCount="7"', 'count="4000000000" uniqueCount="4000000000"'))

# A lying header: the central directory and local header say 1 KB, the deflate stream holds 300 MB.
def lying(name):
    body = zlib.compressobj(9, zlib.DEFLATED, -15)
    data = bytearray()
    data += body.compress(('<?xml version="1.0"?><sst ' + NS + ' count="7" uniqueCount="7">').encode())
    for _ in range(300):
        data += body.compress(MB)
    data += body.compress(SST.split('uniqueCount="7">')[1].encode())
    data += body.flush()
    parts = [("[Content_Types].xml", CT.encode()), ("_rels/.rels", RELS.encode()), ("xl/workbook.xml", WB.encode()),
             ("xl/_rels/workbook.xml.rels", WB_RELS.encode()), ("xl/worksheets/sheet1.xml", sheet().encode())]
    out_bytes, central = bytearray(), bytearray()
    def add(pname, comp, crc, csize, usize, method):
        off = len(out_bytes)
        n = pname.encode()
        out_bytes.extend(struct.pack("<IHHHHHIIIHH", 0x04034b50, 20, 0, method, 0, 0, crc, csize, usize, len(n), 0) + n + comp)
        central.extend(struct.pack("<IHHHHHHIIIHHHHHII", 0x02014b50, 20, 20, 0, method, 0, 0, crc, csize, usize, len(n), 0, 0, 0, 0, 0, off) + n)
    for pname, raw in parts:
        c = zlib.compressobj(6, zlib.DEFLATED, -15)
        comp = c.compress(raw) + c.flush()
        add(pname, comp, zlib.crc32(raw), len(comp), len(raw), 8)
    add("xl/sharedStrings.xml", bytes(data), 0, len(data), 1024, 8)
    cd = len(out_bytes)
    out_bytes.extend(central)
    out_bytes.extend(struct.pack("<IHHHHIIH", 0x06054b50, 0, 0, len(parts) + 1, len(parts) + 1, len(central), cd, 0))
    open(f"{out}/{name}", "wb").write(out_bytes)
lying("lying_header_300mb.xlsx")
PY

printf '%-26s %10s %6s %12s  %s\n' file bytes exit "peak RSS MB" message
worst=0
for f in "$DIR"/*.xlsx; do
  for mode in import dry-run; do
    ws=$(mktemp -d)
    "$BIN" -w "$ws" -q init >/dev/null 2>&1
    args=(import "$f"); [ "$mode" = dry-run ] && args=(import --dry-run "$f")
    /usr/bin/time -v "$BIN" -w "$ws" -q "${args[@]}" >"$ws/out" 2>"$ws/err"
    rc=$(grep -oE 'Exit status: [0-9]+' "$ws/err" | grep -oE '[0-9]+$')
    kb=$(grep -oE 'Maximum resident set size \(kbytes\): [0-9]+' "$ws/err" | grep -oE '[0-9]+$')
    msg=$(grep -vE '^\s|Command (being timed|terminated)' "$ws/err" | head -1 | cut -c1-110)
    mb=$(( ${kb:-0} / 1024 ))
    [ "$mb" -gt "$worst" ] && worst=$mb
    printf '%-26s %10s %6s %12s  %s\n' "$(basename "$f") ($mode)" "$(stat -c %s "$f")" "${rc:-?}" "$mb" "$msg"
    rm -rf "$ws"
  done
done
echo "worst peak RSS: ${worst} MB (goal: ≤ 100 MB, every file refused with exit 1)"
