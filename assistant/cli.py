"""The ``coordo`` command: a thin shell over the library (heavy imports happen inside each command)."""

from __future__ import annotations

import json
import logging
import sys
import textwrap

import click

from .config import Settings
from .errors import CoordoError, InvalidQuestion

EXAMPLES = """\b
Exemples :
  coordo index                      construit ou met à jour l'index
  coordo ask "Combien une CPTS peut-elle percevoir au titre de l'ACI ?"
  coordo ask --engine llm --json "Quel financement FIR pour une MSP ?"
  coordo chat                       conversation dans le terminal
  coordo serve                      chat web sur http://127.0.0.1:7860/
  coordo config                     affiche la configuration en vigueur
"""


def _settings(ctx: click.Context, **overrides) -> Settings:
    base: Settings = ctx.obj
    return base.with_(**overrides)


def _fail(exc: CoordoError) -> None:
    click.secho(f"Erreur : {exc}", fg="red", err=True)
    sys.exit(exc.exit_code)


class _Group(click.Group):
    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except CoordoError as exc:
            _fail(exc)
        except KeyboardInterrupt:
            click.echo("\nInterrompu.", err=True)
            sys.exit(130)


@click.group(cls=_Group, epilog=EXAMPLES, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--index-dir", type=click.Path(file_okay=False), help="Dossier de l'index (COORDO_INDEX_DIR).")
@click.option("--corpus-dir", type=click.Path(file_okay=False), help="Dossier des fiches (COORDO_CORPUS_DIR).")
@click.option("-v", "--verbose", is_flag=True, help="Affiche les journaux détaillés.")
@click.version_option(package_name="coordo")
@click.pass_context
def main(ctx: click.Context, index_dir, corpus_dir, verbose):
    """Coordo répond aux questions des médecins sur l'exercice coordonné (MSP, CPTS, ESP, ESS, CDS,
    DAC, ESCAP) à partir des fiches du corpus, en citant les passages exacts utilisés.

    La configuration vient des variables COORDO_* (voir `coordo config`) ; les options l'emportent.
    """
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    noisy = ("bm25s", "chromadb", "httpx", "sentence_transformers")
    if not verbose:  # a filter, not logger levels: bm25s sets its own logger to DEBUG when imported
        for handler in logging.getLogger().handlers:
            handler.addFilter(lambda r: r.levelno >= logging.WARNING or not r.name.startswith(noisy))
    from pathlib import Path

    ctx.obj = Settings.from_env(
        index_dir=Path(index_dir) if index_dir else None, corpus_dir=Path(corpus_dir) if corpus_dir else None
    )


@main.command()
@click.option("--rebuild", is_flag=True, help="Tout reconstruire (nouveaux vecteurs), puis remplacer l'index.")
@click.option("--status", "show_status", is_flag=True, help="Afficher l'état de l'index sans rien construire.")
@click.pass_context
def index(ctx, rebuild, show_status):
    """Construit ou met à jour l'index des fiches.

    Seules les fiches nouvelles ou modifiées sont ré-encodées. L'index est écrit dans un nouveau
    dossier puis mis en place d'un coup : une construction interrompue ne laisse jamais un index
    à moitié fait.
    """
    settings = _settings(ctx)
    if show_status:
        _print_status(settings)
        return
    from tqdm import tqdm

    from .corpus import load_corpus
    from .embeddings import load_embeddings
    from .index import build_index

    sheets = load_corpus(settings.corpus_dir)  # a corpus error shows before the model loads
    click.echo(f"Chargement du modèle d'embeddings ({settings.embedding_backend})…", err=True)
    embeddings, spec = load_embeddings(settings)
    bar = None

    def progress(done: int, total: int) -> None:
        nonlocal bar
        if bar is None and total:
            bar = tqdm(total=total, unit="passage", desc="Encodage", file=sys.stderr)
        if bar is not None:
            bar.n = done
            bar.refresh()

    def announce(plan) -> None:
        with tqdm.external_write_mode(file=sys.stderr):  # above the progress bar
            for line in _plan_lines(plan, settings.large_sheet_mb):
                click.secho(line, fg="yellow", err=True)

    try:
        result = build_index(settings, embeddings, spec, rebuild=rebuild, progress=progress, sheets=sheets,
                             on_plan=announce)
    finally:
        if bar is not None:
            bar.close()
    info = result.info
    if not result.changed:
        click.echo(f"Index à jour : {len(info.sheets)} fiches, {info.passages} passages ({settings.index_dir}).")
        return
    click.echo(
        f"Index construit en {info.build_seconds:.1f} s : {len(info.sheets)} fiches, {info.passages} passages "
        f"({result.embedded} encodés, {result.reused} repris) → {settings.index_dir}"
    )
    for label, ids in (("ajoutées", result.added_sheets), ("modifiées", result.updated_sheets),
                       ("retirées", result.removed_sheets)):
        if ids:
            click.echo(f"  Fiches {label} : {', '.join(ids)}")


LONG_BUILD_S = 60  # above this, the estimate is shown even without a large sheet


def _plan_lines(plan, limit_mb: float) -> list[str]:
    """The warning about large sheets and the time embedding will take, in French."""
    lines = []
    if plan.large_sheets:
        listed = ", ".join(f"{name} ({_megabytes(size)} Mo)" for name, size in plan.large_sheets)
        lines.append(
            f"Attention : fiche(s) volumineuse(s) au-delà de {_megabytes(limit_mb * 1_000_000)} Mo "
            f"(COORDO_LARGE_SHEET_MB) : {listed}."
        )
    if plan.large_sheets or plan.seconds_left >= LONG_BUILD_S:
        lines.append(
            f"Encodage de {plan.to_embed} passages : environ {_duration(plan.seconds_left)} "
            f"(≈ {_decimal(plan.passages_per_s)} passages/s mesurés sur le premier lot). "
            "Ctrl-C pour interrompre : l'index en service n'est pas touché."
        )
    return lines


def _megabytes(size: float) -> str:
    return _decimal(size / 1_000_000)


def _decimal(value: float) -> str:
    """French decimal comma, two significant digits below 1 (0,05), one decimal below 10 (2,5)."""
    digits = 0 if value >= 10 else 1 if value >= 1 else 2
    return f"{value:.{digits}f}".replace(".", ",")


def _duration(seconds: float) -> str:
    """« 2 h 31 min », « 12 min », « 40 s »."""
    seconds = round(seconds)
    if seconds < 60:
        return f"{seconds} s"
    minutes = round(seconds / 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min" if hours else f"{minutes} min"


def _print_status(settings: Settings) -> None:
    from .index import read_info, read_only_problem

    info = read_info(settings.index_dir)
    click.echo(f"Index : {settings.index_dir}")
    click.echo(f"  construit le {info.built_at} en {info.build_seconds:.1f} s (Coordo {info.coordo_version})")
    click.echo(f"  modèle d'embeddings : {info.embedding.label()}")
    click.echo(f"  vecteurs : {info.store_label()}, collection {info.collection}")
    click.echo(f"  {info.passages} passages, {len(info.sheets)} fiches :")
    for sheet_id, s in sorted(info.sheets.items()):
        click.echo(f"    - {sheet_id} : {s['passages']} passages — {s['title']}")
    problem = read_only_problem(settings.index_dir, info)
    if problem:
        click.secho(f"Attention : {problem}", fg="yellow", err=True)


def _engine_option(f):
    return click.option(
        "--engine", type=click.Choice(["extractive", "llm"]), help="Moteur de réponse (COORDO_ENGINE)."
    )(f)


@main.command()
@click.argument("question")
@_engine_option
@click.option("-k", "--top-k", type=click.IntRange(1, 50), help="Nombre de passages retrouvés.")
@click.option("--json", "as_json", is_flag=True, help="Sortie JSON (réponse, citations, passages, temps).")
@click.pass_context
def ask(ctx, question, engine, top_k, as_json):
    """Pose une question et affiche la réponse avec ses sources numérotées."""
    from .pipeline import Coordo, validate_question

    settings = _settings(ctx, engine=engine, top_k=top_k)
    _check_typed(question)
    validate_question(question, settings.max_question_chars)  # before loading anything
    answer = Coordo(settings).ask(question)
    if as_json:
        click.echo(json.dumps(answer.to_dict(), ensure_ascii=False, indent=2))
    else:
        _print_answer(answer)


def _check_typed(text: str) -> None:
    """Refuse text that held bytes other than UTF-8 (Python passes them on as lone surrogates)."""
    from .text import is_valid_unicode

    if not is_valid_unicode(text):
        raise InvalidQuestion(
            "La question contient des octets qui ne sont pas du texte UTF-8 (terminal ou fichier dans un autre "
            "encodage ?) : retapez-la, ou réglez le terminal en UTF-8."
        )


def _print_answer(answer) -> None:
    click.echo(answer.text)
    if answer.citations:
        click.echo("\nSources :")
        for c in answer.citations:
            section = " > ".join(c.section)
            click.echo(f"[{c.marker}] {c.title} — {c.publisher}, {c.date}" + (f" — {section}" if section else ""))
            quote = textwrap.shorten(" ".join(c.text.split()), width=400, placeholder=" …")
            click.echo(textwrap.indent(textwrap.fill(f"« {quote} »", width=100), "    "))
    for warning in answer.warnings:
        click.secho(f"Attention : {warning}", fg="yellow", err=True)


@main.command()
@_engine_option
@click.pass_context
def chat(ctx, engine):
    """Conversation dans le terminal ; les questions de suivi (« et pour une MSP ? ») utilisent le contexte.

    Commandes : /nouveau pour recommencer, /quitter (ou Ctrl-D) pour sortir.
    """
    from .pipeline import Coordo
    from .schema import Turn

    settings = _settings(ctx, engine=engine)
    coordo = Coordo(settings)
    _ = coordo.retriever  # load the index and models before the first question, with clear errors
    click.echo("Coordo — posez votre question sur l'exercice coordonné (/nouveau, /quitter).")
    if hasattr(sys.stdin, "reconfigure"):  # a line that is not UTF-8 is refused below, not a crash
        sys.stdin.reconfigure(errors="surrogateescape")
    history: list[Turn] = []
    while True:
        try:
            question = click.prompt("\nVous", prompt_suffix=" > ", default="", show_default=False)
        except (EOFError, click.Abort):
            click.echo()
            return
        command = question.strip().lower()
        if command in ("/quitter", "/quit", "/exit"):
            return
        if command in ("/nouveau", "/new"):
            history = []
            click.echo("Nouvelle conversation.")
            continue
        try:
            _check_typed(question)
            answer = coordo.ask(question, history)
        except CoordoError as exc:
            if exc.exit_code == 2:  # a bad question: say so and keep the conversation
                click.secho(str(exc), fg="yellow")
                continue
            raise
        click.echo("\nCoordo > ", nl=False)
        if answer.standalone_question != answer.question:
            click.secho(f"(compris : {answer.standalone_question})", fg="cyan")
        _print_answer(answer)
        history += [Turn("user", question), Turn("assistant", answer.text)]


@main.command()
@_engine_option
@click.option("--host", help="Adresse d'écoute (COORDO_HOST, défaut 127.0.0.1 : cette machine seulement).")
@click.option("--port", type=click.IntRange(1, 65535), help="Port (COORDO_PORT, défaut 7860).")
@click.option("--data-dir", type=click.Path(file_okay=False), help="Conversations, avis et revues (COORDO_DATA_DIR).")
@click.pass_context
def serve(ctx, engine, host, port, data_dir):
    """Chat web pour les médecins et bureau de revue pour l'équipe de support.

    \b
    Le chat est servi sur http://HOST:PORT/ ; le bureau de revue sur /revue/, protégé par les
    identifiants de COORDO_REVIEWERS (« nom:motdepasse » ou « nom:hash » fait par
    `coordo hash-password`, séparés par des virgules) ; sans eux,
    il n'est pas servi. Les échanges sont gardés COORDO_RETENTION_DAYS jours (90 par défaut)
    dans DATA_DIR/coordo.sqlite3, ou dans le PostgreSQL de COORDO_DATABASE_URL (partagé par
    plusieurs workers), puis effacés. Le schéma est mis à jour au démarrage.
    """
    from pathlib import Path

    from .web.server import REVIEW_PATH, check_port, create_app, run

    settings = _settings(ctx, engine=engine, host=host, port=port, data_dir=Path(data_dir) if data_dir else None)
    check_port(settings.host, settings.port)
    click.echo(f"Chargement de l'index et du moteur « {settings.engine} »…", err=True)
    app, review_enabled = create_app(settings)
    base = f"http://{settings.host}:{settings.port}"
    click.echo(f"Coordo est prêt : ouvrez {base}/ (Ctrl-C pour arrêter).")
    if review_enabled:
        click.echo(f"Bureau de revue : {base}{REVIEW_PATH}/ (identifiants de COORDO_REVIEWERS).")
    else:
        click.echo("Bureau de revue non servi : définissez COORDO_REVIEWERS=nom:motdepasse pour l'ouvrir.")
    click.echo(f"Échanges gardés {settings.retention_days} jours dans {app.state.store_location}.")
    run(app, settings)


@main.command(name="eval")
@click.option("--dataset", type=click.Path(dir_okay=False), default="evals/coordo-qa.jsonl", show_default=True,
              help="Jeu de questions (JSONL).")
@click.option("--out", type=click.Path(file_okay=False), help="Dossier des résultats (reprend un run interrompu).")
@_engine_option
@click.option("--k", "k", type=click.IntRange(1, 50), default=5, show_default=True, help="Passages retrouvés.")
@click.option("--limit", type=click.IntRange(1), help="Seulement les N premières questions.")
@click.option("--category", multiple=True, help="Seulement cette catégorie (répétable).")
@click.option("--id", "ids", multiple=True, help="Seulement cette question (répétable).")
@click.option("--no-baselines", is_flag=True, help="Ne pas calculer les baselines de recherche.")
@click.option("--gate", type=click.Path(dir_okay=False), help="Seuils (TOML) : code de sortie 1 si un seuil n'est pas atteint.")
@click.option("--check", "check_file", type=click.Path(dir_okay=False), help="Valider un jeu de questions, sans rien lancer.")
@click.option("--compare", nargs=2, type=click.Path(file_okay=False), help="Comparer deux dossiers de résultats.")
@click.option("--calibrate", is_flag=True, help="Régler les seuils de refus sur le jeu (écrit evals/calibration.md).")
@click.pass_context
def eval_command(ctx, dataset, out, engine, k, limit, category, ids, no_baselines, gate, check_file, compare, calibrate):
    """Évalue Coordo sur un jeu de questions et écrit results.jsonl, metrics.json et report.md.

    \b
    Exemples :
      coordo eval --check evals/coordo-qa.jsonl
      coordo eval --out evals/reports/extractive
      coordo eval --engine llm --out evals/reports/llm
      coordo eval --out /tmp/run --category funding --limit 10
      coordo eval --compare evals/reports/extractive /tmp/run
    """
    from pathlib import Path

    from .evals import commands

    settings = _settings(ctx, engine=engine, top_k=k)
    if check_file:
        commands.check(settings, Path(check_file))
    elif compare:
        click.echo(commands.compare(Path(compare[0]), Path(compare[1])))
    elif calibrate:
        commands.calibrate(settings, Path(dataset))
    else:
        if not out:
            raise click.UsageError("--out DOSSIER est requis pour lancer une évaluation.")
        code = commands.evaluate(settings, Path(dataset), Path(out), limit=limit, categories=category, ids=ids,
                                 baselines=not no_baselines, gate=Path(gate) if gate else None)
        sys.exit(code)


@main.command()
@click.option("--out", type=click.Path(dir_okay=False), default="benchmarks/latest.json", show_default=True,
              help="Fichier JSON des résultats.")
@click.option("--sizes", default="10000,100000", show_default=True,
              help="Tailles des corpus synthétiques (passages), séparées par des virgules ; vide = aucun.")
@click.option("--llm-questions", type=click.IntRange(0), default=5, show_default=True,
              help="Questions posées au LLM local (0 = pas de banc LLM).")
@click.option("--no-cold", is_flag=True, help="Ne pas mesurer les démarrages à froid.")
@click.option("--load", "load_levels", default="1,2,4,8,16,20", show_default=True,
              help="Médecins simulés en même temps (moteur extractif), par paliers ; vide = pas de test de charge.")
@click.option("--llm-load", type=click.IntRange(0), default=4, show_default=True,
              help="Médecins simulés en même temps avec le moteur LLM (0 = aucun).")
@click.option("--workers-load", type=click.IntRange(0), default=20, show_default=True,
              help="Médecins simulés sur 1 puis 2 workers partageant un PostgreSQL jetable (0 = aucun).")
@click.pass_context
def bench(ctx, out, sizes, llm_questions, no_cold, load_levels, llm_load, workers_load):
    """Mesure les temps et la mémoire sur cette machine et les compare aux objectifs.

    \b
    Dans une copie temporaire de l'index (l'index en service n'est pas touché) :
      - construction de l'index du corpus (encodage compris) : durée, passages/s, mémoire max ;
      - recherche BM25, dense et hybride, réponses extractives : p50/p95 sur les 159 questions ;
      - LLM local : temps jusqu'au premier token, réponse complète, tokens/s, et par réponse les jetons
        de l'invite (lus, repris du cache), le temps de lecture et d'écriture ; la première question est
        celle du test navigateur, dont les temps (artifacts/web-timings.json, s'il a tourné ici) sont
        mis à côté ;
      - démarrage à froid de `coordo ask` et de `coordo serve` ;
      - charge : 1 à 20 médecins simulés en même temps par l'API du chat web (extractif),
        puis 4 avec le LLM ; erreurs, avis perdus, p50/p95, palier où la latence double ;
      - 20 médecins sur 1 puis 2 workers `coordo serve` partageant un PostgreSQL jetable (initdb) ;
      - corpus synthétiques (10 000 et 100 000 passages) : construction, recherche, mémoire.
    Compter une quinzaine de minutes sur deux cœurs. Exemple rapide :
      coordo bench --sizes 2000 --llm-questions 0 --no-cold --load 2 --llm-load 0 --workers-load 0 --out /tmp/b.json
    """
    from pathlib import Path

    from .bench.run import BenchOptions, render_table, run_bench

    def numbers(text: str, hint: str) -> tuple[int, ...]:
        try:
            return tuple(int(x) for x in text.split(",") if x.strip())
        except ValueError:
            raise click.BadParameter("des nombres séparés par des virgules, p. ex. 10000,100000", param_hint=hint)

    options = BenchOptions(sizes=numbers(sizes, "--sizes"), llm_questions=llm_questions, llm=llm_questions > 0,
                           cold=not no_cold, load_levels=numbers(load_levels, "--load"), llm_load_users=llm_load,
                           workers_load_users=workers_load)
    results = run_bench(_settings(ctx), Path(out), options, say=lambda m: click.echo(m, err=True))
    click.echo(render_table(results))
    click.echo(f"\nRésultats complets : {out}")


@main.command()
@click.pass_context
def config(ctx):
    """Affiche la configuration en vigueur (variables COORDO_<NOM>)."""
    for key, value in _settings(ctx).describe().items():
        click.echo(f"COORDO_{key.upper()}={value}")


@main.command(name="hash-password")
@click.password_option("--password", prompt="Mot de passe", confirmation_prompt="Confirmez",
                       help="Le mot de passe (demandé sans écho s'il n'est pas donné).")
@click.pass_context
def hash_password(ctx, password):
    """Hash d'un mot de passe du bureau de revue, à mettre dans COORDO_REVIEWERS (nom:hash)."""
    from .web.auth import hash_password as make_hash

    minimum = _settings(ctx).reviewer_min_password_chars
    if len(password) < minimum:
        raise click.UsageError(f"Mot de passe trop court ({len(password)} caractères, minimum {minimum}).")
    try:
        click.echo(make_hash(password))
    except UnicodeEncodeError:
        raise click.UsageError("Le mot de passe contient des caractères invalides (UTF-8).") from None


if __name__ == "__main__":
    main()
