#!/usr/bin/env python3
"""Writes the small files of the bad-input corpus (synthetic data: real municipality names,
invented answers). Big or binary cases (10 MB cell, truncated/empty XLSX, NUL bytes) are made by
tests/it/bad_inputs.rs at test time. Run from this folder: python3 make_corpus.py"""

HEADER = "entity_code,entity_name,department,region,month,question,answer,rating,codes"
MED = "05001,Alcaldía de Medellín,Antioquia,Eje Cafetero - Antioquia"
CALI = "76001,Alcaldía de Cali,Valle del Cauca,Pacífico"
GOOD = [
    f"{MED},2020-07,calificacion_general,,4,",
    f'{MED},2020-07,articulacion_instrumentos,"Sí, porque nos ayudó a articular el plan de desarrollo con el presupuesto.",,integralidad',
    f"{CALI},2020-07,calificacion_general,,3,",
    f"{CALI},2020-07,necesidades_debilidades,Falta más comunicación con los asesores del DNP,,comunicacion_dialogo",
]


def write(name, text, encoding="utf-8", newline="\n"):
    with open(name, "wb") as f:
        f.write(text.replace("\n", newline).encode(encoding))


def csv(rows, header=HEADER):
    return "\n".join([header] + rows) + "\n"


write("header_only.csv", HEADER + "\n")
write("whitespace_lines.csv", "   \n\t\n  \n\n")
write("valid_baseline.csv", csv(GOOD))
# Windows-1252 (Latin-1) accents, as Excel on Spanish Windows saves "CSV (delimitado por comas)"
write("latin1.csv", csv(GOOD), encoding="cp1252")
# UTF-8 accents and, further down, a row pasted from a Latin-1 file
with open("mixed_encodings.csv", "wb") as f:
    f.write(csv(GOOD[:2]).encode("utf-8"))
    f.write(f"{CALI},2020-07,calificacion_general,,3,\n".encode("cp1252"))
# A row split with ';' in a ',' file (pasted from another export)
write("mixed_delimiters.csv", csv([GOOD[0], GOOD[2].replace(",", ";")]))
# A quote opened and never closed, in the answer of row 3
write("quote_open.csv", csv([GOOD[0], f'{MED},2020-07,articulacion_instrumentos,"Sí, porque nos ayudó,,integralidad', GOOD[2]]))
# Spanish-locale Excel: ';' delimiter and decimal comma
write("rating_decimal_comma.csv", csv([r.replace(",", ";") for r in [
    f"{MED},2020-07,calificacion_general,,4#5,",
    f"{CALI},2020-07,calificacion_general,,3,",
]], header=HEADER.replace(",", ";")).replace("#", ","))
write("rating_word.csv", csv([GOOD[0], f"{CALI},2020-07,calificacion_general,,cuatro,"]))
write("rating_off_scale.csv", csv([GOOD[0], f"{CALI},2020-07,calificacion_general,,7,"]))
write("rating_on_open_question.csv", csv([GOOD[0], f"{CALI},2020-07,necesidades_debilidades,Falta comunicación,4,"]))
write("month_spanish_name.csv", csv([r.replace("2020-07", "julio 2020") for r in GOOD]))
write("month_slash.csv", csv([r.replace("2020-07", "2020/7") for r in GOOD]))
write("month_invalid.csv", csv([GOOD[0], GOOD[1], GOOD[2].replace("2020-07", "2020-13")]))
write("duplicated_rows.csv", csv([GOOD[0], GOOD[1], GOOD[0]]))
write("rtl_emoji.csv", csv([
    f"{MED},2020-07,articulacion_instrumentos,\"Sí 👍🏽 مرحبا بالعالم שלום ✅ la asistencia 🇨🇴 ayudó\",,integralidad",
    f"{CALI},2020-07,necesidades_debilidades,\u202eتم\u202c conectividad 📶 muy mala 😞,,brecha_conectividad",
]))
write("unknown_code.csv", csv([GOOD[0], f"{CALI},2020-07,necesidades_debilidades,Falta comunicación,,no_existe;comunicacion_dialogo"]))
write("bom_semicolon.csv", "\ufeff" + csv([r.replace(",", ";") for r in [GOOD[0], GOOD[2]]], header=HEADER.replace(",", ";")))
write("crlf.csv", csv(GOOD), newline="\r\n")
write("trailing_empty_columns.csv", csv([r + ",,," for r in GOOD], header=HEADER + ",,,"))
write("extra_columns.csv", csv([r + ",Ana Pérez,45" for r in GOOD], header=HEADER + ",encuestador,duracion_min"))
write("missing_column.csv", csv([",".join(c for i, c in enumerate(r.split(",")) if i != 5) for r in [GOOD[0], GOOD[2]]],
                                 header="entity_code,entity_name,department,region,month,answer,rating,codes"))
