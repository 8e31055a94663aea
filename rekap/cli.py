"""The `rekap` command line: parse, call the library, render, choose the exit code.

Nothing here changes a number. Heavy modules (duckdb, pyarrow) are imported inside the commands
so that `rekap --help` stays instant.
"""

from __future__ import annotations

import os
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer

from rekap.errors import RekapError
from rekap.i18n import C_, N_, _, n_
from rekap.version import RULESET_VERSION, __version__

if TYPE_CHECKING:
    from rekap.config import Thresholds
    from rekap.dataset import Dataset
    from rekap.session import LoadOptions, Rule, Session, ValidationReport

app = typer.Typer(
    name="rekap",
    help=N_(
        "Rekapitulasi berjenjang: periksa hasil TPS, jumlahkan per wilayah, bandingkan dengan rekap yang "
        "dilaporkan.\n\n"
        "Alur biasa:\n\n"
        "  rekap run tps_*.csv -r dhasil_kec.xlsx --master wilayah.csv -o hasil\n"
        "                                         # semua sekaligus, ke satu folder hasil\n"
        "  rekap validate tps_*.csv               # periksa setiap TPS\n"
        "  rekap aggregate tps_*.csv -l kecamatan # jumlahkan per wilayah\n"
        "  rekap compare tps_*.csv -r d_kab.xlsx  # selisih rekap yang dilaporkan\n"
        "  rekap progress tps_*.csv --master wilayah.csv\n"
        "                                         # kelengkapan: TPS masuk\n"
        "  rekap validate data.parquet -f jsonl   # untuk analis\n"
        "  rekap rules A006                       # jelaskan satu aturan"
    ),
    no_args_is_help=True,
    add_completion=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)

EXIT_OK, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2

CLICK_TEXTS = {
    "Show this message and exit.": N_("Tampilkan bantuan ini lalu keluar."),
    "Install completion for the current shell.": N_("Pasang pelengkapan perintah untuk shell ini."),
    "Show completion for the current shell, to copy it or customize the installation.":
        N_("Tampilkan pelengkapan perintah untuk shell ini, untuk disalin atau dipasang sendiri."),
}
"""Help texts that Click and Typer write themselves (in English), with their text in the catalogue."""


def _fail(message: str, hint: str | None = None) -> NoReturn:
    sys.stderr.write(_("rekap: galat: {message}", message=message) + "\n")
    if hint:
        sys.stderr.write(_("saran: {hint}", hint=hint) + "\n")
    raise SystemExit(EXIT_ERROR)


def _version(value: bool) -> None:
    if value:
        sys.stdout.write(_("rekap {version} (aturan {ruleset})", version=__version__, ruleset=RULESET_VERSION) + "\n")
        raise typer.Exit()


LangOpt = Annotated[str | None, typer.Option("--lang", help=N_(
    "Bahasa pesan: id (bawaan) atau en; juga REKAP_LANG."))]


@app.callback()
def _root(
    version: Annotated[
        bool, typer.Option("--version", "-V", callback=_version, is_eager=True, help=N_("Tampilkan versi lalu keluar."))
    ] = False,
    lang: LangOpt = None,
) -> None:
    # No docstring: the app's help (above) is the one help text of the whole command. `--lang` here is
    # read by _run_app before Click parses (`rekap --lang en --help`); the commands take it too.
    pass


def _open_session(lang: str) -> Session:
    """The library session, bounded by REKAP_MEMORY_LIMIT (e.g. 2GB) and REKAP_THREADS (e.g. 2)."""
    from rekap.errors import UsageError
    from rekap.session import Session

    limit = os.environ.get("REKAP_MEMORY_LIMIT") or None
    threads_text = os.environ.get("REKAP_THREADS")
    threads = None
    if threads_text:
        if not threads_text.isdigit() or int(threads_text) < 1:
            _fail(_("REKAP_THREADS={value!r} bukan jumlah thread", value=threads_text),
                  hint=_("mis. REKAP_THREADS=2"))
        threads = int(threads_text)
    try:
        return Session(lang=lang, memory_limit=limit, threads=threads)
    except UsageError:
        _fail(_("REKAP_MEMORY_LIMIT={value!r} bukan ukuran memori", value=limit),
              hint=_("mis. REKAP_MEMORY_LIMIT=2GB"))


def _binary_not_to_terminal(out_format: str, output: str | None) -> None:
    """Parquet and Excel bytes are refused on a terminal (before any work); a pipe or -o FILE is fine."""
    from rekap.report import BINARY_FORMATS

    if out_format in BINARY_FORMATS and (not output or output == "-") and sys.stdout.isatty():
        if out_format == "xlsx":
            message = _("buku kerja Excel adalah data biner: tidak ditulis ke terminal")
        else:
            message = _("Parquet adalah data biner: tidak ditulis ke terminal")
        _fail(message, hint=_("pakai -o BERKAS.{ext}, atau pipa", ext=out_format))


def _stdin_bytes(files: list[str]) -> bytes | None:
    if "-" in files:
        if files.count("-") > 1:
            _fail(_("'-' (stdin) diberikan lebih dari sekali"))
        return sys.stdin.buffer.read()
    return None


def _statement_lines(report: ValidationReport, lang: str, levels_above: list[str] | None = None,
                     compared: Any = None) -> list[str]:
    """What the answer covered (scope, election type and its origin, partial sums, what was not
    compared), one line each."""
    from rekap.statement import statement

    covered = statement(report.con, report, levels_above_scope=levels_above, compared=compared)
    return _statement_lines_of(covered, lang)


def _statement_lines_of(covered: dict[str, Any], lang: str) -> list[str]:
    from rekap.statement import lines

    return ["  " + line for line in lines(covered, lang)]


def _scope_text(report: ValidationReport, lang: str) -> str:
    from rekap.statement import scope_text, statement

    return scope_text(statement(report.con, report), lang)


def _skipped_lines(ds: Dataset | None, lang: str) -> list[str]:
    """The sheets of the input workbooks that were not read, one line each."""
    return ["  " + _("{name}: lembar tidak dibaca ({reason})", lang, name=s.name, reason=s.message(lang))
            for s in (ds.skipped if ds else [])]


def _summary(report: ValidationReport, ds: Dataset, lang: str, quiet: bool, tail: list[str] | None = None) -> None:
    if quiet:
        return
    from rich.console import Console
    from rich.markup import escape

    from rekap.i18n import num

    console = Console(stderr=True, highlight=False, soft_wrap=True)
    console.print("[bold]" + escape(_("Ringkasan pemeriksaan — rekap {version}", lang, version=__version__)) + "[/bold]")
    for s in ds.sources:
        # The file's own headers, quoted: they are the input's words, not rekap's.
        mapped = ", ".join(f"'{a}'→{b}" for a, b in s.mapping.renamed[:12])
        more = f" (+{num(len(s.mapping.renamed) - 12, lang)})" if len(s.mapping.renamed) > 12 else ""
        read = n_("{name}: {format}, {n} baris", "{name}: {format}, {n} baris", s.rows_read, lang, name=s.name,
                  format=s.format)
        notes = "; ".join(s.notes)
        console.print(f"  {read}" + (f"; {notes}" if notes else ""), markup=False)
        if mapped:
            console.print("    " + _("kolom dipetakan: {columns}", lang, columns=mapped + more), markup=False)
        if s.mapping.unmapped:
            console.print("    " + _("kolom diabaikan: {columns}", lang, columns=", ".join(f"'{c}'" for c in s.mapping.unmapped)),
                          markup=False)
    for line in [*_skipped_lines(ds, lang), *_statement_lines(report, lang)]:
        console.print(line, markup=False)
    for note in report.notes:
        console.print(f"  ! {note}", markup=False)
    console.print(_rows_line(report, lang), markup=False)
    console.print("  " + _("TPS diperiksa: {n}", lang, n=num(report.tps_checked, lang)), markup=False)
    _rule_counts(report, lang, tail or [])


FilesArg = Annotated[list[str], typer.Argument(
    metavar=N_("BERKAS..."),
    help=N_("Berkas hasil TPS (CSV/TSV, XLSX, Parquet, JSON/JSONL Sirekap); '-' membaca stdin."), show_default=False)]
FormatOpt = Annotated[str | None, typer.Option("--format", "-f", help=N_(
    "Keluaran: table, csv, json, jsonl, parquet, xlsx (satu lembar berisi baris-baris keluaran) (bawaan: dari "
    "ekstensi -o, selain itu table)."))]
OutputOpt = Annotated[str | None, typer.Option("--output", "-o", help=N_(
    "Tulis keluaran ke berkas ini, bukan ke stdout; ekstensinya (.txt .csv .json .jsonl .ndjson .parquet .xlsx) "
    "harus sesuai dengan -f."))]
ElectionOpt = Annotated[str | None, typer.Option("--election", help=N_(
    "Jenis pemilihan: ppwp, pkwkp, pkwkk … (bawaan: kolom jenis_pemilihan, selain itu ditebak)."))]
ConfigOpt = Annotated[Path | None, typer.Option("--config", help=N_(
    "Berkas TOML berisi ambang batas pengganti ([thresholds])."))]
MasterOpt = Annotated[Path | None, typer.Option("--master", help=N_(
    "Daftar wilayah (format KPU atau Kemendagri): menjalankan S006, serta K001–K003 dengan jumlah TPS dari "
    "daftar KPU."))]
DptOpt = Annotated[Path | None, typer.Option("--dpt", help=N_(
    "DPT resmi per TPS (kode_tps, dpt_l, dpt_p, dpt_j): menjalankan A013."))]
PaslonOpt = Annotated[Path | None, typer.Option("--paslon", help=N_(
    "Tabel pasangan calon (paslon_id → nomor_urut) untuk JSON Sirekap."))]
ColumnsOpt = Annotated[Path | None, typer.Option("--columns", help=N_(
    "Peta TOML dari judul kolom masukan ke kolom baku rekap."))]
SheetOpt = Annotated[list[str] | None, typer.Option("--sheet", help=N_(
    "Lembar Excel yang dibaca (bawaan: setiap lembar yang punya kolom kode TPS). SHEET (nama atau nomor, mulai "
    "dari 1) untuk setiap buku kerja, FILE:SHEET untuk berkas itu saja; boleh diulang."))]
InputFormatOpt = Annotated[str, typer.Option("--input-format", help=N_(
    "Format masukan: auto, csv, xlsx, parquet, json."))]
DelimiterOpt = Annotated[str | None, typer.Option("--delimiter", help=N_(
    "Pemisah CSV (bawaan: dideteksi)."))]
QuietOpt = Annotated[bool, typer.Option("--quiet", "-q", help=N_("Tanpa ringkasan di stderr."))]
PaperOpt = Annotated[str | None, typer.Option("--kertas", help=N_(
    "Kertas buku kerja saat dicetak: 'f4' (folio 215 × 330 mm, bawaan) atau 'a4'; bisa juga kertas = \"a4\" di "
    "bagian [cetak] berkas --config."), show_default=False)]
