"""``distcheck serve``."""

from __future__ import annotations

from pathlib import Path

import click

from checker._cli_common import fail, invariant_option, param_option


@click.command("serve")
@click.argument("target")
@param_option()
@invariant_option("Show only this invariant (repeatable). Default: every invariant the spec declares.")
@click.option("--port", type=click.IntRange(min=0, max=65535), default=0, show_default=True,
              help="The port on 127.0.0.1 to listen on (0: a free one).")
@click.option("--load", "load", type=click.Path(dir_okay=False, exists=True), default=None, metavar="FILE",
              help="Open on this counterexample: an `explore --json` or `prove --json` result.")
@click.option("--open/--no-open", "open_browser", default=False, show_default=True,
              help="Open the page in the default browser.")
def serve_command(target: str, params: tuple[str, ...], invariants: tuple[str, ...], port: int,
                  load: str | None, open_browser: bool) -> None:
    """Explore TARGET by hand in the browser: step through its states, see which invariants
    hold, follow a counterexample, run random walks, look at the prover's counterexamples to
    induction.

    Listens on 127.0.0.1 only and prints the address; Ctrl-C stops it (exit 0).  A spec or
    --load file that cannot be read is exit 2.
    """
    from checker._target import load_target, parse_params
    from checker.errors import SpecError
    from checker.serve import Session, make_server

    try:
        session = Session(load_target(target, parse_params(list(params))), invariants or None)
        start = ""
        if load is not None:
            try:
                text = Path(load).read_text(encoding="utf-8-sig")
            except (OSError, UnicodeDecodeError) as e:
                raise SpecError(f"{load}: cannot read: {e}") from None
            session.load(text, load)  # refused here, with its file:line, rather than in the page
            session.preload, start = (load, text), "#load"
    except SpecError as e:
        fail(str(e))
    except KeyboardInterrupt:
        fail("interrupted while loading the spec")
    try:
        server = make_server(session, port)
    except OSError as e:
        fail(f"cannot listen on 127.0.0.1:{port}: {e.strerror or e}")
    url = f"http://127.0.0.1:{server.server_address[1]}/{start}"
    click.echo(f"distcheck serve: {session.spec.describe()} at {url}  (Ctrl-C stops)", err=False)
    if open_browser:
        import webbrowser

        webbrowser.open(url)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        click.echo("distcheck serve: stopped")
    finally:
        server.server_close()
