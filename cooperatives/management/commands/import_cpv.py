"""Install the full CPV vocabulary from the file the EU Publications Office publishes (cpv_2008.xlsx, or the
same table saved as CSV): writes cooperatives/data/cpv/cpv_2008.csv (code;name_pl;name_en), which cooperatives/cpv.py
reads. The official table has a column per language: CODE, ..., EN, ..., PL, ...; only those three are kept."""

import csv
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from cooperatives import cpv


def _rows_of_xlsx(path: Path):
    from openpyxl import load_workbook

    workbook = load_workbook(path, read_only=True, data_only=True)
    try:
        yield from workbook.worksheets[0].iter_rows(values_only=True)
    finally:
        workbook.close()


def _rows_of_csv(path: Path):
    with open(path, encoding="utf-8-sig", newline="") as handle:
        sample = handle.read(4096)
        handle.seek(0)
        dialect = csv.Sniffer().sniff(sample, delimiters=";,\t")
        yield from csv.reader(handle, dialect)


def read_official_table(path: Path) -> list[cpv.CpvEntry]:
    rows = _rows_of_xlsx(path) if path.suffix.lower() == ".xlsx" else _rows_of_csv(path)
    header = [str(cell or "").strip().upper() for cell in next(rows, [])]
    missing = [name for name in ("CODE", "PL", "EN") if name not in header]
    if missing:
        raise CommandError(f"{path}: no column {', '.join(missing)} in the first row")
    code_at, pl_at, en_at = (header.index(name) for name in ("CODE", "PL", "EN"))
    entries = []
    for number, row in enumerate(rows, start=2):
        code = str(row[code_at] or "").strip()
        if not code:
            continue
        if not cpv.CODE_PATTERN.match(code):
            raise CommandError(f"{path}: row {number}: not a CPV code: {code!r}")
        entries.append(cpv.CpvEntry(code, str(row[pl_at] or "").strip(), str(row[en_at] or "").strip()))
    return entries


class Command(BaseCommand):
    help = "Install the full CPV 2008 vocabulary from the EU's cpv_2008.xlsx (or CSV) as data/cpv/cpv_2008.csv."

    def add_arguments(self, parser):
        parser.add_argument("source", type=Path, help="cpv_2008.xlsx (or .csv) as published by the EU")
        parser.add_argument("--output", type=Path, default=cpv.FULL_FILE)

    def handle(self, *args, source: Path, output: Path, **options):
        if not source.exists():
            raise CommandError(f"{source}: no such file")
        entries = read_official_table(source)
        if len(entries) < cpv.FULL_SIZE:
            self.stderr.write(f"Only {len(entries)} codes: this is not the whole vocabulary (CPV 2008 has 9,454).")
        output.parent.mkdir(parents=True, exist_ok=True)
        with open(output, "w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle, delimiter=";", lineterminator="\n")
            writer.writerow(["code", "name_pl", "name_en"])
            writer.writerows((entry.code, entry.name_pl, entry.name_en) for entry in entries)
        cpv.vocabulary.cache_clear()
        self.stdout.write(f"{len(entries)} CPV codes written to {output}.")