WilayahOpt = Annotated[
    list[str] | None,
    typer.Option("--wilayah", "-w", help=N_(
        "Hanya wilayah ini dan yang ada di bawahnya (kode provinsi, kab/kota, kecamatan atau desa; boleh diulang): "
        "baris TPS, daftar wilayah dan rekap yang dilaporkan di luarnya tidak dipakai, dan jumlahnya disebutkan.")),
]


AcceptOpt = Annotated[list[Path] | None, typer.Option("--accept", help=N_(
    "Daftar terima: CSV berkolom 'rule', 'kode_wilayah', 'field', 'actual', 'reason', 'by', 'date' (buat dengan "
    "--write-accept). "
    "Temuan yang cocok dengan satu entri dicatat sebagai diterima, dengan alasannya, dan tidak dihitung untuk kode "
    "keluar; entri yang tidak cocok lagi dengan temuan mana pun dilaporkan sebagai usang. Boleh diulang."),
    show_default=False)]
WriteAcceptOpt = Annotated[Path | None, typer.Option("--write-accept", help=N_(
    "Tulis temuan yang belum diterima ke berkas CSV ini sebagai daftar terima, dengan kolom 'reason', 'by', "
    "'date' kosong untuk diisi petugas; lalu pakai berkas itu dengan --accept."), show_default=False)]


IgnoreOpt = Annotated[list[str] | None, typer.Option("--ignore", help=N_("Lewati aturan ini (ID atau awalan)."))]
FailOnOpt = Annotated[str, typer.Option("--fail-on", help=N_(
    "Keluar dengan kode 1 bila ada temuan dengan keparahan setidaknya: 'error', 'warning', 'info' atau 'never'."))]


def _paper(kertas: str | None, config: Path | None, lang: str | None = None) -> str:
    """The paper the workbook prints on: --kertas, else [cetak] kertas of --config, else F4."""
    from rekap.config import PAPERS, load_paper

    if kertas is not None:
        if kertas.strip().lower() not in PAPERS:
            _fail(_("--kertas harus {known}, bukan {value!r}", lang, known=" atau ".join(PAPERS), value=kertas))
        return kertas.strip().lower()
    return load_paper(config) or PAPERS[0]


def _check_fail_on(fail_on: str) -> None:
    """--fail-on is one of the severities or 'never' (validate, diff)."""
    if fail_on not in ("error", "warning", "info", "never"):
        _fail(_("--fail-on harus 'error', 'warning', 'info' atau 'never', bukan {value!r}", value=fail_on))


@dataclass
class Inputs:
    """What every command that reads TPS files needs, parsed once."""

    files: list[str]
    election: str | None
    config: Path | None
    master: Path | None
    dpt: Path | None
    paslon: Path | None
    columns: Path | None
    sheet: list[str] | None
    input_format: str
    delimiter: str | None
    wilayah: list[str] | None = None


@dataclass
class _Parsed:
    """The options of `Inputs` read and checked before anything is loaded (a bad option fails first)."""

    rules: list[Rule]
    thresholds: dict[str, Thresholds]
    options: LoadOptions
    stdin: bytes | None


def _parse(inputs: Inputs, select: list[str] | None = None, ignore: list[str] | None = None,
           rules: list[str] | None = None) -> _Parsed:
    from rekap.config import load_thresholds
    from rekap.session import LoadOptions, load_column_map, select_rules, split_patterns

    chosen = select_rules(split_patterns(rules if rules is not None else select), split_patterns(ignore))
    thresholds = load_thresholds(inputs.config)
    column_map = load_column_map(inputs.columns) if inputs.columns else None
    paslon_map = None
    if inputs.paslon is not None:
        from rekap.session import load_paslon

        paslon_map = load_paslon(inputs.paslon)
    delimiter = inputs.delimiter
    if delimiter is not None:
        delimiter = {"\\t": "\t", "tab": "\t"}.get(delimiter, delimiter)
        if len(delimiter) != 1:
            _fail(_("--delimiter harus satu karakter, bukan {value!r}", value=delimiter))
    stdin = _stdin_bytes(inputs.files)
    options = LoadOptions(
        input_format=inputs.input_format, sheets=tuple(inputs.sheet or ()), column_map=column_map, paslon=paslon_map,
        delimiter=delimiter,
    )
    return _Parsed(chosen, thresholds, options, stdin)


def _checked(s: Session, inputs: Inputs, parsed: _Parsed) -> tuple[Dataset, ValidationReport]:
    """Load every input into the session and run the chosen rules over it."""
    ds = s.load(inputs.files, options=parsed.options, stdin=parsed.stdin)
    report = s.validate(rules=parsed.rules, election=inputs.election, thresholds=parsed.thresholds,
                        master=inputs.master, dpt=inputs.dpt, wilayah=inputs.wilayah)
    return ds, report


def _check_accept(accept: list[Path] | None, write_accept: Path | None, outdir: Path | None = None) -> None:
    """--accept and --write-accept, checked before any work: the lists are there, the list to write is a CSV
    that is none of them (it would replace their reasons with empty cells) and not inside the bundle folder."""
    from rekap.report import EXTENSION_RE

    for path in accept or []:
        if not path.is_file():
            _fail(_("{path}: daftar terima tidak ditemukan", path=path),
                  hint=_("buat daftar terima dengan: rekap validate BERKAS... --write-accept DAFTAR.csv"))
    if write_accept is None:
        return
    suffix = write_accept.suffix
    if EXTENSION_RE.fullmatch(suffix) and suffix.lower() != ".csv":
        _fail(_("--write-accept {path}: daftar terima ditulis sebagai CSV, bukan {suffix}", path=write_accept,
                suffix=suffix), hint=_("beri nama berkas {name}", name=write_accept.stem + ".csv"))
    target = write_accept.resolve()
    if any(p.resolve() == target for p in accept or []):
        _fail(_("--write-accept {path} juga dibaca dengan --accept: alasan-alasannya akan hilang", path=write_accept),
              hint=_("tulis ke berkas lain; yang ditulis hanya temuan yang belum diterima"))
    if outdir is not None and (target.parent == outdir.resolve() or outdir.resolve() in target.parents):
        _fail(_("--write-accept {path} berada di dalam folder hasil {folder}", path=write_accept, folder=outdir),
              hint=_("tulis daftar terima di luar folder hasil"))


def _accept_and_write(s: Session, accept: list[Path] | None, write_accept: Path | None, stored: bool = False) -> None:
    """Apply the accept files (and with `stored`, the store's decisions) to the session's findings, then write
    the findings that still count as an accept file (`--write-accept`)."""
    from rekap.report import write_records

    if accept or stored:
        s.accept(accept or [], stored=stored)
    if write_accept is not None:
        write_records(s.con, s.accept_template(), "csv", str(write_accept), None, s.tmpdir)


STALE_SHOWN = 20
"""Stale entries listed one by one in a summary; the rest are counted (all are in the bundle's accept_stale.csv)."""


def _accept_lines(report: ValidationReport, lang: str, written: Path | None = None) -> list[str]:
    """What the accept files did (accepted findings per rule, stale entries, entries of rules that did not
    run), and the accept file written; for the summary."""
    from rekap.i18n import num

    lines = []
    if report.accept_files:
        n = sum(report.accepted.values())
        files = ", ".join(str(f["path"]) for f in report.accept_files)
        head = n_("{n} temuan diterima (daftar terima: {files})", "{n} temuan diterima (daftar terima: {files})", n,
                  lang, n=num(n, lang), files=files)
        per_rule = ", ".join(f"{rule} {num(k, lang)}" for rule, k in sorted(report.accepted.items()))
        lines.append("  " + head + (f": {per_rule}" if per_rule else ""))
        if report.accept_without_reason:
            lines.append("  ! " + n_("{n} temuan diterima tanpa alasan (kolom 'reason' kosong)",
                                     "{n} temuan diterima tanpa alasan (kolom 'reason' kosong)",
                                     report.accept_without_reason, lang, n=num(report.accept_without_reason, lang)))
        if report.accept_stale:
            lines.append("  ! " + n_("{n} entri daftar terima usang: tidak cocok lagi dengan temuan mana pun",
                                     "{n} entri daftar terima usang: tidak cocok lagi dengan temuan mana pun",
                                     report.accept_stale, lang, n=num(report.accept_stale, lang)))
            for file, line, rule, kode, field, actual in report.first_stale(STALE_SHOWN):
                value = str(actual) if actual is not None else _("(nilai apa pun)", lang)
                lines.append(f"    {file}:{line}  {rule}  {kode or '-'}  {field or '-'}  {value}")
            if report.accept_stale > STALE_SHOWN:
                lines.append("    " + _("… dan {n} lainnya", lang, n=num(report.accept_stale - STALE_SHOWN, lang)))
        if report.accept_not_run:
            n_not = sum(report.accept_not_run.values())
            lines.append("  ! " + n_("{n} entri daftar terima tidak diperiksa: aturannya tidak dijalankan ({rules})",
                                     "{n} entri daftar terima tidak diperiksa: aturannya tidak dijalankan ({rules})",
                                     n_not, lang, n=num(n_not, lang),
                                     rules=", ".join(f"{r} {num(k, lang)}" for r, k in report.accept_not_run.items())))
    if written is not None:
        lines.append("  " + _("daftar terima ditulis: {path}; isi kolom 'reason', 'by', 'date', lalu pakai --accept {path}",
                              lang, path=written))
    return lines


@app.command(
    help=N_("Periksa setiap TPS terhadap katalog aturan."),
    epilog=N_(
        "Contoh:\n\n"
        "  rekap validate tps_3578.csv\n"
        "  rekap validate kec_*.xlsx --sheet 'Rekap TPS' -f csv -o temuan.csv\n"
        "  rekap validate sirekap.jsonl --paslon ppwp2024_paslon.csv --select A,S --fail-on error\n"
        "  cat tps.csv | rekap validate - -f jsonl | jq -r 'select(.rule==\"A006\") | .kode_wilayah'\n"
        "  rekap validate tps_*.csv --write-accept diterima.csv       # lalu isi alasannya\n"
        "  rekap validate tps_*.csv --accept diterima.csv\n\n"
        "Kode keluar: 0 tidak ada temuan pada atau di atas --fail-on, 1 ada temuan pada atau di atasnya, "
        "2 masukan tidak dapat dipakai atau perintah salah. Temuan yang diterima (--accept) tidak dihitung."
    ),
)
def validate(
    files: FilesArg,
    fmt: FormatOpt = None,
    output: OutputOpt = None,
    select: Annotated[list[str] | None, typer.Option("--select", help=N_(
        "Hanya aturan ini (ID atau awalan, mis. A,S002)."))] = None,
    ignore: IgnoreOpt = None,
    fail_on: FailOnOpt = "error",
    lang: LangOpt = None,
    election: ElectionOpt = None,
    config: ConfigOpt = None,
    master: MasterOpt = None,
    dpt: DptOpt = None,
    paslon: PaslonOpt = None,
    columns: ColumnsOpt = None,
    sheet: SheetOpt = None,
    input_format: InputFormatOpt = "auto",
    delimiter: DelimiterOpt = None,
    wilayah: WilayahOpt = None,
    reported: Annotated[
        list[Path] | None,
        typer.Option("--reported", "-r", help=N_(
            "Rekap yang dilaporkan, diperiksa juga terhadap data TPS (aturan H); boleh diulang.")),
    ] = None,
    accept: AcceptOpt = None,
    write_accept: WriteAcceptOpt = None,
    quiet: QuietOpt = False,
) -> None:
    """Check every TPS against the rule catalogue (the help shown is the catalogue's)."""
    from rekap.i18n import resolve_lang
    from rekap.report import format_for, write_records

    lang_code = resolve_lang(lang)
    _check_fail_on(fail_on)
    out_format = format_for(output, fmt)
    _binary_not_to_terminal(out_format, output)
    inputs = Inputs(files, election, config, master, dpt, paslon, columns, sheet, input_format, delimiter, wilayah)
    parsed = _parse(inputs, select, ignore)
    _check_accept(accept, write_accept)
    with _open_session(lang_code) as s:
        ds, report = _checked(s, inputs, parsed)
        if reported:
            s.compare(reported, paslon=paslon, election=election, only={r.id for r in parsed.rules})
        _accept_and_write(s, accept, write_accept)
        write_records(s.con, s.FINDINGS, out_format, output, sys.stdout.buffer, s.tmpdir, lang=lang_code)
        _summary(report, ds, lang_code, quiet, _accept_lines(report, lang_code, write_accept))
    raise SystemExit(EXIT_FINDINGS if report.fails(fail_on) else EXIT_OK)


