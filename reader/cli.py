"""The `reader` command: the TUI by default, and subcommands over the same core.

A user mistake (bad argument, missing file, unknown id, damaged library) gives one sentence
on stderr and a non-zero exit status, never a traceback.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import sys
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import NoReturn

from reader import __version__
from reader.library.errors import LibraryError
from reader.library.store import Library
from reader.paths import resolve_data_dir

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_USAGE = 2


class UserError(Exception):
    """A problem the user can fix; printed as one sentence."""


class ReaderArgumentParser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        message = message[0].upper() + message[1:] if message else "Bad arguments"
        self.exit(EXIT_USAGE, f"reader: {message.rstrip('.')}. Try `{self.prog} --help`.\n")


def _add_json(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="print one JSON document")


def build_parser() -> ReaderArgumentParser:
    parser = ReaderArgumentParser(
        prog="reader",
        description=(
            "A terminal news reader that keeps quotations. With no command it opens the "
            "three-pane reader (articles, article, quotes)."
        ),
        epilog=(
            "Examples:\n"
            "  reader --demo                      try it on the bundled demo articles\n"
            "  reader import story.txt notes.md   add local articles\n"
            "  reader add https://example.org/    subscribe (a page: its feed is found)\n"
            "  reader refresh                     fetch every feed now\n"
            "  reader quotes --article ID         quotes in an article, numbered\n"
            "  reader export quotes --format readwise -o quotes.csv\n"
            "\nThe library lives in the platform data folder, READER_DATA_DIR or --data-dir."
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"reader {__version__}")
    parser.add_argument("--data-dir", metavar="DIR", help="library folder to use")
    parser.add_argument(
        "--demo", action="store_true",
        help="open the TUI on a copy of the bundled demo library (kept apart from yours, "
             "in the cache folder)",
    )
    parser.add_argument("--reset-demo", action="store_true",
                        help="with --demo: start the demo copy over")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND",
                                     parser_class=ReaderArgumentParser)

    p = commands.add_parser("articles", help="list articles, newest first")
    p.add_argument("--unread", action="store_true", help="only unread articles")
    p.add_argument("--bookmarked", action="store_true", help="only bookmarked articles")
    p.add_argument("--feed", metavar="FEED", help="only this feed (id or URL)")
    p.add_argument("--search", metavar="TEXT",
                   help="title, author, feed or article text contains TEXT (any case)")
    p.add_argument("--limit", metavar="N", type=_positive_int, help="at most N articles")
    p.add_argument("--count", action="store_true",
                   help="print only how many (for a status bar: reader articles --unread "
                        "--count)")
    _add_json(p)

    p = commands.add_parser("show", help="print one article")
    p.add_argument("article", metavar="ARTICLE", help="article id (or a unique prefix)")
    _add_json(p)

    p = commands.add_parser(
        "fulltext", help="fetch an article's whole text from its web page and keep it"
    )
    p.add_argument("article", metavar="ARTICLE", help="article id (or a unique prefix)")

    p = commands.add_parser("bookmark", help="bookmark an article (or remove it with --off)")
    p.add_argument("article", metavar="ARTICLE")
    p.add_argument("--off", action="store_true", help="remove the bookmark")

    p = commands.add_parser(
        "import", help="import files: .opml subscriptions; .txt .md .html articles"
    )
    p.add_argument("paths", metavar="PATH", nargs="+")

    p = commands.add_parser("quotes", help="list quotes; `quotes save`, `quotes delete`")
    p.add_argument("--article", metavar="ARTICLE", help="extracted and saved quotes of one article")
    p.add_argument("--saved", action="store_true", help="only saved quotes")
    _add_json(p)
    quote_commands = p.add_subparsers(dest="quote_command", metavar="ACTION",
                                      parser_class=ReaderArgumentParser)
    s = quote_commands.add_parser("save", help="save the Nth extracted quote of an article")
    s.add_argument("article", metavar="ARTICLE")
    s.add_argument("n", metavar="N", type=_positive_int)
    s.add_argument("--note", default=None, help="a note kept with the quote")
    s.add_argument("--tag", action="append", default=None, metavar="TAG",
                   help="a tag (repeat for more); saving again keeps the note and tags "
                        "unless new ones are given")
    s = quote_commands.add_parser("delete", help="delete a saved quote")
    s.add_argument("quote", metavar="QUOTE")

    p = commands.add_parser("add", help="subscribe to a feed (a web page: its feed is found)")
    p.add_argument("url", metavar="URL")
    p.add_argument("--tag", action="append", default=[], metavar="TAG")

    p = commands.add_parser("remove", help="unsubscribe (bookmarked and quoted articles stay)")
    p.add_argument("feed", metavar="FEED")

    p = commands.add_parser("edit", help="rename a feed or change its tags")
    p.add_argument("feed", metavar="FEED")
    p.add_argument("--title", metavar="TITLE",
                   help="the name to show (\"\": the feed's own, at the next refresh)")
    p.add_argument("--tag", action="append", default=None, metavar="TAG",
                   help="replace the tags with these (repeat for more)")
    p.add_argument("--no-tags", action="store_true", help="remove every tag")

    p = commands.add_parser("feeds", help="list subscriptions with unread counts and errors")
    _add_json(p)

    p = commands.add_parser("refresh", help="fetch feeds now (all, or the ones named)")
    p.add_argument("feeds", metavar="FEED", nargs="*")
    p.add_argument("--due", action="store_true",
                   help="only feeds whose server or ttl no longer asks to wait (for cron)")
    _add_json(p)

    p = commands.add_parser("export", help="export quotes, bookmarks or subscriptions")
    p.add_argument("what", choices=("quotes", "opml", "bookmarks"), metavar="quotes|opml|bookmarks")
    p.add_argument("--format", metavar="F", help="quotes: markdown, readwise, json, csl, bibtex, "
                   "ris, apa, mla, chicago; bookmarks: markdown, json, html")
    p.add_argument("-o", "--output", metavar="FILE", help="write to FILE instead of stdout")
    p.add_argument("--force", action="store_true", help="overwrite an existing FILE")
    p.add_argument("--article", metavar="ARTICLE", help="quotes of one article")
    p.add_argument("--tag", metavar="TAG", help="quotes with this tag")
    p.add_argument("--speaker", metavar="S", help="quotes whose speaker contains S")
    p.add_argument("--since", metavar="DATE", type=_date_arg,
                   help="quotes saved on or after DATE (YYYY-MM-DD)")

    commands.add_parser(
        "restore-backup", help="replace damaged library files by their backups"
    )
    return parser


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text!r} must be 1 or more")
    return value


def _date_arg(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date like 2025-11-01") from None


# Output helpers -----------------------------------------------------------------------------
def _print_json(data: object) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")


def _short_date(iso: str | None) -> str:
    return iso[:10] if iso else "          "


def _open_library(args: argparse.Namespace, *, readonly: bool) -> Library:
    return Library.open(resolve_data_dir(args.data_dir), readonly=readonly)


def _find_article(library: Library, ref: str):
    article = library.article(ref)
    if article is None:
        raise UserError(f"No article {ref!r}; `reader articles` lists the ids.")
    return article


# Commands -----------------------------------------------------------------------------------
def cmd_articles(args: argparse.Namespace) -> int:
    with _open_library(args, readonly=True) as library:
        feed_id = None
        if args.feed:
            feed = library.feed(args.feed)
            if feed is None:
                raise UserError(f"No feed {args.feed!r}; `reader feeds` lists them.")
            feed_id = feed.id
        in_text: set[str] = set()
        if args.search:
            scope = library.articles(feed_id=feed_id, unread=args.unread,
                                     bookmarked=args.bookmarked)
            in_text = library.text_matches(args.search, [a.id for a in scope])
        found = library.articles(
            feed_id=feed_id, unread=args.unread, bookmarked=args.bookmarked,
            search=args.search, also=in_text, limit=args.limit,
        )
        if feed_id is not None and args.bookmarked:
            found = [a for a in found if a.feed_id == feed_id]
        if args.count:
            print(len(found) if not args.json else json.dumps({"count": len(found)}))
            return EXIT_OK
        if args.json:
            _print_json([a.public_dict() for a in found])
            return EXIT_OK
        for article in found:
            flags = ("●" if not article.read else " ") + ("★" if article.bookmarked else " ")
            feed = library.feed(article.feed_id) if article.feed_id else None
            source = (feed.title or feed.url) if feed else (article.author or "local")
            print(f"{article.id}  {flags} {_short_date(article.published or article.added_at)}"
                  f"  {source[:24]:<24}  {article.title}")
        if not found:
            print("No articles.", file=sys.stderr)
    return EXIT_OK


def cmd_show(args: argparse.Namespace) -> int:
    with _open_library(args, readonly=True) as library:
        article = _find_article(library, args.article)
        text = library.body(article.id)
        if args.json:
            data = article.public_dict()
            data["text"] = text
            data["enclosures"] = article.enclosures
            _print_json(data)
            return EXIT_OK
        print(article.title)
        meta = [part for part in (article.author, _short_date(article.published).strip(),
                                  article.link) if part]
        if meta:
            print(" · ".join(meta))
        print()
        print(text)
    return EXIT_OK


def cmd_fulltext(args: argparse.Namespace) -> int:
    import asyncio

    from reader.feeds.fulltext import FullTextError, store_full_text

    with _open_library(args, readonly=False) as library:
        article = _find_article(library, args.article)
        try:
            stored = asyncio.run(store_full_text(library, article.id))
        except FullTextError as error:
            raise UserError(str(error)) from None
        print(f"Full text stored: {stored.chars} characters (was {stored.was}).")
    return EXIT_OK


def cmd_bookmark(args: argparse.Namespace) -> int:
    with _open_library(args, readonly=False) as library:
        article = _find_article(library, args.article)
        library.set_bookmarked([article.id], not args.off)
        state = "removed from" if args.off else "added to"
        print(f"{article.id} {state} bookmarks.", file=sys.stderr)
    return EXIT_OK


def cmd_import(args: argparse.Namespace) -> int:
    from reader.text.importer import ImportProblem, read_article

    failures = 0
    with _open_library(args, readonly=False) as library:
        for raw_path in args.paths:
            path = Path(raw_path)
            if path.suffix.lower() == ".opml":
                failures += 0 if _import_opml(library, path) else 1
                continue
            try:
                item = read_article(path)
            except ImportProblem as problem:
                print(f"reader: {problem}", file=sys.stderr)
                failures += 1
                continue
            try:
                [(article, created)] = library.add_local_articles([item])
            except OSError as error:
                print(f"reader: {path} could not be stored ({error.strerror}).", file=sys.stderr)
                failures += 1
                continue
            verb = "imported" if created else "already in the library"
            print(f"{article.id}  {verb}: {article.title}")
    return EXIT_ERROR if failures else EXIT_OK


def _import_opml(library: Library, path: Path) -> bool:
    from reader.feeds.service import import_opml_file

    try:
        added, skipped, warnings = import_opml_file(library, path)
    except (UserError, LibraryError, ValueError) as error:
        print(f"reader: {error}", file=sys.stderr)
        return False
    for warning in warnings:
        print(f"reader: {warning}", file=sys.stderr)
    print(f"{path}: {added} feeds added, {skipped} already subscribed.")
    return True


def cmd_quotes(args: argparse.Namespace) -> int:
    if args.quote_command == "save":
        return _quotes_save(args)
    if args.quote_command == "delete":
        return _quotes_delete(args)
    from reader.quotes.views import article_quote_views, saved_view

    with _open_library(args, readonly=True) as library:
        if args.article:
            article = _find_article(library, args.article)
            views = article_quote_views(
                article.id, library.body(article.id), library.saved_quotes(article.id)
            )
            if args.saved:
                views = [v for v in views if v.saved]
        else:
            views = [saved_view(q) for q in library.saved_quotes()]
        if args.json:
            _print_json([v.public_dict() for v in views])
            return EXIT_OK
        for view in views:
            number = f"{view.n:>3}" if view.n is not None else "  -"
            mark = "saved" if view.saved else "     "
            speaker = view.speaker or "(speaker unknown)"
            ident = view.id or "".ljust(12)
            print(f"{number} {mark} {ident} {view.kind:<7} {speaker}: “{view.text}”")
            if view.note:
                print(f"              note: {view.note}")
        if not views:
            print("No quotes.", file=sys.stderr)
    return EXIT_OK


def _quotes_save(args: argparse.Namespace) -> int:
    from reader.quotes.views import article_quote_views

    with _open_library(args, readonly=False) as library:
        article = _find_article(library, args.article)
        views = [
            v for v in article_quote_views(
                article.id, library.body(article.id), library.saved_quotes(article.id)
            ) if v.n is not None
        ]
        if args.n > len(views):
            raise UserError(
                f"Article {article.id} has {len(views)} extracted quotes; N must be 1 to "
                f"{len(views)}." if views else f"Article {article.id} has no extracted quotes."
            )
        view = views[args.n - 1]
        quote = library.save_quote(
            article.id, view.start, view.end, speaker=view.speaker, kind=view.kind,
            note=args.note, tags=args.tag, origin="auto", speaker_mention=view.speaker_mention,
            cue=view.cue, text=view.text,
        )
        print(quote.id)
    return EXIT_OK


def _quotes_delete(args: argparse.Namespace) -> int:
    with _open_library(args, readonly=False) as library:
        quote = library.quote(args.quote)
        if quote is None:
            raise UserError(f"No saved quote {args.quote!r}; `reader quotes --saved` lists them.")
        library.delete_quote(quote.id)
        print(f"Deleted quote {quote.id}.", file=sys.stderr)
    return EXIT_OK


def cmd_add(args: argparse.Namespace) -> int:
    from reader.feeds.service import add_subscription

    with _open_library(args, readonly=False) as library:
        feed, others = add_subscription(library, args.url, tags=args.tag)
        print(f"{feed.id}  subscribed: {feed.title or feed.url}")
        for url, title in others:
            print(f"          also offered by the page: {title or url} <{url}>", file=sys.stderr)
    return EXIT_OK


def cmd_remove(args: argparse.Namespace) -> int:
    with _open_library(args, readonly=False) as library:
        feed = library.feed(args.feed)
        if feed is None:
            raise UserError(f"No feed {args.feed!r}; `reader feeds` lists them.")
        removed, kept = library.remove_feed(feed.id)
        print(f"Removed {feed.title or feed.url}: {removed} articles deleted, "
              f"{kept} bookmarked or quoted articles kept.", file=sys.stderr)
    return EXIT_OK


def cmd_edit(args: argparse.Namespace) -> int:
    if args.tag is not None and args.no_tags:
        raise UserError("Give --tag or --no-tags, not both.")
    if args.title is None and args.tag is None and not args.no_tags:
        raise UserError("Nothing to change: give --title, --tag or --no-tags.")
    tags = [] if args.no_tags else args.tag
    with _open_library(args, readonly=False) as library:
        feed = library.feed(args.feed)
        if feed is None:
            raise UserError(f"No feed {args.feed!r}; `reader feeds` lists them.")
        changed = library.edit_feed(feed.id, title=args.title, tags=tags)
        tag_text = f" [{', '.join(changed.tags)}]" if changed.tags else ""
        print(f"{changed.id}  {changed.title or changed.url}{tag_text}")
    return EXIT_OK


def cmd_feeds(args: argparse.Namespace) -> int:
    with _open_library(args, readonly=True) as library:
        rows = []
        for feed in library.feeds():
            unread, total = library.counts(feed.id)
            rows.append({
                "id": feed.id, "url": feed.url, "title": feed.title, "tags": feed.tags,
                "unread": unread, "total": total, "last_fetched": feed.last_fetched,
                "error": feed.last_error or None,
            })
        if args.json:
            _print_json(rows)
            return EXIT_OK
        for row in rows:
            tags = f" [{', '.join(row['tags'])}]" if row["tags"] else ""
            error = f"  ! {row['error']}" if row["error"] else ""
            print(f"{row['id']}  {row['unread']:>5}/{row['total']:<5} "
                  f"{row['title'] or row['url']}{tags}{error}")
        if not rows:
            print("No feeds; `reader add URL` subscribes to one.", file=sys.stderr)
    return EXIT_OK


def cmd_refresh(args: argparse.Namespace) -> int:
    import asyncio

    from reader.feeds.service import due_feeds, refresh_feeds

    config = _config()
    with _open_library(args, readonly=False) as library:
        feeds = []
        for ref in args.feeds:
            feed = library.feed(ref)
            if feed is None:
                raise UserError(f"No feed {ref!r}; `reader feeds` lists them.")
            feeds.append(feed)
        if not library.feeds():
            raise UserError("No feeds to refresh; `reader add URL` subscribes to one.")
        library.keep_per_feed = config.keep_per_feed
        targets = feeds or library.feeds()
        if args.due:
            due = due_feeds(targets)
            if len(due) < len(targets):
                print(f"{len(targets) - len(due)} feeds are not due yet (their server or "
                      "ttl asks to wait, or they are gone).", file=sys.stderr)
            if not due:
                if args.json:
                    _print_json([])
                return EXIT_OK
            targets = due
        report = asyncio.run(refresh_feeds(library, targets, concurrency=config.concurrency,
                                           ignore=config.ignore))
        if args.json:
            _print_json([r.public_dict() for r in report.results])
        else:
            for result in report.results:
                print(result.line())
            print(report.summary(), file=sys.stderr)
    return EXIT_OK


def cmd_export(args: argparse.Namespace) -> int:
    from reader.export.files import ExportError, write_export
    from reader.export.service import export_text

    with _open_library(args, readonly=True) as library:
        try:
            text = export_text(
                library, args.what, args.format, article=args.article, tag=args.tag,
                speaker=args.speaker, since=args.since,
            )
        except ValueError as error:
            raise UserError(str(error)) from None
    if args.output:
        try:
            path = write_export(text, args.output, force=args.force)
        except ExportError as error:
            raise UserError(str(error)) from None
        print(f"Wrote {path}.", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return EXIT_OK


def cmd_restore_backup(args: argparse.Namespace) -> int:
    from reader.library.store import restore_backup

    data_dir = resolve_data_dir(args.data_dir)
    restored = restore_backup(data_dir)
    if restored:
        print(f"Restored {', '.join(restored)} from backup; the damaged copies were kept "
              "beside them.", file=sys.stderr)
    else:
        print("Nothing to restore: every library file reads fine.", file=sys.stderr)
    return EXIT_OK


def run_tui(args: argparse.Namespace) -> int:
    from reader.library.errors import LibraryDamaged
    from reader.ui.app import ReaderApp

    if args.demo:
        from reader.demo_library import open_demo_library
        from reader.paths import demo_data_dir

        config = _config()
        library = open_demo_library(demo_data_dir(), reset=args.reset_demo)
        return _run_app(ReaderApp(library, demo=True, config=config))
    data_dir = resolve_data_dir(args.data_dir)
    config = _config()
    try:
        library = Library.open(data_dir)
    except LibraryDamaged as error:
        if error.backup is not None and sys.stdin.isatty() and sys.stdout.isatty():
            print(f"reader: {error}", file=sys.stderr)
            try:
                answer = input("Restore the backup now? [y/N] ").strip().lower()
            except (EOFError, KeyboardInterrupt):
                answer = ""
            if answer in ("y", "yes"):
                from reader.library.store import restore_backup

                restore_backup(data_dir)
                library = Library.open(data_dir)
            else:
                return EXIT_ERROR
        else:
            raise
    return _run_app(ReaderApp(library, config=config))


def _config():
    from reader.config import ConfigError, load_config

    try:
        return load_config()
    except ConfigError as error:
        raise UserError(str(error)) from None


def _run_app(app) -> int:
    try:
        app.run()
    finally:
        app.library.close()
    return app.return_code or EXIT_OK


COMMANDS = {
    "articles": cmd_articles, "show": cmd_show, "fulltext": cmd_fulltext,
    "bookmark": cmd_bookmark,
    "import": cmd_import, "quotes": cmd_quotes, "add": cmd_add, "remove": cmd_remove,
    "edit": cmd_edit,
    "feeds": cmd_feeds, "refresh": cmd_refresh, "export": cmd_export,
    "restore-backup": cmd_restore_backup,
}


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.demo and args.command:
        parser.error("--demo opens the TUI and takes no command")
    if args.reset_demo and not args.demo:
        parser.error("--reset-demo goes with --demo")
    handler = COMMANDS.get(args.command, run_tui) if args.command else run_tui
    try:
        return handler(args)
    except (UserError, LibraryError) as error:
        print(f"reader: {error}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        print("reader: interrupted.", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader of our output went away (`reader articles | head`): not an error.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_OK
    except OSError as error:
        print(f"reader: {error.strerror or error} ({error.filename or 'file'}).",
              file=sys.stderr)
        return EXIT_ERROR


def entry_point() -> None:
    code = main()
    # The process ends now: a last full collection over whatever is still allocated (a
    # refresh leaves tens of thousands of objects) would only delay the exit (~30 ms).
    gc.freeze()
    sys.exit(code)


