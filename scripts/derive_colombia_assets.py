#!/usr/bin/env python3
"""Derives the compact Colombia map files that codifica embeds (assets/colombia/) from the
shared DANE data (../shared/data/colombia/: MGN 2018 department boundaries, DIVIPOLA gazetteer).

Run once from the repository root; the output is committed:

    python3 scripts/derive_colombia_assets.py [../shared/data/colombia]

- departamentos.geojson: the 33 department polygons, properties DPTO_CCDGO and DPTO_CNMBR only,
  each ring simplified with Douglas-Peucker (tolerance 0.01 degrees, about 1 km: under a
  third of a pixel on the report's 520-unit-wide map), coordinates rounded to 3 decimals,
  rings that simplify to fewer than 4 points dropped (unless it is a department's only ring).
- gazetteer.csv: one row per municipality with the columns the map and `sample --population`
  read (code, name, department, type, seat and centroid lat/lon rounded to 4 decimals, PND
  region without the "Región " prefix).
"""
import csv
import json
import os
import sys

TOLERANCE = 0.01
DECIMALS = 3


def perpendicular(p, a, b):
    (x, y), (x1, y1), (x2, y2) = p, a, b
    dx, dy = x2 - x1, y2 - y1
    if dx == 0 and dy == 0:
        return ((x - x1) ** 2 + (y - y1) ** 2) ** 0.5
    return abs(dy * x - dx * y + x2 * y1 - y2 * x1) / (dx * dx + dy * dy) ** 0.5


def douglas_peucker(points, tol):
    """Iterative Douglas-Peucker: keeps the ends and every point farther than tol from the chord."""
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        i, j = stack.pop()
        best, at = 0.0, None
        for k in range(i + 1, j):
            d = perpendicular(points[k], points[i], points[j])
            if d > best:
                best, at = d, k
        if at is not None and best > tol:
            keep[at] = True
            stack += [(i, at), (at, j)]
    return [p for p, k in zip(points, keep) if k]


def simplify_ring(ring):
    # A closed ring: simplify the open path between its far-apart halves so both survive.
    pts = [tuple(p[:2]) for p in ring]
    if len(pts) < 4:
        return None
    mid = len(pts) // 2
    out = douglas_peucker(pts[: mid + 1], TOLERANCE)[:-1] + douglas_peucker(pts[mid:], TOLERANCE)
    out = [[round(x, DECIMALS), round(y, DECIMALS)] for x, y in out]
    dedup = [out[0]]
    for p in out[1:]:
        if p != dedup[-1]:
            dedup.append(p)
    if dedup[0] != dedup[-1]:
        dedup.append(dedup[0])
    return dedup if len(dedup) >= 4 else None


def departments(src):
    data = json.load(open(os.path.join(src, "mgn2018_departamentos_simplificado.geojson")))
    features = []
    for f in sorted(data["features"], key=lambda f: f["properties"]["DPTO_CCDGO"]):
        g = f["geometry"]
        polys = [g["coordinates"]] if g["type"] == "Polygon" else g["coordinates"]
        out = []
        for poly in polys:
            rings = [r for r in (simplify_ring(r) for r in poly) if r]
            if rings:
                out.append(rings)
        if not out:  # a tiny department (San Andrés): keep its largest ring unsimplified
            biggest = max((r for p in polys for r in p), key=len)
            out = [[[[round(x, DECIMALS), round(y, DECIMALS)] for x, y, *_ in biggest]]]
        p = f["properties"]
        features.append({
            "type": "Feature",
            "properties": {"DPTO_CCDGO": p["DPTO_CCDGO"], "DPTO_CNMBR": p["DPTO_CNMBR"]},
            "geometry": {"type": "MultiPolygon", "coordinates": out},
        })
    return {"type": "FeatureCollection", "features": features}


def gazetteer(src, out_path):
    cols = ["divipola_mpio", "municipio", "divipola_dpto", "departamento", "tipo",
            "lat_cabecera", "lon_cabecera", "lat_centroide", "lon_centroide", "region"]
    with open(os.path.join(src, "municipios.csv"), encoding="utf-8") as f, \
            open(out_path, "w", encoding="utf-8", newline="") as o:
        w = csv.writer(o, lineterminator="\n")
        w.writerow(cols)
        for r in csv.DictReader(f):
            coord = lambda k: f"{float(r[k]):.4f}" if r[k] else ""
            w.writerow([r["divipola_mpio"], r["municipio"], r["divipola_dpto"], r["departamento"],
                        r["tipo"], coord("lat_cabecera"), coord("lon_cabecera"),
                        coord("lat_centroide"), coord("lon_centroide"),
                        r["region_pnd"].removeprefix("Región ")])


def main():
    src = sys.argv[1] if len(sys.argv) > 1 else "../shared/data/colombia"
    out = "assets/colombia"
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, "departamentos.geojson"), "w", encoding="utf-8") as f:
        json.dump(departments(src), f, ensure_ascii=False, separators=(",", ":"))
        f.write("\n")
    gazetteer(src, os.path.join(out, "gazetteer.csv"))
    for name in sorted(os.listdir(out)):
        print(f"{out}/{name}: {os.path.getsize(os.path.join(out, name)):,} bytes")


if __name__ == "__main__":
    main()