@app.command(
    help=N_("Jumlahkan hasil TPS per wilayah, dari desa sampai nasional."),
    epilog=N_(
        "Contoh:\n\n"
        "  rekap aggregate tps_*.csv --level kecamatan\n"
        "  rekap aggregate tps.parquet --level all -f parquet -o rekap.parquet\n"
        "  rekap aggregate tps.csv --master wilayah.csv --level kabkota -f csv | duckdb -c \"SELECT * FROM read_csv('/dev/stdin')\"\n\n"
        "Kode keluar: 0 rekap dihasilkan, 2 masukan tidak dapat dipakai atau perintah salah. Temuan galat tidak "
        "menghentikan rekap: lihat rekap validate untuk temuan itu."
    ),
)
def aggregate(
    files: FilesArg,
    level: Annotated[str, typer.Option("--level", "-l", help=N_(
        "desa, kecamatan, kabkota, provinsi, nasional, beberapa dipisah koma, atau all."))] = "all",
    fmt: Annotated[str | None, typer.Option("--format", "-f", help=N_(
        "Keluaran: table, csv, json, jsonl, parquet, xlsx (buku kerja bergaya D.Hasil; tidak ke terminal)."))] = None,
    output: OutputOpt = None,
    lang: LangOpt = None,
    election: ElectionOpt = None,
    config: ConfigOpt = None,
    master: MasterOpt = None,
    dpt: DptOpt = None,
    paslon: PaslonOpt = None,
    columns: ColumnsOpt = None,
    sheet: SheetOpt = None,
    input_format: InputFormatOpt = "auto",
    delimiter: DelimiterOpt = None,
    wilayah: WilayahOpt = None,
    kertas: PaperOpt = None,
    quiet: QuietOpt = False,
) -> None:
    """Add up TPS results level by level (the help shown is the catalogue's)."""
    from rekap.i18n import resolve_lang
    from rekap.report import format_for, write_records
    from rekap.report.text import recap_text

    lang_code = resolve_lang(lang)
    levels = _levels(level)
    out_format = format_for(output, fmt, extra=("xlsx",))
    paper = _paper(kertas, config, lang_code)
    _binary_not_to_terminal(out_format, output)
    inputs = Inputs(files, election, config, master, dpt, paslon, columns, sheet, input_format, delimiter, wilayah)
    # Only the error rules: they decide n_tps_error; warnings are for rekap validate.
    parsed = _parse(inputs, rules=_error_rules())
    with _open_session(lang_code) as s:
        con = s.con
        ds, report = _checked(s, inputs, parsed)
        recap = s.aggregate(levels)
        if recap.rows == 0 and recap.levels_above_election and not recap.levels_above_scope:
            from rekap.i18n import election_name, level_word
            from rekap.regions import TOP_LEVEL

            jenis, skipped = next(iter(recap.levels_above_election.items()))
            _fail(_("{election} direkap sampai tingkat {top}; tingkat {levels} tidak berlaku untuknya", lang_code,
                    election=election_name(jenis, lang_code), top=level_word(TOP_LEVEL[jenis], lang_code),
                    levels=", ".join(level_word(lv, lang_code) for lv in skipped)),
                  hint=_("minta --level {top} atau yang lebih rendah", lang_code, top=TOP_LEVEL[jenis]))
        if recap.rows == 0 and recap.levels_above_scope:
            from rekap.i18n import level_word

            above = ", ".join(level_word(lv, lang_code) for lv in recap.levels_above_scope)
            _fail(_("tingkat {levels} berada di atas cakupan data ({scope}): jumlahnya akan tampak lengkap padahal "
                    "tidak", lang_code, levels=above, scope=_scope_text(report, lang_code)),
                  hint=_("minta --level yang lebih rendah, atau nyatakan bahwa data ini mencakup seluruh negeri "
                         "dengan --wilayah 00", lang_code))
        if out_format == "xlsx":
            from rekap.report.dhasil import write_recap_xlsx

            to_file = bool(output) and output != "-"
            try:
                from rekap.statement import lines, statement

                covered = lines(statement(con, report, levels_above_scope=recap.levels_above_scope), lang_code)
                write_recap_xlsx(con, recap.table, str(output) if to_file else sys.stdout.buffer, lang=lang_code,
                                 notes=covered, paper=paper)
            except OSError as exc:  # the workbook's own scratch files, in TMPDIR, can fail too
                _fail(_("{path}: tidak dapat menulis ({reason})", lang_code, path=output or "<stdout>",
                        reason=exc.strerror or exc),
                      hint=_("periksa ruang disk yang masih kosong (juga di TMPDIR)", lang_code))
        else:
            write_records(con, recap.table, out_format, output, sys.stdout.buffer, s.tmpdir, lang=lang_code,
                          text=lambda names, rows: recap_text(names, rows, lang_code))
        if not quiet:
            _recap_summary(recap, report, ds, lang_code, s.error_tps())
    raise SystemExit(EXIT_OK)


def _error_rules() -> list[str]:
    from rekap.session import data_rules

    return [r.id for r in data_rules() if r.severity == "error"]


def _levels(text: str) -> list[str]:
    """`--level`: recap levels as people write them (rekap.regions.parse_levels), or a usage error."""
    from rekap.errors import UsageError
    from rekap.regions import parse_levels

    hint = _("pakai desa, kecamatan, kabkota, provinsi, nasional atau all")
    try:
        return parse_levels(text)
    except ValueError as exc:
        if not str(exc):
            raise UsageError(_("tidak ada tingkat yang diberikan"), hint=hint) from None
        raise UsageError(_("tingkat tidak dikenal {value!r}", value=str(exc)), hint=hint) from None


def _recap_summary(recap: Any, report: ValidationReport, ds: Dataset, lang: str, error_tps: int) -> None:
    from rekap.i18n import num

    not_summed = recap.not_summed_duplicate + recap.not_summed_unplaced
    lines = [
        _("Rekapitulasi — rekap {version}", lang, version=__version__),
        "  " + _("baris dibaca {read}; dijumlahkan {summed} TPS; tidak dijumlahkan {not_summed}", lang,
                 read=num(report.rows_read, lang), summed=num(recap.tps_summed, lang),
                 not_summed=num(report.rows_rejected + not_summed, lang)),
        "    " + _("ganda persis {duplicate} (S004), tidak terbaca {unreadable} (S008), salinan TPS berbeda "
                   "{differing} (S003), kode tanpa desa {unplaced} (S005)", lang,
                   duplicate=num(report.rows_duplicate, lang),
                   unreadable=num(report.rows_rejected - report.rows_duplicate, lang),
                   differing=num(recap.not_summed_duplicate, lang), unplaced=num(recap.not_summed_unplaced, lang)),
        "  " + _("{rows} baris rekap ({levels}); TPS dengan galat: {error_tps} — lihat: rekap validate", lang,
                 rows=num(recap.rows, lang), levels=", ".join(recap.levels),
                 error_tps=num(report.severity_counts["error"] and error_tps, lang)),
    ]
    lines += _statement_lines(report, lang, recap.levels_above_scope)
    if recap.rows:
        from rekap.i18n import election_name, level_word
        from rekap.regions import TOP_LEVEL

        for jenis, skipped in recap.levels_above_election.items():
            lines.append("  ! " + _("{election} direkap sampai tingkat {top}: tidak ada baris tingkat {levels} untuknya",
                                    lang, election=election_name(jenis, lang), top=level_word(TOP_LEVEL[jenis], lang),
                                    levels=", ".join(level_word(lv, lang) for lv in skipped)))
    for note in report.notes:
        lines.append(f"  ! {note}")
    lines += _skipped_lines(ds, lang)
    sys.stderr.write("\n".join(lines) + "\n")


ReportedOpt = Annotated[
    list[Path] | None,
    typer.Option("--reported", "-r", help=N_(
        "Rekap yang dilaporkan (D.Hasil CSV/XLSX/Parquet di tingkat mana pun, JSON agregat Sirekap, keluaran rekap "
        "aggregate, setiap lembar tingkat dari rekap.xlsx, atau formulir D.Hasil dalam tata letaknya: uraian sebagai "
        "baris, wilayah sebagai kolom); boleh diulang.")),
]