write("duplicate_header.csv", csv([r + ",2020-08" for r in [GOOD[0], GOOD[2]]], header=HEADER + ",month"))
write("unknown_question.csv", csv([GOOD[0], f"{CALI},2020-07,satisfaccion_cafe,Muy bueno,,"]))
write("empty_entity_code.csv", csv([GOOD[0], ",Alcaldía de Cali,Valle del Cauca,Pacífico,2020-07,calificacion_general,,3,"]))
write("short_row.csv", csv([GOOD[0], f"{CALI},2020-07,calificacion_general"]))
write("utf16le_bom.csv", "\ufeff" + csv(GOOD), encoding="utf-16-le")
write("utf16le_no_bom.csv", csv(GOOD), encoding="utf-16-le")
# A file saved on a Mac: accents decomposed (NFD)
import unicodedata
write("nfd_accents.csv", unicodedata.normalize("NFD", csv(GOOD)))
write("leading_zeros.csv", csv([GOOD[0], "05045,Alcaldía de Apartadó,Antioquia,Eje Cafetero - Antioquia,2020-07,calificacion_general,,5,"]))
# Excel's "sep=;" hint on the first line
write("excel_sep_hint.csv", "sep=;\n" + csv([r.replace(",", ";") for r in [GOOD[0], GOOD[2]]], header=HEADER.replace(",", ";")))
# 300 good rows, then one bad one: all or nothing
many = [f"{10000 + i:05d},Alcaldía {i},Antioquia,Eje Cafetero - Antioquia,2020-07,calificacion_general,,{1 + i % 5}," for i in range(300)]
write("bad_last_row.csv", csv(many + [f"{CALI},2020-07,calificacion_general,,9,"]))
with open("pdf_renamed.xlsx", "wb") as f:
    f.write(b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n")
with open("png_renamed.csv", "wb") as f:
    f.write(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
            b"\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82")
write("rating_decimal_comma_quoted.csv", csv([GOOD[0].replace(",4,", ',"4,5",'), GOOD[2]]))
write("empty.csv", "")
# Issue 15. A Latin-1 row BEFORE the first UTF-8 accent (the order must not decide the encoding)
with open("mixed_encodings_latin1_first.csv", "wb") as f:
    f.write(csv([f"{CALI},2020-07,calificacion_general,,3,"]).encode("cp1252"))
    f.write(("\n".join(GOOD[:2]) + "\n").encode("utf-8"))
# Two files concatenated: the second one's BOM now starts a data line (row 4)
write("bom_in_data_line.csv", csv(GOOD[:2]) + "\ufeff" + "\n".join(GOOD[2:]) + "\n")
# A value in a column whose header is empty (dropped silently before)
write("value_under_empty_header.csv", csv([GOOD[0] + ",", GOOD[2] + ",nota sin columna"], header=HEADER + ","))
# Months that start like one but are not: a path, an impossible day
write("month_path.csv", csv([GOOD[0], GOOD[2].replace("2020-07", "2020-07/../../x")]))
write("month_impossible_day.csv", csv([GOOD[0], GOOD[2].replace("2020-07", "2020-11-31")]))
