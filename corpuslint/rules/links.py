"""LK rules: the cited source links. Reported by the links phase (`corpuslint/links/`), documented here."""

from corpuslint.diagnostics import Severity
from corpuslint.registry import rule


@rule("LK000", "network-unavailable", severity=Severity.WARNING, phase="links")
def network_unavailable() -> None:
    """No host could be reached: links were not checked.

    ## What it does
    Reports, once per run and at the first unchecked link, that the network is unavailable:
    every request failed before reaching any server (no route to the network, a proxy that does
    not answer, DNS not answering, no address for any host). The message names the likely cause.
    The links are neither passed nor failed. A warning in a full check; an error with
    `--links-only` or `links.require = true`, so a job that exists to check links cannot pass
    with nothing checked.

    ## Why is this bad?
    A run without a network cannot tell a dead link from a live one. One diagnostic says so
    plainly instead of hundreds of LK001 errors for links that are probably fine. Run again with
    a network (or the proxy the machine needs: `HTTPS_PROXY`, `links.proxy`), or with
    `--no-links` where none is expected (a pre-commit hook, an offline CI job).

    ## Example
    ```
    corpuslint check content/
    content/a.md:48:28: LK000 network unavailable: 312 links not checked (cannot connect to the proxy
    proxy.corp:3128: ...); likely cause: the proxy does not answer: check HTTPS_PROXY / HTTP_PROXY or links.proxy
    ```
    """


@rule("LK001", "broken-link", phase="links")
def broken_link() -> None:
    """Link is broken: the server answered with an error, or could not be reached.

    ## What it does
    Reports a cited URL whose final answer, after redirects and retries, is a status outside
    the accepted ones (by default 200..299), or that fails outright: the name does not resolve,
    the connection is refused or reset, the TLS certificate is not trusted, the redirects loop
    or go on past `max_redirects`. With `links.fragments = true`, also a `#fragment` the page has
    no anchor for. The reason is in the message; with `--suggest`, an archived copy of a dead
    page is added to it and offered as an unsafe fix.

    ## Why is this bad?
    A citation is only as good as its source. A reader who follows `[^3]` to a 404 cannot check
    the claim it supports, and a corpus whose sources rot loses its credibility quietly.

    ## Example
    ```markdown
    [^3]: 某某（2025/6/17）。[标题](https://www.example.com/p/3340525519730946)。检索日期2025/6/17。
    ```
    ```
    news.md:52:29: LK001 HTTP 404 Not Found
    ```
    Replace the URL with the article's new address or an archived copy.
    """


@rule("LK002", "link-timeout", phase="links")
def link_timeout() -> None:
    """Link timed out.

    ## What it does
    Reports a URL whose server did not connect, answer or finish answering within the limits:
    `connect_timeout`, `read_timeout` (silence between two reads) and `timeout` (the whole check
    of one URL: the DNS lookup, all its requests, redirects, retries and the back-off sleeps
    between them, time waiting for a free slot excepted; a server that drips one byte a second
    cannot hold the run). A `Retry-After` longer than what is left of `timeout` ends the check at
    once, with the server's wait in the message.

    ## Why is this bad?
    A source that does not answer is, for the reader, a source that is gone. A timeout may be
    passing, which is why it has its own code: ignore it where a slow site is expected.

    ## Example
    ```
    news.md:52:29: LK002 timed out waiting for the server
    news.md:60:29: LK002 HTTP 503: the server asks to retry after 120 s (Retry-After), more than
    the 19.9 s left of the 20 s limit
    ```
    """


@rule("LK003", "permanent-redirect", severity=Severity.WARNING, fixable=True, phase="links")
def permanent_redirect() -> None:
    """Link permanently redirects: cite the new URL.

    ## What it does
    Reports a URL that answers with a permanent redirect (301 or 308, possibly a chain of them)
    and gives the address it moved to. Temporary redirects (302, 303, 307) are not reported.

    ## Why is this bad?
    The site has said where the page lives now. Redirects get dropped when sites are
    reorganised again; the new URL is the one that will keep working.

    ## Example
    ```
    news.md:52:29: LK003 permanent redirect to https://www.example.com/news/2025/06/17/article
    ```
    The fix replaces the URL with the new one.
    """


@rule("LK004", "malformed-url", phase="links")
def malformed_url() -> None:
    """Link is not a valid absolute URL.

    ## What it does
    Reports a cited link that cannot be requested: no scheme (`www.example.com/p/1` written as a
    Markdown link target is a relative path), a scheme other than http and https where a web
    page is expected, no host, an invalid port, spaces.

    ## Why is this bad?
    A malformed URL is broken for every reader, whatever the site does.

    ## Example
    ```markdown
    [^2]: 某某。[标题](htps//www.example.com/p/1)。
    ```
    ```
    news.md:40:12: LK004 not an absolute URL: 'htps//www.example.com/p/1'
    ```
    """


@rule("LK005", "soft-404", severity=Severity.WARNING, phase="links")
def soft_404() -> None:
    """Link is likely a soft 404: the page is gone but the server says OK.

    ## What it does
    Reports a deep URL (an article, not a home page) that redirects to the site's home page,
    and a page answered with 200 whose title says it was not found (`404`, `Not Found`,
    `页面不存在`, `页面未找到`, ...). Titles are read from GET answers: set
    `links.method = "get"` to read every page's title.

    ## Why is this bad?
    Many sites answer a removed article with their home page or an error page served as 200.
    A status check passes, yet the cited source is gone.

    ## Example
    ```
    news.md:52:29: LK005 likely soft 404: redirects to the home page https://www.example.com/
    ```
    """