@app.command(
    help=N_("Bandingkan rekap yang dilaporkan dengan jumlah di bawahnya."),
    epilog=N_(
        "Contoh:\n\n"
        "  rekap compare tps_*.csv --reported dhasil_kecamatan.csv --reported dhasil_kabkota.csv\n"
        "  rekap compare --reported d_kec.xlsx --reported d_kab.xlsx --reported d_prov.xlsx\n"
        "  rekap compare --reported sirekap_pkwkp_35.json --paslon pilkada2024_paslon.csv -f csv -o selisih.csv\n\n"
        "Kode keluar: 0 setiap angka yang dilaporkan sama dengan jumlah di bawahnya, 1 ada selisih, 2 masukan tidak "
        "dapat dipakai. Selisih yang diterima (H001 dalam --accept) tidak dihitung; baris selisihnya tetap ditulis."
    ),
)
def compare(
    files: Annotated[list[str] | None, typer.Argument(metavar=N_("BERKAS..."), help=N_(
        "Berkas hasil TPS (boleh tidak ada): dasar pemeriksaan rekap."), show_default=False)] = None,
    reported: ReportedOpt = None,
    fmt: FormatOpt = None,
    output: OutputOpt = None,
    lang: LangOpt = None,
    election: ElectionOpt = None,
    config: ConfigOpt = None,
    master: MasterOpt = None,
    paslon: PaslonOpt = None,
    columns: ColumnsOpt = None,
    sheet: SheetOpt = None,
    input_format: InputFormatOpt = "auto",
    delimiter: DelimiterOpt = None,
    wilayah: WilayahOpt = None,
    accept: AcceptOpt = None,
    write_accept: WriteAcceptOpt = None,
    quiet: QuietOpt = False,
) -> None:
    """Compare reported recaps with the sums beneath them (the help shown is the catalogue's)."""
    from rekap.i18n import resolve_lang
    from rekap.report import format_for, write_records
    from rekap.report.text import discrepancy_text

    lang_code = resolve_lang(lang)
    if not reported:
        _fail(_("tidak ada rekap yang dilaporkan", lang_code),
              hint=_("berikan satu atau lebih dengan --reported BERKAS (D.Hasil, agregat Sirekap)", lang_code))
    out_format = format_for(output, fmt)
    _binary_not_to_terminal(out_format, output)
    inputs = Inputs(files or [], election, config, master, None, paslon, columns, sheet, input_format, delimiter, wilayah)
    parsed = _parse(inputs, rules=_error_rules()) if files else None
    _check_accept(accept, write_accept)
    with _open_session(lang_code) as s:
        ds = None
        if parsed is not None:
            ds, _report = _checked(s, inputs, parsed)
        result = s.compare(reported, paslon=paslon, election=election, wilayah=wilayah)
        report = s.report
        assert report is not None
        _accept_and_write(s, accept, write_accept)
        write_records(s.con, s.DISCREPANCIES, out_format, output, sys.stdout.buffer, s.tmpdir, lang=lang_code,
                      text=lambda names, rows: discrepancy_text(names, rows, lang_code))
        if not quiet:
            _compare_summary(result, report, lang_code)
            if ds is not None:
                sys.stderr.write("".join(line + "\n" for line in _skipped_lines(ds, lang_code)))
            sys.stderr.write("".join(line + "\n" for line in _accept_lines(report, lang_code, write_accept)))
    # Every discrepancy is an H001 finding: those accepted do not count.
    raise SystemExit(EXIT_FINDINGS if report.counts.get("H001") or report.counts.get("H002") else EXIT_OK)


def _compare_summary(result: Any, report: ValidationReport, lang: str) -> None:
    from rekap.i18n import num

    units, found = num(result.units_compared, lang), num(result.discrepancies, lang)
    if result.basis == "tps":
        headline = _("{units} wilayah dilaporkan, dibandingkan dengan data TPS; {discrepancies} selisih (H001)",
                     lang, units=units, discrepancies=found)
    else:
        headline = _("{units} wilayah dilaporkan, dibandingkan dengan rekap satu tingkat di bawahnya; "
                     "{discrepancies} selisih (H001)", lang, units=units, discrepancies=found)
    lines = [_("Perbandingan rekap — rekap {version}", lang, version=__version__), "  " + headline]
    # What was read from each reported recap (a workbook's sheets each), and what was not.
    for src in report.reported_sources:
        given = src.get("notes")
        notes = "; ".join(str(n) for n in given) if isinstance(given, list) else ""
        read = n_("{name}: {format}; {n} wilayah", "{name}: {format}; {n} wilayah", int(str(src["rows"])), lang,
                  name=src["name"], format=src["format"])
        lines.append(f"    {read}" + (f"; {notes}" if notes else ""))
    for rule_id in ("H002", "H003"):
        if report.counts.get(rule_id):
            lines.append(f"  {rule_id}: {num(report.counts[rule_id], lang)}")
    if result.basis == "tps" and report.rows_read:
        lines.append("  " + _("data TPS: {n} TPS", lang, n=num(report.tps_checked, lang)))
    lines += _statement_lines(report, lang, compared=result)
    lines += _accounting_lines(report, lang)
    sys.stderr.write("\n".join(lines) + "\n")


def _rows_line(report: ValidationReport, lang: str) -> str:
    """Rows read = used + rejected (+ outside --wilayah), for the TPS files."""
    from rekap.i18n import num

    counts = {"read": num(report.rows_read, lang), "used": num(report.rows_used, lang),
              "rejected": num(report.rows_rejected, lang), "duplicate": num(report.rows_duplicate, lang),
              "unreadable": num(report.rows_rejected - report.rows_duplicate, lang)}
    if report.rows_outside:
        return "  " + _("baris dibaca {read}, dipakai {used}, ditolak {rejected} (ganda persis {duplicate}, tidak "
                        "terbaca {unreadable}); di luar --wilayah {outside}", lang,
                        outside=num(report.rows_outside, lang), **counts)
    return "  " + _("baris dibaca {read}, dipakai {used}, ditolak {rejected} (ganda persis {duplicate}, tidak terbaca "
                    "{unreadable})", lang, **counts)


def _accounting_lines(report: ValidationReport, lang: str) -> list[str]:
    """Rows read = used + rejected, for the TPS files and for the reported recaps (every command says it)."""
    from rekap.i18n import num

    lines = []
    if report.rows_read or not report.reported_sources:
        lines.append(_rows_line(report, lang))
    if report.reported_sources:
        read = sum(int(str(s.get("rows_read", 0))) for s in report.reported_sources)
        rejected = sum(int(str(s.get("rows_rejected", 0))) for s in report.reported_sources)
        lines.append("  " + _("rekap yang dilaporkan: baris dibaca {read}, dimuat {used}, ditolak {rejected}", lang,
                              read=num(read, lang), used=num(read - rejected, lang), rejected=num(rejected, lang)))
    return lines


@app.command(
    help=N_("Apa yang berubah antara dua versi data TPS yang sama (dua snapshot, atau dua sumber)."),
    epilog=N_(
        "LAMA dan BARU masing-masing satu sisi: sebuah berkas, sebuah folder (semua berkas yang dibaca rekap di "
        "dalamnya), pola glob dalam tanda kutip, atau beberapa di antaranya dipisah koma.\n\n"
        "Contoh:\n\n"
        "  rekap diff snapshot_0220.parquet tps_0317.csv\n"
        "  rekap diff unduhan/0220/ unduhan/0317/ -f csv -o perubahan.csv\n"
        "  rekap diff 'pagi/*.xlsx' 'sore/*.xlsx' --level kecamatan\n"
        "  rekap diff sirekap.csv saksi.xlsx --sources sirekap,saksi\n"
        "  rekap diff lama.parquet baru.parquet -f jsonl | jq -r 'select(.rules | contains(\"D003\")) | .kode_wilayah'\n\n"
        "Keluaran: satu catatan per TPS dan kolom yang berbeda (kode_wilayah, field, old, new, selisih, change, "
        "«rules», old_source, new_source), satu catatan per TPS yang hanya ada di satu sisi; dengan --level, jumlah "
        "per wilayah. Temuan aturan D (atau X dengan --sources) dan S ada di ringkasan, dan di --findings BERKAS.\n\n"
        "Kode keluar: 0 tidak ada temuan pada atau di atas --fail-on (juga bila tidak ada yang berubah), 1 ada, "
        "2 masukan tidak dapat dipakai atau kedua sisi tidak dapat dicocokkan."
    ),
)
def diff(
    sides: Annotated[list[str], typer.Argument(
        metavar=N_("LAMA BARU"),
        help=N_("Dua sisi: LAMA lalu BARU (berkas, folder, 'pola*' atau beberapa dipisah koma)."), show_default=False)],
    fmt: FormatOpt = None,
    output: OutputOpt = None,
    level: Annotated[str | None, typer.Option("--level", "-l", help=N_(
        "Tambahkan jumlah per wilayah (Σ baru − Σ lama per kolom, dan jumlah TPS yang berubah): desa, kecamatan, "
        "kabkota, provinsi, nasional, beberapa dipisah koma, atau all. Keluarannya lalu baris per wilayah."))] = None,
    sources: Annotated[str | None, typer.Option("--sources", help=N_(
        "Dua sumber pada waktu yang sama, bukan dua snapshot: NAMA_A,NAMA_B (mis. sirekap,saksi); menjalankan X001 "
        "dan X002, bukan aturan D."))] = None,
    findings: Annotated[str | None, typer.Option("--findings", help=N_(
        "Tulis juga temuan (aturan D/X dan S) ke berkas ini; formatnya dari ekstensinya."))] = None,
    select: Annotated[list[str] | None, typer.Option("--select", help=N_(
        "Hanya aturan ini (ID atau awalan, mis. D003,D006)."))] = None,
    ignore: IgnoreOpt = None,
    fail_on: FailOnOpt = "error",
    lang: LangOpt = None,
    election: ElectionOpt = None,
    config: ConfigOpt = None,
    paslon: PaslonOpt = None,
    columns: ColumnsOpt = None,
    sheet: SheetOpt = None,
    input_format: InputFormatOpt = "auto",
    delimiter: DelimiterOpt = None,
    wilayah: WilayahOpt = None,
    store: Annotated[str | None, typer.Option("--store", help=N_(
        "Store untuk sisi @LABEL, @first, @last, @-2 (bawaan: REKAP_STORE, selain itu rekap.duckdb)."))] = None,
    quiet: QuietOpt = False,
) -> None:
    """What changed between two versions of the same TPS (the help shown is the catalogue's)."""
    from rekap.i18n import resolve_lang
    from rekap.report import format_for, write_records
    from rekap.report.text import changes_text, diff_units_text
    from rekap.session import expand_set, split_patterns

    lang_code = resolve_lang(lang)
    _check_fail_on(fail_on)
    if len(sides) != 2:
        _fail(_("rekap diff butuh tepat dua sisi, LAMA dan BARU, bukan {n}", n=len(sides)),
              hint=_("satukan berkas satu sisi dalam folder, dalam pola bertanda kutip ('lama/*.csv') atau dengan "
                     "koma (a.csv,b.csv)"))
    names = None
    if sources is not None:
        names = [n.strip() for n in sources.split(",")]
        if len(names) != 2 or not all(names) or names[0] == names[1]:
            _fail(_("--sources butuh dua nama berbeda, dipisah koma, bukan {value!r}", value=sources),
                  hint=_("mis. --sources sirekap,saksi"))
    levels = _levels(level) if level is not None else []
    out_format = format_for(output, fmt)
    _binary_not_to_terminal(out_format, output)
    findings_format = format_for(findings, None) if findings else None
    stored = [side.startswith("@") for side in sides]
    old: Any = [] if stored[0] else expand_set(sides[0])
    new: Any = [] if stored[1] else expand_set(sides[1])
    if old.count("-") + new.count("-") > 1:
        _fail(_("stdin ('-') hanya dapat dibaca untuk satu sisi"))
    inputs = Inputs([*old, *new], election, config, None, None, paslon, columns, sheet, input_format, delimiter,
                    wilayah)
    parsed = _parse(inputs, rules=[])
    with _open_session(lang_code) as s:
        if any(stored):
            from rekap import store as store_mod

            s.open_store(store)
            if stored[0]:
                old = store_mod.Stored(store_mod.resolve(s.con, sides[0]))
            if stored[1]:
                new = store_mod.Stored(store_mod.resolve(s.con, sides[1]))
        try:
            result = s.diff(old, new, sources=names, levels=levels, select=split_patterns(select) or None,
                            ignore=split_patterns(ignore), election=election, options=parsed.options,
                            thresholds=parsed.thresholds, wilayah=wilayah, stdin=parsed.stdin)
        finally:
            if any(stored):
                s.close_store()
        if result.units_table:
            write_records(s.con, result.units_table, out_format, output, sys.stdout.buffer, s.tmpdir, lang=lang_code,
                          text=lambda names_, rows: diff_units_text(names_, rows, lang_code))
        else:
            write_records(s.con, result.table, out_format, output, sys.stdout.buffer, s.tmpdir, lang=lang_code,
                          text=lambda names_, rows: changes_text(names_, rows, lang_code))
        if findings and findings_format:
            write_records(s.con, s.FINDINGS, findings_format, findings, None, s.tmpdir, lang=lang_code)
        if not quiet:
            _diff_summary(result, lang_code)
    raise SystemExit(EXIT_FINDINGS if result.report.fails(fail_on) else EXIT_OK)


