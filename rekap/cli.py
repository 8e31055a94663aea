"""The `rekap` command line: parse, call the library, render, choose the exit code.

Nothing here changes a number. Heavy modules (duckdb, pyarrow) are imported inside the commands
so that `rekap --help` stays instant.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer

from rekap.errors import RekapError
from rekap.i18n import N_
from rekap.version import RULESET_VERSION, __version__

if TYPE_CHECKING:
    from rekap.config import Thresholds
    from rekap.dataset import Dataset
    from rekap.session import LoadOptions, Rule, Session, ValidationReport

app = typer.Typer(
    name="rekap",
    help=(
        "Rekapitulasi berjenjang: periksa hasil TPS, jumlahkan per wilayah, bandingkan dengan rekap.\n\n"
        "Tiered election recap toolkit: check TPS results, add them up level by level, compare with reported recaps.\n\n"
        "Alur biasa / typical flow:\n\n"
        "  rekap run tps_*.csv -r dhasil_kec.xlsx --master wilayah.csv -o hasil   # semua sekaligus / everything\n\n"
        "  rekap validate tps_*.csv            # periksa setiap TPS / check every TPS\n\n"
        "  rekap aggregate tps_*.csv --level kecamatan   # rekap per wilayah / recap per unit\n\n"
        "  rekap compare tps_*.csv -r dhasil_kab.xlsx   # selisih rekap / recap discrepancies\n\n"
        "  rekap progress tps_*.csv --master wilayah.csv   # TPS masuk / TPS received\n\n"
        "  rekap validate data.parquet -f jsonl | jq .   # untuk analis / for analysts\n\n"
        "  rekap rules A006                     # jelaskan aturan / explain a rule"
    ),
    no_args_is_help=True,
    add_completion=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)

EXIT_OK, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


def _fail(message: str, hint: str | None = None) -> NoReturn:
    sys.stderr.write(f"rekap: error: {message}\n")
    if hint:
        sys.stderr.write(f"hint: {hint}\n")
    raise SystemExit(EXIT_ERROR)


def _version(value: bool) -> None:
    if value:
        sys.stdout.write(f"rekap {__version__} (rules {RULESET_VERSION})\n")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool, typer.Option("--version", "-V", callback=_version, is_eager=True, help="Show the version and exit.")
    ] = False,
) -> None:
    """rekap: rekapitulasi berjenjang / tiered election recapitulation."""


def _open_session(lang: str) -> Session:
    """The library session, bounded by REKAP_MEMORY_LIMIT (e.g. 2GB) and REKAP_THREADS (e.g. 2)."""
    from rekap.errors import UsageError
    from rekap.session import Session

    limit = os.environ.get("REKAP_MEMORY_LIMIT") or None
    threads_text = os.environ.get("REKAP_THREADS")
    threads = None
    if threads_text:
        if not threads_text.isdigit() or int(threads_text) < 1:
            _fail(f"REKAP_THREADS={threads_text!r} is not a thread count", hint="e.g. REKAP_THREADS=2")
        threads = int(threads_text)
    try:
        return Session(lang=lang, memory_limit=limit, threads=threads)
    except UsageError:
        _fail(f"REKAP_MEMORY_LIMIT={limit!r} is not a memory size", hint="e.g. REKAP_MEMORY_LIMIT=2GB")


def _binary_not_to_terminal(out_format: str, output: str | None) -> None:
    """Parquet and Excel bytes are refused on a terminal (before any work); a pipe or -o FILE is fine."""
    from rekap.report import BINARY_FORMATS

    if out_format in BINARY_FORMATS and (not output or output == "-") and sys.stdout.isatty():
        what = "an Excel workbook" if out_format == "xlsx" else "Parquet"
        _fail(f"{what} is binary: not written to the terminal", hint=f"use -o FILE.{out_format}, or a pipe")


def _stdin_bytes(files: list[str]) -> bytes | None:
    if "-" in files:
        if files.count("-") > 1:
            _fail("'-' (stdin) given more than once")
        return sys.stdin.buffer.read()
    return None


def _statement_lines(report: ValidationReport, lang: str, levels_above: list[str] | None = None,
                     compared: Any = None) -> list[str]:
    """What the answer covered (scope, election type and its origin, partial sums, what was not
    compared), one line each."""
    from rekap.i18n import num
    from rekap.statement import lines, statement

    covered = statement(report.con, report, levels_above_scope=levels_above, compared=compared)
    return ["  " + line for line in lines(covered, lang, num)]


def _statement_lines_of(covered: dict[str, Any], lang: str) -> list[str]:
    from rekap.i18n import num
    from rekap.statement import lines

    return ["  " + line for line in lines(covered, lang, num)]


def _scope_text(report: ValidationReport, lang: str) -> str:
    from rekap.statement import scope_text, statement

    return scope_text(statement(report.con, report), lang)


def _skipped_lines(ds: Dataset | None, lang: str) -> list[str]:
    """The sheets of the input workbooks that were not read, one line each."""
    from rekap.i18n import t

    return [f"  {s.name}: {t('sheet_skipped', lang)} ({s.message(lang)})" for s in (ds.skipped if ds else [])]


def _summary(report: ValidationReport, ds: Dataset, lang: str, quiet: bool) -> None:
    if quiet:
        return
    from rich.console import Console
    from rich.table import Table

    from rekap.i18n import num, t
    from rekap.session import all_rules

    rules_by_id = {r.id: r for r in all_rules()}
    console = Console(stderr=True, highlight=False, soft_wrap=True)
    console.print(f"[bold]{t('summary', lang)}[/bold] — rekap {__version__}")
    for s in ds.sources:
        mapped = ", ".join(f"{a}→{b}" for a, b in s.mapping.renamed[:12])
        more = f" (+{len(s.mapping.renamed) - 12})" if len(s.mapping.renamed) > 12 else ""
        console.print(f"  {s.name}: {s.format}, {num(s.rows_read, lang)} {'baris' if lang == 'id' else 'rows'}; {'; '.join(s.notes)}", markup=False)
        if mapped:
            console.print(f"    {t('mapping', lang)}: {mapped}{more}", markup=False)
        if s.mapping.unmapped:
            console.print(f"    {t('ignored', lang)}: {', '.join(s.mapping.unmapped)}", markup=False)
    for line in [*_skipped_lines(ds, lang), *_statement_lines(report, lang)]:
        console.print(line, markup=False)
    for note in report.notes:
        console.print(f"  ! {note}", markup=False)
    console.print(_rows_line(report, lang), markup=False)
    console.print("  " + t("tps", lang, n=num(report.tps_checked, lang)))
    if report.counts:
        table = Table(box=None, pad_edge=False, show_edge=False)
        table.add_column(t("rule", lang))
        table.add_column(t("severity", lang))
        table.add_column(t("count", lang), justify="right")
        table.add_column(t("title", lang))
        for rule_id, n in sorted(report.counts.items()):
            r = rules_by_id[rule_id]
            table.add_row(rule_id, t(r.severity, lang), num(n, lang), r.title(lang))
        console.print(table)
    else:
        console.print("  " + t("no_findings", lang))
    sc = report.severity_counts
    console.print(
        "  " + t("totals", lang, error=num(sc["error"], lang), warning=num(sc["warning"], lang), info=num(sc["info"], lang))
    )
    if report.not_applicable:
        console.print(f"  {t('not_applicable', lang)}:")
        for rule_id, na in report.not_applicable.items():
            console.print(f"    {rule_id}: {na.text(lang)}", markup=False)


FilesArg = Annotated[list[str], typer.Argument(help="TPS result files (CSV/TSV, XLSX, Parquet, Sirekap JSON/JSONL); '-' reads stdin.", show_default=False)]
FormatOpt = Annotated[str | None, typer.Option("--format", "-f", help="Output: table, csv, json, jsonl, parquet, xlsx (one sheet of the records) (default: from -o's extension, else table).")]
OutputOpt = Annotated[str | None, typer.Option("--output", "-o", help="Write records to this file instead of stdout; its extension (.txt .csv .json .jsonl .ndjson .parquet .xlsx) must fit -f.")]
LangOpt = Annotated[str | None, typer.Option("--lang", help="Language of messages: id (default) or en; also REKAP_LANG.")]
ElectionOpt = Annotated[str | None, typer.Option("--election", help="Election type: ppwp, pkwkp, pkwkk … (default: the jenis_pemilihan column, else guessed).")]
ConfigOpt = Annotated[Path | None, typer.Option("--config", help="TOML file with [thresholds] overrides.")]
MasterOpt = Annotated[Path | None, typer.Option("--master", help="Region list (KPU or Kemendagri format): enables S006, and K001–K003 with the KPU list's TPS numbers.")]
DptOpt = Annotated[Path | None, typer.Option("--dpt", help="Official DPT per TPS (kode_tps, dpt_l, dpt_p, dpt_j): enables A013.")]
PaslonOpt = Annotated[Path | None, typer.Option("--paslon", help="Candidate table (paslon_id → nomor_urut) for Sirekap JSON.")]
ColumnsOpt = Annotated[Path | None, typer.Option("--columns", help="TOML map of input headers to canonical columns.")]
SheetOpt = Annotated[list[str] | None, typer.Option("--sheet", help=(
    "Excel sheets to read (default: every sheet with a TPS code column). SHEET (name or 1-based number) "
    "for every workbook, FILE:SHEET for that file only; repeatable."))]
InputFormatOpt = Annotated[str, typer.Option("--input-format", help="auto, csv, xlsx, parquet, json.")]
DelimiterOpt = Annotated[str | None, typer.Option("--delimiter", help="CSV delimiter (default: detected).")]
QuietOpt = Annotated[bool, typer.Option("--quiet", "-q", help="No summary on stderr.")]
WilayahOpt = Annotated[
    list[str] | None,
    typer.Option("--wilayah", "-w", help="Only this region and what lies under it (provinsi, kab/kota, kecamatan or desa code; "
                 "repeatable): TPS rows, the region list and reported recaps outside it are left out and counted."),
]


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
            _fail(f"--delimiter must be one character, not {delimiter!r}")
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


@app.command(
    epilog=(
        "Contoh / examples:\n\n"
        "  rekap validate tps_3578.csv\n\n"
        "  rekap validate kec_*.xlsx --sheet 'Rekap TPS' -f csv -o temuan.csv\n\n"
        "  rekap validate sirekap.jsonl --paslon ppwp2024_paslon.csv --select A,S --fail-on error\n\n"
        "  cat tps.csv | rekap validate - -f jsonl | jq -r 'select(.rule==\"A006\") | .kode_wilayah'\n\n"
        "Exit: 0 nothing at/above --fail-on, 1 findings at/above it, 2 unusable input or usage."
    )
)
def validate(
    files: FilesArg,
    fmt: FormatOpt = None,
    output: OutputOpt = None,
    select: Annotated[list[str] | None, typer.Option("--select", help="Only these rules (IDs or prefixes, e.g. A,S002).")] = None,
    ignore: Annotated[list[str] | None, typer.Option("--ignore", help="Skip these rules (IDs or prefixes).")] = None,
    fail_on: Annotated[str, typer.Option("--fail-on", help="Exit 1 when a finding is at least: error, warning, info, never.")] = "error",
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
        typer.Option("--reported", "-r", help="Reported recaps to check against the TPS data too (H rules); repeatable."),
    ] = None,
    quiet: QuietOpt = False,
) -> None:
    """Periksa setiap TPS terhadap katalog aturan / check every TPS against the rule catalogue."""
    from rekap.i18n import resolve_lang
    from rekap.report import format_for, write_records

    lang_code = resolve_lang(lang)
    if fail_on not in ("error", "warning", "info", "never"):
        _fail(f"--fail-on must be error, warning, info or never, not {fail_on!r}")
    out_format = format_for(output, fmt)
    _binary_not_to_terminal(out_format, output)
    inputs = Inputs(files, election, config, master, dpt, paslon, columns, sheet, input_format, delimiter, wilayah)
    parsed = _parse(inputs, select, ignore)
    with _open_session(lang_code) as s:
        ds, report = _checked(s, inputs, parsed)
        if reported:
            s.compare(reported, paslon=paslon, election=election, only={r.id for r in parsed.rules})
        write_records(s.con, s.FINDINGS, out_format, output, sys.stdout.buffer, s.tmpdir, lang=lang_code)
        _summary(report, ds, lang_code, quiet)
    raise SystemExit(EXIT_FINDINGS if report.fails(fail_on) else EXIT_OK)


@app.command(
    epilog=(
        "Contoh / examples:\n\n"
        "  rekap aggregate tps_*.csv --level kecamatan\n\n"
        "  rekap aggregate tps.parquet --level all -f parquet -o rekap.parquet\n\n"
        "  rekap aggregate tps.csv --master wilayah.csv --level kabkota -f csv | duckdb -c \"SELECT * FROM read_csv('/dev/stdin')\"\n\n"
        "Exit: 0 recap produced, 2 unusable input or usage. Error findings do not stop the recap: "
        "see rekap validate for them."
    )
)
def aggregate(
    files: FilesArg,
    level: Annotated[str, typer.Option("--level", "-l", help="desa, kecamatan, kabkota, provinsi, nasional, a comma list, or all.")] = "all",
    fmt: Annotated[str | None, typer.Option("--format", "-f", help="Output: table, csv, json, jsonl, parquet, xlsx (a D.Hasil-style workbook; not to a terminal).")] = None,
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
    quiet: QuietOpt = False,
) -> None:
    """Jumlahkan hasil TPS per wilayah / add up TPS results level by level (desa … nasional)."""
    from rekap.i18n import resolve_lang
    from rekap.regions import parse_levels
    from rekap.report import format_for, write_records
    from rekap.report.text import recap_text

    lang_code = resolve_lang(lang)
    levels = parse_levels(level)
    out_format = format_for(output, fmt, extra=("xlsx",))
    _binary_not_to_terminal(out_format, output)
    inputs = Inputs(files, election, config, master, dpt, paslon, columns, sheet, input_format, delimiter, wilayah)
    # Only the error rules: they decide n_tps_error; warnings are for rekap validate.
    parsed = _parse(inputs, rules=_error_rules())
    with _open_session(lang_code) as s:
        con = s.con
        ds, report = _checked(s, inputs, parsed)
        recap = s.aggregate(levels)
        if recap.rows == 0 and recap.levels_above_scope:
            from rekap.i18n import level_word

            above = ", ".join(level_word(lv, "en") for lv in recap.levels_above_scope)
            _fail(f"level {above} lies above what the data covers ({_scope_text(report, 'en')}): its sum would look "
                  "complete and is not", hint="ask for a lower --level, or say the data is the whole country's "
                  "with --wilayah 00")
        if out_format == "xlsx":
            from rekap.report.dhasil import write_recap_xlsx

            to_file = bool(output) and output != "-"
            try:
                from rekap.i18n import num
                from rekap.statement import lines, statement

                covered = lines(statement(con, report, levels_above_scope=recap.levels_above_scope), lang_code, num)
                write_recap_xlsx(con, recap.table, str(output) if to_file else sys.stdout.buffer, lang=lang_code,
                                 notes=covered)
            except OSError as exc:  # the workbook's own scratch files, in TMPDIR, can fail too
                _fail(f"{output or '<stdout>'}: cannot write ({exc.strerror or exc})", hint="check free disk space (also in TMPDIR)")
        else:
            write_records(con, recap.table, out_format, output, sys.stdout.buffer, s.tmpdir, text=recap_text)
        if not quiet:
            _recap_summary(recap, report, ds, lang_code, s.error_tps())
    raise SystemExit(EXIT_OK)


def _error_rules() -> list[str]:
    from rekap.session import all_rules

    return [r.id for r in all_rules() if r.severity == "error"]


def _recap_summary(recap: Any, report: ValidationReport, ds: Dataset, lang: str, error_tps: int) -> None:
    from rekap.i18n import num

    id_ = lang == "id"
    not_summed = recap.not_summed_duplicate + recap.not_summed_unplaced
    lines = [
        (f"Rekapitulasi — rekap {__version__}" if id_ else f"Recap — rekap {__version__}"),
        (f"  baris dibaca {num(report.rows_read, lang)}; dijumlahkan {num(recap.tps_summed, lang)} TPS; "
         f"tidak dijumlahkan {num(report.rows_rejected + not_summed, lang)}"
         if id_ else
         f"  rows read {num(report.rows_read, lang)}; summed {num(recap.tps_summed, lang)} TPS; "
         f"not summed {num(report.rows_rejected + not_summed, lang)}"),
        (f"    ganda persis {num(report.rows_duplicate, lang)} (S004), tak terbaca "
         f"{num(report.rows_rejected - report.rows_duplicate, lang)} (S008), salinan TPS berbeda "
         f"{num(recap.not_summed_duplicate, lang)} (S003), kode tanpa desa {num(recap.not_summed_unplaced, lang)} (S005)"
         if id_ else
         f"    exact duplicates {num(report.rows_duplicate, lang)} (S004), unreadable "
         f"{num(report.rows_rejected - report.rows_duplicate, lang)} (S008), differing copies of a TPS "
         f"{num(recap.not_summed_duplicate, lang)} (S003), codes without a desa {num(recap.not_summed_unplaced, lang)} (S005)"),
        (f"  {num(recap.rows, lang)} baris rekap ({', '.join(recap.levels)}); TPS dengan galat: "
         f"{num(report.severity_counts['error'] and error_tps, lang)} — lihat: rekap validate"
         if id_ else
         f"  {num(recap.rows, lang)} recap rows ({', '.join(recap.levels)}); TPS with errors: "
         f"{num(report.severity_counts['error'] and error_tps, lang)} — see: rekap validate"),
    ]
    lines += _statement_lines(report, lang, recap.levels_above_scope)
    for note in report.notes:
        lines.append(f"  ! {note}")
    lines += _skipped_lines(ds, lang)
    sys.stderr.write("\n".join(lines) + "\n")


ReportedOpt = Annotated[
    list[Path] | None,
    typer.Option("--reported", "-r", help="A reported recap (D.Hasil CSV/XLSX/Parquet at any level, Sirekap aggregate JSON, rekap aggregate output, every level sheet of a rekap.xlsx or a D.Hasil form in its layout: items as rows, units as columns); repeatable."),
]


@app.command(
    epilog=(
        "Contoh / examples:\n\n"
        "  rekap compare tps_*.csv --reported dhasil_kecamatan.csv --reported dhasil_kabkota.csv\n\n"
        "  rekap compare --reported d_kec.xlsx --reported d_kab.xlsx --reported d_prov.xlsx\n\n"
        "  rekap compare --reported sirekap_pkwkp_35.json --paslon pilkada2024_paslon.csv -f csv -o selisih.csv\n\n"
        "Exit: 0 every reported number equals the sum beneath it, 1 discrepancies found, 2 unusable input."
    )
)
def compare(
    files: Annotated[list[str] | None, typer.Argument(help="TPS result files (optional): the base the recaps are checked against.", show_default=False)] = None,
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
    quiet: QuietOpt = False,
) -> None:
    """Bandingkan rekap yang dilaporkan dengan jumlah di bawahnya / compare reported recaps with the sums beneath them."""
    from rekap.i18n import resolve_lang
    from rekap.report import format_for, write_records
    from rekap.report.text import discrepancy_text

    lang_code = resolve_lang(lang)
    if not reported:
        _fail("no reported recap given", hint="give one or more with --reported FILE (D.Hasil, Sirekap aggregate)")
    out_format = format_for(output, fmt)
    _binary_not_to_terminal(out_format, output)
    inputs = Inputs(files or [], election, config, master, None, paslon, columns, sheet, input_format, delimiter, wilayah)
    parsed = _parse(inputs, rules=_error_rules()) if files else None
    with _open_session(lang_code) as s:
        ds = None
        if parsed is not None:
            ds, _ = _checked(s, inputs, parsed)
        result = s.compare(reported, paslon=paslon, election=election, wilayah=wilayah)
        report = s.report
        assert report is not None
        write_records(s.con, s.DISCREPANCIES, out_format, output, sys.stdout.buffer, s.tmpdir, lang=lang_code,
                      text=lambda names, rows: discrepancy_text(names, rows, lang_code))
        if not quiet:
            _compare_summary(result, report, lang_code)
            if ds is not None:
                sys.stderr.write("".join(line + "\n" for line in _skipped_lines(ds, lang_code)))
    raise SystemExit(EXIT_FINDINGS if result.discrepancies or report.counts.get("H002") else EXIT_OK)


def _compare_summary(result: Any, report: ValidationReport, lang: str) -> None:
    from rekap.i18n import num

    id_ = lang == "id"
    basis = {"tps": "data TPS" if id_ else "the TPS data", "reported": "rekap satu tingkat di bawahnya" if id_ else "the reported level below"}[result.basis]
    lines = [
        (f"Perbandingan rekap — rekap {__version__}" if id_ else f"Recap comparison — rekap {__version__}"),
        (f"  {num(result.units_compared, lang)} wilayah dilaporkan, dibandingkan dengan {basis}; "
         f"{num(result.discrepancies, lang)} selisih (H001)"
         if id_ else
         f"  {num(result.units_compared, lang)} reported units, compared with {basis}; "
         f"{num(result.discrepancies, lang)} discrepancies (H001)"),
    ]
    # What was read from each reported recap (a workbook's sheets each), and what was not.
    for src in report.reported_sources:
        given = src.get("notes")
        notes = "; ".join(str(n) for n in given) if isinstance(given, list) else ""
        lines.append(f"    {src['name']}: {src['format']}; {num(int(str(src['rows'])), lang)} "
                     f"{'wilayah' if id_ else 'units'}{'; ' + notes if notes else ''}")
    for rule_id in ("H002", "H003"):
        if report.counts.get(rule_id):
            lines.append(f"  {rule_id}: {num(report.counts[rule_id], lang)}")
    if result.basis == "tps" and report.rows_read:
        lines.append(
            f"  data TPS: {num(report.tps_checked, lang)} TPS" if id_ else f"  TPS data: {num(report.tps_checked, lang)} TPS"
        )
    lines += _statement_lines(report, lang, compared=result)
    lines += _accounting_lines(report, lang)
    sys.stderr.write("\n".join(lines) + "\n")


def _rows_line(report: ValidationReport, lang: str) -> str:
    """Rows read = used + rejected (+ outside --wilayah), for the TPS files."""
    from rekap.i18n import num, t

    line = "  " + t("rows", lang, read=num(report.rows_read, lang), used=num(report.rows_used, lang),
                    rejected=num(report.rows_rejected, lang), dup=num(report.rows_duplicate, lang),
                    bad=num(report.rows_rejected - report.rows_duplicate, lang))
    if report.rows_outside:
        line += t("rows_outside", lang, n=num(report.rows_outside, lang))
    return line


def _accounting_lines(report: ValidationReport, lang: str) -> list[str]:
    """Rows read = used + rejected, for the TPS files and for the reported recaps (every command says it)."""
    from rekap.i18n import num, t

    lines = []
    if report.rows_read or not report.reported_sources:
        lines.append(_rows_line(report, lang))
    if report.reported_sources:
        read = sum(int(str(s.get("rows_read", 0))) for s in report.reported_sources)
        rejected = sum(int(str(s.get("rows_rejected", 0))) for s in report.reported_sources)
        lines.append("  " + t("reported_rows", lang, read=num(read, lang), used=num(read - rejected, lang),
                              rejected=num(rejected, lang)))
    return lines


@app.command(
    epilog=(
        "Contoh / examples:\n\n"
        "  rekap progress tps_*.csv --master wilayah_kpu_pemilu2024.csv\n\n"
        "  rekap progress tps.parquet --master wilayah.csv -f csv | duckdb -c \"SELECT * FROM read_csv('/dev/stdin') WHERE persen < 100\""
    )
)
def progress(
    files: FilesArg,
    master: Annotated[Path, typer.Option("--master", help="KPU region list with TPS numbers per desa (tps_max_no).")],
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
    """Berapa TPS sudah masuk, per wilayah / how many TPS have reported, per unit (received / expected)."""
    from rekap.i18n import num, resolve_lang
    from rekap.report import format_for, write_records
    from rekap.report.text import progress_text

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
                n, want, overseas = got
                pct = percent_of(n, want, lang_code)
                sys.stderr.write(
                    f"Kemajuan — {num(n, lang_code)} dari {num(want, lang_code)} TPS ({pct}) yang diharapkan daftar wilayah"
                    f" di {_scope_text(report, lang_code)}\n"
                    if lang_code == "id" else
                    f"Progress — {num(n, lang_code)} of {num(want, lang_code)} TPS ({pct}) the region list expects"
                    f" in {_scope_text(report, lang_code)}\n"
                )
            sys.stderr.write("\n".join([*_statement_lines(report, lang_code), *_accounting_lines(report, lang_code),
                                         *_skipped_lines(ds, lang_code)]) + "\n")
    raise SystemExit(EXIT_OK)


SAMPLE_DIR = Path(__file__).resolve().parents[1] / "data" / "samples" / "jatim_kecil"


@app.command(
    epilog=(
        "Contoh / examples:\n\n"
        "  rekap run                                   # contoh bawaan / the bundled sample\n\n"
        "  rekap run tps_*.csv --master wilayah.csv -r dhasil_kec.xlsx -r dhasil_kab.xlsx -o hasil\n\n"
        "  rekap run sirekap.jsonl --paslon paslon.csv --election ppwp -o hasil --lang en\n\n"
        "Writes findings, recaps per level, discrepancies, coverage (CSV, JSONL, Parquet), rekap.xlsx, laporan.html "
        "and manifest.json into the output folder. Exit: 0 done, 1 done with error findings or discrepancies, 2 unusable input."
    )
)
def run(
    files: Annotated[list[str] | None, typer.Argument(help="TPS result files; none = the bundled sample.", show_default=False)] = None,
    reported: ReportedOpt = None,
    outdir: Annotated[Path, typer.Option("--output", "-o", help="Folder for the bundle: created if missing; an earlier bundle there is replaced whole; any other non-empty folder is refused.")] = Path("hasil-rekap"),
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
    quiet: QuietOpt = False,
) -> None:
    """Semua langkah sekaligus: periksa, rekap, bandingkan, cakupan → satu folder hasil / the whole job into one bundle."""
    import time

    from rekap.bundle import BundleInputs, check_output_folder, write_bundle
    from rekap.i18n import num, resolve_lang

    lang_code = resolve_lang(lang)
    check_output_folder(outdir)  # a folder rekap may not fill fails now, not after the whole run
    if not files:
        if not SAMPLE_DIR.is_dir():
            _fail("no input file given and the bundled sample is not installed", hint="give TPS files: rekap run tps.csv -o hasil")
        files = sorted(str(p) for p in (SAMPLE_DIR / "tps").iterdir())
        reported = reported or [SAMPLE_DIR / f"dhasil_{lv}.csv" for lv in ("kecamatan", "kabkota", "provinsi")]
        master = master or SAMPLE_DIR / "wilayah.csv"
        election = election or "pkwkp"
    timings: dict[str, float] = {}
    started = time.perf_counter()
    inputs = Inputs(files, election, config, master, dpt, paslon, columns, sheet, input_format, delimiter, wilayah)
    parsed = _parse(inputs)
    with _open_session(lang_code) as s, _status(quiet, lang_code) as step:
        con = s.con
        step("membaca dan memeriksa" if lang_code == "id" else "reading and checking")
        ds, report = _checked(s, inputs, parsed)
        timings["validate"] = time.perf_counter() - started
        step("menjumlahkan" if lang_code == "id" else "adding up")
        from rekap.regions import LEVELS

        recap = s.aggregate(LEVELS)
        timings["aggregate"] = time.perf_counter() - started - sum(timings.values())
        compared = None
        if reported:
            step("membandingkan rekap" if lang_code == "id" else "comparing recaps")
            # The recap was built just above; compare reuses it.
            compared = s.compare(reported, paslon=paslon, election=election)
            timings["compare"] = time.perf_counter() - started - sum(timings.values())
        master_info = None
        if master is not None:
            if s.master is not None and s.master.has_tps:
                s.coverage()
                timings["coverage"] = time.perf_counter() - started - sum(timings.values())
            master_info = {"path": str(master), "sha256": _file_hash(master)}
        step("menulis hasil" if lang_code == "id" else "writing the bundle")
        accounting = s.accounting()
        sources = [
            {"path": src.path, "name": src.name, "sheet": src.sheet, "format": src.format, "sha256": src.sha256,
             "rows": src.rows_read, "rows_rejected": src.rows_rejected}
            for src in ds.sources
        ]
        options = {"election": election, "lang": lang_code, "config": str(config) if config else None,
                   "dpt": str(dpt) if dpt else None, "paslon": str(paslon) if paslon else None,
                   "wilayah": list(wilayah) if wilayah else None}
        covered = s.statement()
        bundle_inputs = BundleInputs(sources=sources, reported=list(report.reported_sources),
                                     master=master_info, options=options, statement=covered,
                                     skipped_sheets=[sk.record(lang_code) for sk in ds.skipped])
        written = write_bundle(con, outdir, s.tmpdir, inputs=bundle_inputs, accounting=accounting,
                               counts=report.counts, timings=timings, lang=lang_code)
        skipped = _skipped_lines(ds, lang_code)
    if not quiet:
        id_ = lang_code == "id"
        sc = report.severity_counts
        sys.stderr.write(
            (f"Selesai. {len(written)} berkas di {outdir}/ — buka laporan.html atau rekap.xlsx\n"
             f"  baris dibaca {num(report.rows_read, lang_code)}; dijumlahkan {num(recap.tps_summed, lang_code)} TPS; "
             f"tidak dijumlahkan {num(accounting['rows_rejected'], lang_code)}; "
             f"{num(sc['error'], lang_code)} galat, {num(sc['warning'], lang_code)} peringatan"
             + (f"; {num(compared.discrepancies, lang_code)} selisih rekap" if compared else "") + "\n")
            if id_ else
            (f"Done. {len(written)} files in {outdir}/ — open laporan.html or rekap.xlsx\n"
             f"  rows read {num(report.rows_read, lang_code)}; summed {num(recap.tps_summed, lang_code)} TPS; "
             f"not summed {num(accounting['rows_rejected'], lang_code)}; "
             f"{num(sc['error'], lang_code)} errors, {num(sc['warning'], lang_code)} warnings"
             + (f"; {num(compared.discrepancies, lang_code)} recap discrepancies" if compared else "") + "\n")
        )
        sys.stderr.write("\n".join(_accounting_lines(report, lang_code)[1:]) + "\n" if report.reported_sources else "")
        sys.stderr.write("".join(line + "\n" for line in _statement_lines_of(covered, lang_code)))
        sys.stderr.write("".join(line + "\n" for line in skipped))
    failed = report.severity_counts["error"] > 0 or bool(compared and compared.discrepancies)
    raise SystemExit(EXIT_FINDINGS if failed else EXIT_OK)


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

    from rekap.i18n import _, languages, resolve_lang
    from rekap.session import all_rules
    from rekap.validate.registry import severity_word

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
        sys.stderr.write("rekap: interrupted\n")
        _exit(130)
    except TyperException as exc:
        if type(exc).__name__ == "NoArgsIsHelpError":
            sys.stderr.write(exc.format_message() + "\n")
            _exit(EXIT_ERROR)
        _fail(exc.format_message(), hint="see: rekap --help, or rekap COMMAND --help")
    except BrokenPipeError:
        _silence_stdout()
        _exit(EXIT_OK)
    except OSError as exc:
        if debug:
            raise
        # Disk full, a file too large for the file system, a read-only or vanished folder: the
        # system's words and the path, not a traceback (outputs are written beside and renamed,
        # so nothing half-written is left looking complete).
        where = f"{exc.filename}: " if exc.filename else ""
        _fail(f"{where}cannot read or write ({exc.strerror or exc})", hint="check free disk space (also in TMPDIR) and permissions")
    except KeyboardInterrupt:
        sys.stderr.write("rekap: interrupted\n")
        _exit(130)
    except SystemExit as exc:
        _exit(exc.code if isinstance(exc.code, int) else EXIT_ERROR)
    except Exception as exc:  # noqa: BLE001 - the contract is: never a traceback by default
        if debug:
            raise
        _fail(f"internal error: {type(exc).__name__}: {exc}", hint="run again with REKAP_DEBUG=1 and report the traceback")
    _exit(EXIT_OK)


def _run_app(argv: list[str]) -> None:
    """Choose the language first (`--lang`, else REKAP_LANG), so that help, which Click prints while
    it parses, is in it too; then run the command with every help text translated."""
    import typer.main

    from rekap.i18n import resolve_lang, set_lang

    set_lang(resolve_lang(_lang_in(argv)))
    command = typer.main.get_command(app)
    _translate_help(command)
    command.main(args=argv, prog_name="rekap", standalone_mode=False)


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
    Indonesian source, marked with N_ for the catalogue)."""
    from rekap.i18n import _

    for attr in ("help", "short_help", "epilog"):
        text = getattr(command, attr, None)
        if text:
            setattr(command, attr, _(text))
    for param in getattr(command, "params", ()):
        if getattr(param, "help", None):
            param.help = _(param.help)
    for sub in getattr(command, "commands", {}).values():
        _translate_help(sub)


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
