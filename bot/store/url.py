"""QABOT_DATABASE_URL: parsed once, and only ever shown with its password hidden.

Every message about the URL goes through ``shown`` (a URL that parsed) or ``masked`` (one that
did not), so a typo in a URL never prints the password that sits in it.
"""

from __future__ import annotations

from sqlalchemy.engine import URL, make_url

HIDDEN = "***"
_PLACEHOLDER = "qabot-hidden-value"  # URL-safe, so it survives rendering unquoted


class DatabaseUrlError(ValueError):
    """The URL cannot be used; the message names the variable and never holds the password."""


def parse(raw: str) -> URL:
    """The parsed URL, or DatabaseUrlError for one SQLAlchemy would misread or cannot read."""
    scheme, separator, rest = raw.partition("://")
    if separator and not scheme.startswith("sqlite") and rest.split("?")[0].count("@") > 1:
        # SQLAlchemy would take the text after the first "@" for the host, and a driver's
        # "cannot resolve host" would then print the end of the password.
        raise DatabaseUrlError(
            f"QABOT_DATABASE_URL has more than one '@' ({masked(raw)}); write an '@' inside "
            "the user name or password as %40"
        )
    try:
        return make_url(raw)
    except Exception:  # make_url raises ArgumentError, ValueError (a bad port) and others
        raise DatabaseUrlError(
            f"QABOT_DATABASE_URL is not a database URL ({masked(raw)}); expected e.g. "
            "postgresql+psycopg://USER:PASSWORD@HOST:5432/DB or sqlite:///PATH"
        ) from None


def shown(url: URL) -> str:
    """The URL for messages and logs: the password, also one given as a query option, hidden."""
    options = {key: _PLACEHOLDER for key in _password_options(url)}
    if not options:
        return url.render_as_string(hide_password=True)
    rendered = url.update_query_dict(options).render_as_string(hide_password=True)
    return rendered.replace(_PLACEHOLDER, HIDDEN)


def masked(raw: str) -> str:
    """A URL that did not parse, with everything that could be a password replaced."""
    scheme, separator, rest = raw.partition("://")
    if not separator:
        return HIDDEN
    if "@" in rest:
        return f"{scheme}://{HIDDEN}@{rest.rpartition('@')[2]}"
    _, slash, path = rest.partition("/")
    return f"{scheme}://{HIDDEN}{slash}{path}"


def secrets(raw: str) -> list[str]:
    """The password in the URL, as text for the log filter to remove wherever it turns up."""
    found = []
    _, separator, rest = raw.partition("://")
    if separator and "@" in rest:
        userinfo = rest.rpartition("@")[0]
        found.append(userinfo.partition(":")[2])
    try:
        url = make_url(raw)
    except Exception:
        return [s for s in found if s]
    found.append(url.password or "")
    for key in _password_options(url):
        value = url.query[key]
        found += [value] if isinstance(value, str) else list(value)
    return [s for s in found if s]


def _password_options(url: URL) -> list[str]:
    """Query options that hold a password, e.g. libpq's ``password`` and ``sslpassword``."""
    return [key for key in url.query if "password" in key.lower()]