store_app = typer.Typer(
    name="store",
    help=N_("Store: setiap snapshot data TPS disimpan dengan asal-usulnya dalam satu berkas DuckDB."),
    no_args_is_help=True,
    rich_markup_mode=None,
)
app.add_typer(store_app)

StoreOpt = Annotated[str | None, typer.Option("--store", help=N_(
    "Berkas store (bawaan: REKAP_STORE, selain itu rekap.duckdb di folder kerja)."))]


@store_app.command(
    "add",
    help=N_("Periksa dan simpan satu snapshot (satu set berkas TPS) ke store."),
    epilog=N_(
        "Contoh:\n\n"
        "  rekap store add unduhan/0220/ --label 0220 --at 2024-02-20T14:00\n"
        "  rekap store add 'sore/*.xlsx' --label 1127-sore --store jatim.duckdb\n\n"
        "Nilai setiap TPS disimpan sekali per versi yang berbeda; berkas yang sudah disimpan (SHA-256 yang sama) "
        "tidak disimpan lagi. Kode keluar: 0 tersimpan (atau sudah ada), 2 masukan atau store tidak dapat dipakai."
    ),
)
def store_add(
    sides: Annotated[list[str], typer.Argument(metavar=N_("BERKAS..."), help=N_(
        "Berkas TPS snapshot ini (berkas, folder, 'pola*', beberapa dipisah koma)."), show_default=False)],
    label: Annotated[str, typer.Option("--label", help=N_("Nama snapshot, mis. 0220-pagi (wajib, unik)."))],
    at: Annotated[str | None, typer.Option("--at", help=N_(
        "Waktu data ini diekspor, mis. 2024-02-20T14:00 (bawaan: sekarang)."))] = None,
    store: StoreOpt = None,
    lang: LangOpt = None,
    election: ElectionOpt = None,
    config: ConfigOpt = None,
    paslon: PaslonOpt = None,
    columns: ColumnsOpt = None,
    sheet: SheetOpt = None,
    input_format: InputFormatOpt = "auto",
    delimiter: DelimiterOpt = None,
    quiet: QuietOpt = False,
) -> None:
    """Add one snapshot to the store (the help shown is the catalogue's)."""
    from rekap.i18n import num, resolve_lang
    from rekap.session import expand_set

    lang_code = resolve_lang(lang)
    files = [f for spec in sides for f in expand_set(spec)]
    inputs = Inputs(files, election, config, None, None, paslon, columns, sheet, input_format, delimiter)
    parsed = _parse(inputs, rules=[])
    with _open_session(lang_code) as s:
        path = s.open_store(store, create=True)
        try:
            added = s.store_add(files, label=label, at=at, election=election, options=parsed.options,
                                thresholds=parsed.thresholds)
        finally:
            s.close_store()
    if quiet:
        raise SystemExit(EXIT_OK)
    snap = added.snapshot
    if not added.added:
        sys.stderr.write(_("{path}: berkas ini sudah tersimpan sebagai snapshot {label} ({at}); tidak ada yang "
                           "ditambahkan", lang_code, path=path, label=snap.label, at=snap.at) + "\n")
        raise SystemExit(EXIT_OK)
    sys.stderr.write(_("{path}: snapshot {label} ({at}) tersimpan: {tps} TPS dari {files} berkas", lang_code,
                       path=path, label=snap.label, at=snap.at, tps=num(snap.tps, lang_code),
                       files=num(len(snap.files), lang_code)) + "\n")
    if added.diff is not None and added.previous is not None:
        c = added.diff.counts
        sys.stderr.write("  " + _("sejak {previous}: TPS berubah {changed}, baru {new}, hilang {gone}; angka "
                                  "ditambahkan {added}, ditarik {removed}, dikoreksi {corrected}", lang_code,
                                  previous=added.previous.label, changed=num(c.tps_changed, lang_code),
                                  new=num(c.tps_added, lang_code), gone=num(c.tps_removed, lang_code),
                                  added=num(c.added, lang_code), removed=num(c.removed, lang_code),
                                  corrected=num(c.changed, lang_code)) + "\n")
    if added.diff is not None:
        _rule_counts(added.diff.report, lang_code)
    raise SystemExit(EXIT_OK)


@store_app.command(
    "accept",
    help=N_("Simpan keputusan daftar terima (temuan yang sudah diperiksa dan diterima, dengan alasannya) ke store."),
    epilog=N_(
        "Contoh:\n\n"
        "  rekap validate unduhan/1127/ --write-accept diterima.csv   # lalu isi alasan, oleh, tanggal\n"
        "  rekap store accept diterima.csv --store jatim.duckdb\n"
        "  rekap run --store jatim.duckdb -o hasil                    # temuan itu tercantum sebagai diterima\n\n"
        "Setiap baris disimpan dengan siapa yang menyimpannya dan kapan; berkas yang sama tidak disimpan dua kali."
    ),
)
def store_accept_cmd(
    files: Annotated[list[Path], typer.Argument(metavar=N_("DAFTAR..."), help=N_(
        "Daftar terima (CSV dengan kolom 'rule', 'kode_wilayah', 'field', 'actual', 'reason', 'by', 'date')."), show_default=False)],
    store: StoreOpt = None,
    lang: LangOpt = None,
) -> None:
    """Keep accepted findings in the store (the help shown is the catalogue's)."""
    from rekap.i18n import resolve_lang

    lang_code = resolve_lang(lang)
    _check_accept(files, None)
    with _open_session(lang_code) as s:
        path = s.open_store(store)
        try:
            done = s.store_accept(files)
        finally:
            s.close_store()
    for name, stored in done:
        sys.stderr.write((_("{path}: {file}: keputusan tersimpan", lang_code, path=path, file=name) if stored else
                          _("{path}: {file}: sudah tersimpan sebelumnya; tidak ada yang ditambahkan", lang_code,
                            path=path, file=name)) + "\n")
    raise SystemExit(EXIT_OK)


@store_app.command("list", help=N_("Daftar snapshot dalam store."))
def store_list(
    store: StoreOpt = None,
    fmt: FormatOpt = None,
    output: OutputOpt = None,
    lang: LangOpt = None,
) -> None:
    """The store's snapshots (the help shown is the catalogue's)."""
    from rekap import store as store_mod

    _store_table(store, fmt, output, lang, lambda s: store_mod.list_table(s.con))


@store_app.command(
    "log",
    help=N_("Setiap versi satu TPS dalam store: sejak snapshot mana, diganti kapan, apa yang berubah, aturan D-nya."),
)
def store_log(
    kode_tps: Annotated[str, typer.Argument(metavar=N_("KODE_TPS"), help=N_("Kode TPS, 13 angka."),
                                            show_default=False)],
    store: StoreOpt = None,
    fmt: FormatOpt = None,
    output: OutputOpt = None,
    lang: LangOpt = None,
) -> None:
    """Every version of one TPS (the help shown is the catalogue's)."""
    from rekap import store as store_mod

    def build(s: Any) -> str:
        table = store_mod.log_table(s.con, kode_tps.strip())
        if not s.con.execute(f"SELECT count(*) FROM {table}").fetchall()[0][0]:
            _fail(_("TPS {kode} tidak ada dalam store", kode=kode_tps),
                  hint=_("periksa kodenya (13 angka); lihat snapshot dengan: rekap store list"))
        return table

    _store_table(store, fmt, output, lang, build)


@store_app.command("progress", help=N_("TPS yang masuk per wilayah pada setiap snapshot (kelengkapan dari waktu ke waktu)."))
def store_progress(
    level: Annotated[str, typer.Option("--level", "-l", help=N_(
        "provinsi, kabkota, kecamatan atau desa."))] = "kabkota",
    store: StoreOpt = None,
    fmt: FormatOpt = None,
    output: OutputOpt = None,
    lang: LangOpt = None,
) -> None:
    """TPS received per unit per snapshot (the help shown is the catalogue's)."""
    from rekap import store as store_mod

    levels = _levels(level)
    _store_table(store, fmt, output, lang, lambda s: store_mod.progress_table(s.con, levels[0]))


def _store_table(store: str | None, fmt: str | None, output: str | None, lang: str | None, build: Any) -> None:
    """Open the store read-only in spirit (nothing is written), build one table, render it."""
    from rekap.i18n import resolve_lang
    from rekap.report import format_for, write_records
    from rekap.report.text import records_text

    lang_code = resolve_lang(lang)
    out_format = format_for(output, fmt)
    _binary_not_to_terminal(out_format, output)
    with _open_session(lang_code) as s:
        s.open_store(store)
        try:
            table = build(s)  # a table of the session's own database: readable after the store is closed
        finally:
            s.close_store()
        write_records(s.con, table, out_format, output, sys.stdout.buffer, s.tmpdir, lang=lang_code,
                      text=lambda names, rows: records_text(names, rows, lang_code))
    raise SystemExit(EXIT_OK)


def _diff_summary(result: Any, lang: str) -> None:
    """What was compared with what, what changed, and what was left out (stderr)."""
    from rekap.election import describe_all
    from rekap.i18n import level_word, num

    c = result.counts
    lines = ["\033[1m" + _("Ringkasan perubahan — rekap {version}", lang, version=__version__) + "\033[0m"
             if sys.stderr.isatty() else _("Ringkasan perubahan — rekap {version}", lang, version=__version__)]
    for side in (result.old, result.new):
        files = "; ".join(
            n_("{name}: {format}, {n} baris", "{name}: {format}, {n} baris", int(src["rows_read"]), lang,
               name=src["name"], format=src["format"]) for src in side.sources)
        lines.append(f"  {side.label}: {files}")
        lines += ["    " + _("{name}: lembar tidak dibaca ({reason})", lang, name=sk.name, reason=sk.message(lang))
                  for sk in side.skipped]
        lines.append("    " + _("TPS {n}; cakupan {scope}; baris ditolak {rejected} (ganda persis {duplicate})", lang,
                                  n=num(side.tps, lang), scope=", ".join(side.scope.units),
                                  rejected=num(side.rows_rejected, lang), duplicate=num(side.rows_duplicate, lang))
                     + ("; " + _("di luar --wilayah {n}", lang, n=num(side.rows_outside, lang)) if side.rows_outside
                        else ""))
    report = result.report
    lines.append("  " + describe_all(report.election_inputs, report.election_flag, lang))
    lines.append("  " + _("kolom dibandingkan: {n} ({fields})", lang, n=num(len(result.fields), lang),
                          fields=", ".join(result.fields) or "-"))
    if result.only_old:
        lines.append("  ! " + _("hanya di {side}, tidak dibandingkan: {fields}", lang, side=result.old.label,
                                fields=", ".join(result.only_old)))
    if result.only_new:
        lines.append("  ! " + _("hanya di {side}, tidak dibandingkan: {fields}", lang, side=result.new.label,
                                fields=", ".join(result.only_new)))
    lines.append("  " + _("TPS di kedua sisi {both}, berubah {changed}; hanya di {old} {only_old}; hanya di {new} "
                          "{only_new}", lang, both=num(c.tps_both, lang), changed=num(c.tps_changed, lang),
                          old=result.old.label, new=result.new.label, only_old=num(c.tps_removed, lang),
                          only_new=num(c.tps_added, lang)))
    lines.append("  " + _("angka ditambahkan {added}, ditarik {removed}, dikoreksi {changed}", lang,
                          added=num(c.added, lang), removed=num(c.removed, lang), changed=num(c.changed, lang)))
    if c.unreadable:
        lines.append("  ! " + n_("{n} sel tidak dibandingkan karena tidak terbaca sebagai angka (S002)",
                                 "{n} sel tidak dibandingkan karena tidak terbaca sebagai angka (S002)", c.unreadable,
                                 lang, n=num(c.unreadable, lang)))
    if not c.records:
        lines.append("  " + _("Tidak ada yang berubah.", lang))
    if any(result.misread.values()):
        m = result.misread
        lines.append("  " + _("koreksi bertanda salah baca: {repaired} membuat formulir lolos aturan A yang gagal, "
                              "{still} formulir masih gagal, {passing} formulir sudah lolos sebelumnya", lang,
                              repaired=num(m["repaired"], lang), still=num(m["still_failing"], lang),
                              passing=num(m["already_passing"], lang)))
    if result.levels_left_out:
        lines.append("  ! " + _("tingkat tidak dijumlahkan (di atas cakupan data atau wilayah pemilihannya): {levels}",
                                lang, levels=", ".join(level_word(lv, lang) for lv in result.levels_left_out)))
    sys.stderr.write("\n".join(lines) + "\n")
    _rule_counts(report, lang)


def _rule_counts(report: ValidationReport, lang: str, tail: list[str] | None = None) -> None:
    """Findings per rule, per severity, the `tail` lines (what the accept files did) and the rules that did not
    apply (the tail of every summary)."""
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    from rekap.i18n import num, severity_word
    from rekap.session import all_rules

    rules_by_id = {r.id: r for r in all_rules()}
    console = Console(stderr=True, highlight=False, soft_wrap=True)
    if report.counts:
        table = Table(box=None, pad_edge=False, show_edge=False)
        table.add_column(C_("summary table", "Aturan", lang))
        table.add_column(C_("summary table", "Keparahan", lang))
        table.add_column(C_("summary table", "Jumlah", lang), justify="right")
        table.add_column(C_("summary table", "Keterangan", lang))
        for rule_id, n in sorted(report.counts.items()):
            r = rules_by_id[rule_id]
            table.add_row(rule_id, severity_word(r.severity, lang), num(n, lang), escape(r.title(lang)))
        console.print(table)
    else:
        console.print("  " + _("Tidak ada temuan.", lang), markup=False)
    sc = report.severity_counts
    console.print("  " + _("{error} galat, {warning} peringatan, {info} info", lang, error=num(sc["error"], lang),
                           warning=num(sc["warning"], lang), info=num(sc["info"], lang)), markup=False)
    for line in tail or []:
        console.print(line, markup=False)
    if report.not_applicable:
        console.print("  " + _("Aturan tidak berlaku:", lang), markup=False)
        for rule_id, na in report.not_applicable.items():
            console.print(f"    {rule_id}: {na.text(lang)}", markup=False)


@app.command(
    help=N_("Kelengkapan per wilayah: TPS masuk dari yang diharapkan."),
    epilog=N_(
        "Contoh:\n\n"
        "  rekap progress tps_*.csv --master wilayah_kpu_pemilu2024.csv\n"
        "  rekap progress tps.parquet --master wilayah.csv -f csv | duckdb -c \"SELECT * FROM read_csv('/dev/stdin') WHERE persen < 100\""
    ),
)
def progress(
    files: Annotated[list[str] | None, typer.Argument(
        metavar=N_("BERKAS..."),
        help=N_("Berkas hasil TPS (CSV/TSV, XLSX, Parquet, JSON/JSONL Sirekap); '-' membaca stdin."),
        show_default=False)] = None,
    master: Annotated[Path | None, typer.Option("--master", help=N_(
        "Daftar wilayah KPU dengan nomor TPS per desa (tps_max_no)."))] = None,
    store: Annotated[str | None, typer.Option("--store", help=N_(
        "Kelengkapan dari waktu ke waktu: TPS yang masuk per wilayah pada setiap snapshot dalam store ini (tanpa "
        "BERKAS; --level memilih tingkatnya)."))] = None,
    level: Annotated[str, typer.Option("--level", "-l", help=N_(
        "Dengan --store: provinsi, kabkota, kecamatan atau desa."))] = "kabkota",
    fmt: FormatOpt = None,
    output: OutputOpt = None,
    lang: LangOpt = None,
    election: ElectionOpt = None,
    columns: ColumnsOpt = None,
    sheet: SheetOpt = None,
    input_format: InputFormatOpt = "auto",
    delimiter: DelimiterOpt = None,
    wilayah: WilayahOpt = None,
    paslon: PaslonOpt = None,
    quiet: QuietOpt = False,
) -> None:
    """How many TPS have reported, per unit (the help shown is the catalogue's)."""
    from rekap.i18n import num, resolve_lang
    from rekap.report import format_for, write_records
    from rekap.report.text import progress_text

    if store is not None:
        if files:
            _fail(_("--store menghitung kelengkapan dari snapshot dalam store: tanpa BERKAS"),
                  hint=_("mis. rekap progress --store jatim.duckdb --level kabkota"))
        from rekap import store as store_mod

        levels = _levels(level)
        _store_table(store, fmt, output, lang, lambda s: store_mod.progress_table(s.con, levels[0]))
    if not files:
        _fail(_("argumen {name} belum diberikan", name=_("BERKAS...")),
              hint=_("lihat: rekap --help, atau rekap PERINTAH --help"))
    if master is None:
        _fail(_("opsi {name} wajib diberikan", name="'--master'"),
              hint=_("lihat: rekap --help, atau rekap PERINTAH --help"))
    lang_code = resolve_lang(lang)
    out_format = format_for(output, fmt)
    _binary_not_to_terminal(out_format, output)
    inputs = Inputs(files, election, None, master, None, paslon, columns, sheet, input_format, delimiter, wilayah)
    parsed = _parse(inputs, select=["K"])
    with _open_session(lang_code) as s:
        con = s.con
        ds, report = _checked(s, inputs, parsed)
        table = s.coverage()
        write_records(con, table, out_format, output, sys.stdout.buffer, s.tmpdir, lang=lang_code,
                      text=lambda names, rows: progress_text(names, rows, lang_code))
        if not quiet:
            from rekap.i18n import percent_of
            from rekap.statement import coverage_headline

            scope = report.scope.units if report.scope is not None else ()
            got = coverage_headline(con, list(scope))
            if got is not None:
                n, want, _overseas = got
                sys.stderr.write(_(
                    "Kelengkapan — {received} dari {expected} TPS ({percent}) yang diharapkan daftar wilayah di {scope}",
                    lang_code, received=num(n, lang_code), expected=num(want, lang_code),
                    percent=percent_of(n, want, lang_code), scope=_scope_text(report, lang_code)) + "\n")
            sys.stderr.write("\n".join([*_statement_lines(report, lang_code), *_accounting_lines(report, lang_code),
                                         *_skipped_lines(ds, lang_code)]) + "\n")
    raise SystemExit(EXIT_OK)


SAMPLE_DIR = Path(__file__).resolve().parents[1] / "data" / "samples" / "jatim_kecil"


@app.command(
    help=N_("Semua langkah sekaligus (periksa, jumlahkan, bandingkan, kelengkapan) ke satu folder hasil."),
    short_help=N_("Semua langkah sekaligus, ke satu folder hasil."),
    epilog=N_(
        "Contoh:\n\n"
        "  rekap run                                   # contoh bawaan\n"
        "  rekap run tps_*.csv --master wilayah.csv -r dhasil_kec.xlsx -r dhasil_kab.xlsx -o hasil\n"
        "  rekap run sirekap.jsonl --paslon paslon.csv --election ppwp -o hasil --lang en\n"
        "  rekap run unduhan/0317/ --previous unduhan/0220/ -o hasil  # dengan perubahan sejak data sebelumnya\n"
        "  rekap run tps_*.csv --accept diterima.csv -o hasil          # dengan temuan yang sudah diterima\n\n"
        "Menulis temuan, rekap per tingkat, selisih, kelengkapan (CSV, JSONL, Parquet), rekap.xlsx, laporan.html "
        "dan manifest.json ke folder hasil; dengan --previous juga perubahan (changes.csv, .jsonl, .parquet); dengan "
        "--accept juga temuan yang diterima dan entri usang (findings_accepted.csv, accept_stale.csv). Kode "
        "keluar: 0 selesai, 1 selesai dengan temuan galat atau selisih yang tidak diterima, 2 masukan tidak dapat "
        "dipakai."
    ),
)
def run(
    files: Annotated[list[str] | None, typer.Argument(metavar=N_("BERKAS..."), help=N_(
        "Berkas hasil TPS; tanpa berkas = contoh bawaan."), show_default=False)] = None,
    reported: ReportedOpt = None,
    previous: Annotated[list[str] | None, typer.Option("--previous", help=N_(
        "Data TPS sebelumnya (snapshot lama; berkas, folder, 'pola*' atau beberapa dipisah koma; boleh diulang): "
        "perubahan sejak data itu (seperti rekap diff LAMA BERKAS...) ditambahkan ke folder hasil, buku kerja dan "
        "laporan. Temuan aturan D tidak mengubah kode keluar."), show_default=False)] = None,
    outdir: Annotated[Path, typer.Option("--output", "-o", help=N_(
        "Folder hasil: dibuat bila belum ada; folder hasil sebelumnya di sana diganti seluruhnya; folder lain yang "
        "tidak kosong ditolak."))] = Path("hasil-rekap"),
    store: Annotated[str | None, typer.Option("--store", help=N_(
        "Folder hasil untuk snapshot terakhir dalam store ini (berkasnya dibaca lagi, SHA-256-nya diperiksa), dengan "
        "perubahan sejak snapshot sebelumnya dan kelengkapan dari waktu ke waktu; tanpa BERKAS."))] = None,
    lang: LangOpt = None,
    election: ElectionOpt = None,
    config: ConfigOpt = None,
    master: MasterOpt = None,
    dpt: DptOpt = None,
    paslon: PaslonOpt = None,
    columns: ColumnsOpt = None,
    sheet: SheetOpt = None,
    input_format: InputFormatOpt = "auto",
    delimiter: DelimiterOpt = None,
    wilayah: WilayahOpt = None,
    accept: AcceptOpt = None,
    write_accept: WriteAcceptOpt = None,
    kertas: PaperOpt = None,
    pdf: Annotated[bool, typer.Option("--pdf", help=N_(
        "Cetak juga buku kerja ke rekap.pdf dengan LibreOffice, bila terpasang (tanpa LibreOffice: satu baris "
        "catatan, bukan galat)."))] = False,
    quiet: QuietOpt = False,
) -> None:
    """The whole job into one bundle (the help shown is the catalogue's)."""
    import time

    from rekap.bundle import BundleInputs, changes_since, check_output_folder, write_bundle
    from rekap.i18n import num, resolve_lang
    from rekap.session import expand_set

    lang_code = resolve_lang(lang)
    paper = _paper(kertas, config, lang_code)
    check_output_folder(outdir)  # a folder rekap may not fill fails now, not after the whole run
    _check_accept(accept, write_accept, outdir)
    stored_previous: Any = None
    if store is not None:
        if files or previous:
            _fail(_("--store membangun folder hasil dari snapshot terakhir dalam store: tanpa BERKAS dan tanpa "
                    "--previous", lang_code), hint=_("mis. rekap run --store jatim.duckdb -o hasil", lang_code))
        files, stored_previous = _latest_snapshot(store, lang_code)
    if not files:
        if not SAMPLE_DIR.is_dir():
            _fail(_("tidak ada berkas masukan dan contoh bawaan tidak terpasang", lang_code),
                  hint=_("berikan berkas TPS: rekap run tps.csv -o hasil", lang_code))
        files = sorted(str(p) for p in (SAMPLE_DIR / "tps").iterdir())
        reported = reported or [SAMPLE_DIR / f"dhasil_{lv}.csv" for lv in ("kecamatan", "kabkota", "provinsi")]
        master = master or SAMPLE_DIR / "wilayah.csv"
        election = election or "pkwkp"
    previous_files = [f for spec in previous or [] for f in expand_set(spec)]
    if "-" in previous_files and "-" in files:
        _fail(_("stdin ('-') hanya dapat dibaca untuk satu sisi"))
    timings: dict[str, float] = {}
    started = time.perf_counter()
    inputs = Inputs(files, election, config, master, dpt, paslon, columns, sheet, input_format, delimiter, wilayah)
    parsed = _parse(inputs)
    previous_stdin = _stdin_bytes(previous_files)
    with _open_session(lang_code) as s, _status(quiet, lang_code) as step:
        con = s.con
        previous_inputs = changes = None
        stored_accepted = 0
        if store is not None:
            from rekap import store as store_mod

            s.open_store(store)
            try:
                store_mod.progress_table(con, "kabkota")  # the page's coverage over time
                stored_accepted = store_mod.copy_accepted(con)  # decisions kept with rekap store accept
                if stored_previous is not None:
                    step(_("membandingkan dengan data sebelumnya", lang_code))
                    previous_inputs, changes = changes_since(
                        s, store_mod.Stored(store_mod.resolve(con, "@" + stored_previous)), files, election=election,
                        options=parsed.options, thresholds=parsed.thresholds, wilayah=wilayah)
                    timings["changes"] = time.perf_counter() - started
            finally:
                s.close_store()
        if previous_files:
            step(_("membandingkan dengan data sebelumnya", lang_code))
            # First: the diff loads both sides; the pipeline below reloads the current files.
            previous_inputs, changes = changes_since(s, previous_files, files, election=election,
                                                     options=parsed.options, thresholds=parsed.thresholds,
                                                     wilayah=wilayah, stdin=parsed.stdin or previous_stdin)
            timings["changes"] = time.perf_counter() - started
        step(_("membaca dan memeriksa", lang_code))
        ds, report = _checked(s, inputs, parsed)
        timings["validate"] = time.perf_counter() - started - sum(timings.values())
        step(_("menjumlahkan", lang_code))
        from rekap.regions import LEVELS

        recap = s.aggregate(LEVELS)
        timings["aggregate"] = time.perf_counter() - started - sum(timings.values())
        compared = None
        if reported:
            step(_("membandingkan rekap", lang_code))
            # The recap was built just above; compare reuses it.
            compared = s.compare(reported, paslon=paslon, election=election)
            timings["compare"] = time.perf_counter() - started - sum(timings.values())
        master_info = None
        if master is not None:
            if s.master is not None and s.master.has_tps:
                s.coverage()
                timings["coverage"] = time.perf_counter() - started - sum(timings.values())
            master_info = {"path": str(master), "sha256": _file_hash(master)}
        accept_info = None
        if accept or write_accept is not None or stored_accepted:
            step(_("mencocokkan daftar terima", lang_code))
            _accept_and_write(s, accept, write_accept, stored=bool(stored_accepted))
            timings["accept"] = time.perf_counter() - started - sum(timings.values())
            if accept or stored_accepted:
                accept_info = {"files": report.accept_files, "accepted": sum(report.accepted.values()),
                               "accepted_per_rule": dict(report.accepted), "stale": report.accept_stale,
                               "without_reason": report.accept_without_reason,
                               "rules_not_run": dict(report.accept_not_run)}
        step(_("menulis folder hasil", lang_code))
        accounting = s.accounting()
        sources = [
            {"path": src.path, "name": src.name, "sheet": src.sheet, "format": src.format, "sha256": src.sha256,
             "rows": src.rows_read, "rows_rejected": src.rows_rejected}
            for src in ds.sources
        ]
        options: dict[str, Any] = {"election": election, "lang": lang_code, "config": str(config) if config else None,
                   "dpt": str(dpt) if dpt else None, "paslon": str(paslon) if paslon else None,
                   "wilayah": list(wilayah) if wilayah else None}
        if store is not None:  # only then: a bundle without the store keeps its bytes
            options["store"] = {"path": store, "previous_snapshot": stored_previous}
        covered = s.statement()
        bundle_inputs = BundleInputs(sources=sources, reported=list(report.reported_sources),
                                     master=master_info, options=options, statement=covered,
                                     skipped_sheets=[sk.record(lang_code) for sk in ds.skipped],
                                     previous=previous_inputs, changes=changes, accept=accept_info)
        pdf_missed: list[str] | None = [] if pdf else None
        written = write_bundle(con, outdir, s.tmpdir, inputs=bundle_inputs, accounting=accounting,
                               counts=report.counts, timings=timings, lang=lang_code, paper=paper, pdf=pdf_missed)
        skipped = _skipped_lines(ds, lang_code)
        accepted_lines = _accept_lines(report, lang_code, write_accept)  # reads the session's tables
    if not quiet:
        sc = report.severity_counts
        counts = {"read": num(report.rows_read, lang_code), "summed": num(recap.tps_summed, lang_code),
                  "not_summed": num(accounting["rows_rejected"], lang_code), "errors": num(sc["error"], lang_code),
                  "warnings": num(sc["warning"], lang_code)}
        if compared:
            totals = _("baris dibaca {read}; dijumlahkan {summed} TPS; tidak dijumlahkan {not_summed}; {errors} galat, "
                       "{warnings} peringatan; {discrepancies} selisih rekap", lang_code,
                       discrepancies=num(compared.discrepancies, lang_code), **counts)
        else:
            totals = _("baris dibaca {read}; dijumlahkan {summed} TPS; tidak dijumlahkan {not_summed}; {errors} galat, "
                       "{warnings} peringatan", lang_code, **counts)
        done = n_("Selesai. {n} berkas di {folder}/ — buka laporan.html atau rekap.xlsx",
                  "Selesai. {n} berkas di {folder}/ — buka laporan.html atau rekap.xlsx", len(written), lang_code,
                  folder=outdir)
        sys.stderr.write(f"{done}\n  {totals}\n")
        sys.stderr.write("\n".join(_accounting_lines(report, lang_code)[1:]) + "\n" if report.reported_sources else "")
        sys.stderr.write("".join(line + "\n" for line in _statement_lines_of(covered, lang_code)))
        sys.stderr.write("".join(line + "\n" for line in skipped))
        if changes is not None:
            sys.stderr.write("  " + _changes_line(changes, lang_code) + "\n")
        sys.stderr.write("".join(line + "\n" for line in accepted_lines))
    if pdf_missed:
        # Asked for, not made: said even with --quiet, and never an error (the workbook is there).
        why = pdf_missed[0]
        if why == "missing":
            sys.stderr.write(_("catatan: rekap.pdf tidak dibuat: LibreOffice tidak terpasang (soffice tidak ditemukan); "
                               "rekap.xlsx siap dicetak", lang_code) + "\n")
        else:
            sys.stderr.write(_("catatan: rekap.pdf tidak dibuat: LibreOffice gagal ({reason}); rekap.xlsx siap "
                               "dicetak", lang_code, reason=why) + "\n")
    # Every discrepancy is an H001 finding (an error): accepted ones count for neither.
    failed = report.severity_counts["error"] > 0 or bool(compared and report.counts.get("H001"))
    raise SystemExit(EXIT_FINDINGS if failed else EXIT_OK)


def _latest_snapshot(store: str, lang: str) -> tuple[list[str], str | None]:
    """The files of the store's last snapshot (each still where it was and with the same SHA-256) and the label
    of the snapshot before it (None when there is one snapshot)."""
    from rekap import store as store_mod
    from rekap.session import file_sha256

    with _open_session(lang) as s:
        s.open_store(store)
        try:
            every = store_mod.snapshots(s.con)
        finally:
            s.close_store()
    if not every:
        _fail(_("store masih kosong: tidak ada snapshot @last", lang),
              hint=_("tambahkan dengan: rekap store add BERKAS... --label LABEL", lang))
    last = every[-1]
    for f in last.files:
        path = Path(str(f["path"]))
        if not path.is_file() or file_sha256(path) != f["sha256"]:
            _fail(_("{path}: berkas snapshot {label} tidak ada lagi atau sudah berubah sejak disimpan", lang,
                    path=path, label=last.label),
                  hint=_("folder hasil dibangun dari berkas aslinya; kembalikan berkas itu, atau simpan snapshot "
                         "baru dengan rekap store add", lang))
    return [str(f["path"]) for f in last.files], (every[-2].label if len(every) > 1 else None)


def _changes_line(changes: dict[str, Any], lang: str) -> str:
    """What changed since the --previous data, in one line of the run's summary."""
    from rekap.i18n import num

    rec = changes["records"]
    rules = ", ".join(f"{rule} {num(n, lang)}" for rule, n in changes["findings_per_rule"].items())
    return _("perubahan sejak data sebelumnya: TPS berubah {tps}, angka dikoreksi {changed}, ditambahkan {added}, "
             "ditarik {removed}; TPS baru {tps_added}, hilang {tps_removed}; temuan D: {rules}", lang,
             tps=num(changes["tps_changed"], lang), changed=num(rec["changed"], lang), added=num(rec["added"], lang),
             removed=num(rec["removed"], lang), tps_added=num(rec["tps_added"], lang),
             tps_removed=num(rec["tps_removed"], lang), rules=rules or "-")


def _file_hash(path: Path) -> str:
    from rekap.session import file_sha256

    return file_sha256(path)


class _status:
    """A spinner on stderr naming the current step, only when stderr is a terminal."""

    def __init__(self, quiet: bool, lang: str) -> None:
        self.live: Any = None
        self.enabled = not quiet and sys.stderr.isatty()

    def __enter__(self) -> Any:
        if self.enabled:
            from rich.console import Console

            self.live = Console(stderr=True).status("")
            self.live.__enter__()

        def step(text: str) -> None:
            if self.live is not None:
                self.live.update(text + " …")

        return step

    def __exit__(self, *exc: object) -> None:
        if self.live is not None:
            self.live.__exit__(None, None, None)


@app.command(
    help=N_("Daftar aturan pemeriksaan, atau penjelasan satu aturan: apa yang diperiksa, mengapa penting, contohnya."),
    epilog=N_("Contoh:\n\n  rekap rules\n\n  rekap rules A006\n\n  rekap rules -f json | jq '.[].id'"),
)
def rules(
    rule_id: Annotated[str | None, typer.Argument(help=N_("ID aturan (mis. A006) atau awalannya (A)."),
                                                  show_default=False)] = None,
    fmt: Annotated[str, typer.Option("--format", "-f", help=N_("table (untuk dibaca) atau json (data untuk skrip)."))] = "table",
    lang: LangOpt = None,
) -> None:
    """List or explain the rules (the help shown is the catalogue's, in the chosen language)."""
    import json
    import textwrap

    from rekap.i18n import _, languages, resolve_lang, severity_word
    from rekap.session import all_rules

    lang_code = resolve_lang(lang)
    chosen = [r for r in all_rules() if rule_id is None or r.id.startswith(rule_id.upper())]
    if not chosen:
        _fail(_("aturan tidak dikenal: {rule!r}", lang_code, rule=rule_id),
              hint=_("lihat daftar aturan dengan: rekap rules", lang_code))
    if fmt == "json":
        # Data for scripts: the codes as they are and the texts in every language (`description`, the
        # English explanation, is the key scripts used before the catalogue).
        records = []
        for r in chosen:
            record: dict[str, str] = {"id": r.id, "severity": r.severity}
            record.update({f"title_{code}": r.title(code) for code in languages()})
            record["description"] = r.explanation("en")
            record.update({f"explanation_{code}": r.explanation(code) for code in languages()})
            records.append(record)
        sys.stdout.write(json.dumps(records, ensure_ascii=False, indent=1) + "\n")
        return
    if rule_id is not None and len(chosen) == 1:
        r = chosen[0]
        paragraphs = [textwrap.fill(p, width=100) for p in r.explanation(lang_code).split("\n\n")]
        sys.stdout.write(f"{r.id} ({severity_word(r.severity, lang_code)}): {r.title(lang_code)}\n\n"
                         + "\n\n".join(paragraphs) + "\n")
        return
    head = (_("Aturan", lang_code), _("Keparahan", lang_code), _("Judul", lang_code))
    words = {r.severity: severity_word(r.severity, lang_code) for r in chosen}
    width = (max(4, len(head[0])), max(len(head[1]), *(len(w) for w in words.values())))
    sys.stdout.write(f"{head[0]:<{width[0]}}  {head[1]:<{width[1]}}  {head[2]}\n")
    for r in chosen:
        sys.stdout.write(f"{r.id:<{width[0]}}  {words[r.severity]:<{width[1]}}  {r.title(lang_code)}\n")


def main() -> None:
    """Console entry point: one readable line and exit 2 instead of a traceback."""
    from rekap.i18n import current_lang, set_lang

    # The language chosen for this run (by _run_app) is the process's only while it runs: an in-process
    # caller (a test, a notebook) gets its own back afterwards.
    before = current_lang()
    try:
        _main()
    finally:
        set_lang(before)


def _main() -> None:
    from typer.exceptions import Abort, Exit, TyperException

    debug = os.environ.get("REKAP_DEBUG") == "1"
    if not debug:
        # A library's generator cleaned up after a failed write would print "Exception ignored in …"
        # with a traceback; the failure itself is reported as one line.
        sys.unraisablehook = lambda _unraisable: None
    try:
        _run_app(sys.argv[1:])
    except RekapError as exc:
        if debug:
            raise
        _fail(exc.message, exc.hint)
    except Exit as exc:
        _exit(exc.exit_code)
    except Abort:
        sys.stderr.write(_("rekap: dihentikan") + "\n")
        _exit(130)
    except TyperException as exc:
        if type(exc).__name__ == "NoArgsIsHelpError":
            sys.stderr.write(exc.format_message() + "\n")
            _exit(EXIT_ERROR)
        _fail(_click_message(exc), hint=_("lihat: rekap --help, atau rekap PERINTAH --help"))
    except BrokenPipeError:
        _silence_stdout()
        _exit(EXIT_OK)
    except OSError as exc:
        if debug:
            raise
        # Disk full, a file too large for the file system, a read-only or vanished folder: the
        # system's words and the path, not a traceback (outputs are written beside and renamed,
        # so nothing half-written is left looking complete).
        hint = _("periksa ruang disk yang masih kosong (juga di TMPDIR) dan izin aksesnya")
        if exc.filename:
            _fail(_("{path}: tidak dapat membaca atau menulis ({reason})", path=exc.filename,
                    reason=exc.strerror or exc), hint=hint)
        _fail(_("tidak dapat membaca atau menulis ({reason})", reason=exc.strerror or exc), hint=hint)
    except KeyboardInterrupt:
        sys.stderr.write(_("rekap: dihentikan") + "\n")
        _exit(130)
    except SystemExit as exc:
        _exit(exc.code if isinstance(exc.code, int) else EXIT_ERROR)
    except Exception as exc:  # noqa: BLE001 - the contract is: never a traceback by default
        if debug:
            raise
        _fail(_("galat internal: {kind}: {error}", kind=type(exc).__name__, error=exc),
              hint=_("jalankan lagi dengan REKAP_DEBUG=1 dan laporkan traceback-nya"))
    _exit(EXIT_OK)


def _click_message(exc: Any) -> str:
    """Click's usage errors that people meet most, in the process's language; any other in Click's words.
    (Typer carries its own copy of Click: its exception classes are told apart by name, as in _main.)"""
    kinds = {cls.__name__ for cls in type(exc).__mro__}
    if "NoSuchOption" in kinds:
        if exc.possibilities:
            return _("opsi tidak dikenal: {option} (mungkin maksudnya {choices})", option=exc.option_name,
                     choices=", ".join(sorted(exc.possibilities)))
        return _("opsi tidak dikenal: {option}", option=exc.option_name)
    if "MissingParameter" in kinds and exc.param is not None and exc.ctx is not None:
        name = exc.param.get_error_hint(exc.ctx)
        if exc.param.param_type_name == "argument":
            return _("argumen {name} belum diberikan", name=name)
        return _("opsi {name} wajib diberikan", name=name)
    message = str(exc.format_message())
    # Click's (and Typer's) words for an unknown command: no attribute holds the name or the suggestions.
    unknown = re.fullmatch(r"No such command '(.*)'\.(?: Did you mean (.*)\?)?", message)
    if unknown and unknown.group(2):
        return _("perintah tidak dikenal: {command!r} (mungkin maksudnya {choices})", command=unknown.group(1),
                 choices=unknown.group(2))
    if unknown:
        return _("perintah tidak dikenal: {command!r}", command=unknown.group(1))
    return message


def _run_app(argv: list[str]) -> None:
    """Choose the language first (`--lang`, else REKAP_LANG), so that help, which Click prints while
    it parses, is in it too; then run the command with every help text translated."""
    import typer.main

    from rekap.i18n import SOURCE_LANG, resolve_lang, set_lang

    # A bad --lang is reported in REKAP_LANG's language (else Indonesian), not in an earlier run's.
    try:
        set_lang(resolve_lang(None))
    except RekapError:
        set_lang(SOURCE_LANG)
    set_lang(resolve_lang(_lang_in(argv)))
    command = typer.main.get_command(_app_for(argv))
    _translate_help(command)
    command.main(args=argv, prog_name="rekap", standalone_mode=False)


def _app_for(argv: list[str]) -> typer.Typer:
    """The app Click is built from: when the command line starts with a command's name, the app with that
    one command (Typer builds every command's parameters from its signature, ~25 ms for all of them, a
    tenth of a small file's run); else, for the root's own options and help, an unknown name or a
    command group, the whole app."""
    import copy

    import typer.main

    name = argv[0] if argv else ""
    chosen = [c for c in app.registered_commands
              if (c.name or typer.main.get_command_name(getattr(c.callback, "__name__", ""))) == name]
    if not chosen:
        return app
    one = copy.copy(app)
    one.registered_commands = chosen
    one.registered_groups = []
    return one


def _lang_in(argv: list[str]) -> str | None:
    """The value of `--lang` on the command line, read before Click parses it (None when absent)."""
    for i, arg in enumerate(argv):
        if arg == "--":
            break
        if arg == "--lang" and i + 1 < len(argv):
            return argv[i + 1]
        if arg.startswith("--lang="):
            return arg.split("=", 1)[1]
    return None


def _translate_help(command: Any) -> None:
    """Every help text of the command tree in the process's language (the texts in the code are the
    Indonesian source, marked with N_ for the catalogue; Click's and Typer's own help texts are looked up
    through CLICK_TEXTS)."""
    for attr in ("help", "short_help", "epilog"):
        text = getattr(command, attr, None)
        if text:
            setattr(command, attr, _verbatim(_(CLICK_TEXTS.get(text, text))))
    for param in getattr(command, "params", ()):
        if getattr(param, "help", None):
            param.help = _(CLICK_TEXTS.get(param.help, param.help))
        if getattr(param, "param_type_name", "") == "argument" and getattr(param, "metavar", None):
            param.metavar = _(param.metavar)  # BERKAS / FILES
    if hasattr(command, "get_help_option"):
        # Click builds `--help` itself, while parsing: its text is translated when Click asks for it.
        get_help_option = command.get_help_option

        def translated_help_option(ctx: Any) -> Any:
            option = get_help_option(ctx)
            if option is not None and option.help:
                option.help = _(CLICK_TEXTS.get(option.help, option.help))
            return option

        command.get_help_option = translated_help_option
    for sub in getattr(command, "commands", {}).values():
        _translate_help(sub)


def _verbatim(text: str) -> str:
    """Indented paragraphs (examples) kept line for line: Click rewraps every paragraph but one that
    starts with its `\\b` marker, which stays out of the catalogue's texts."""
    paragraphs = text.split("\n\n")
    return "\n\n".join("\b\n" + p if all(line.startswith("  ") for line in p.splitlines()) else p
                       for p in paragraphs)


def _silence_stdout() -> None:
    # After a closed pipe, Python's final flush of stdout would raise again at exit.
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except OSError:
        pass


def _exit(code: int | None) -> NoReturn:
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        _silence_stdout()
    raise SystemExit(code or 0)


if __name__ == "__main__":
    main()
