"""Sign-in for members' browsers when read keys are required (PROCSEARCH_API_KEYS).

A browser cannot add an `Authorization` header to a link, so the search page would be closed to members.
`POST /signin` checks the key and keeps it in a cookie that scripts cannot read (HttpOnly) and that other
sites' pages do not send along with their own requests (SameSite=Lax: a link from a mail to a search still
opens signed in, a form posted from another site does not carry it). The cookie is accepted for reads only
(service/auth.py), lasts until the browser closes, and is `Secure` when the page came over HTTPS.
`POST /signout` clears it.
"""

from __future__ import annotations

from urllib.parse import quote

from litestar import Request, get, post
from litestar.datastructures import Cookie
from litestar.response import Redirect, Template

from service.auth import COOKIE, PUBLIC, key_matches, reader_keys
from service.i18n import choose_ui, translations
from service.settings import Settings

MAX_FORM_BYTES = 8 * 1024
"""A sign-in form is a key and a return path: a larger body is not one."""

WORDS = {
    "fr": {
        "signin_title": "Connexion",
        "signin_intro": "Ce serveur exige une clé d'accès. Saisissez la clé "
        "que votre réseau vous a remise ; elle reste dans ce navigateur jusqu'à sa fermeture.",
        "signin_key": "Clé d'accès",
        "signin_submit": "Se connecter",
        "signin_wrong": "Cette clé n'est pas reconnue.",
        "signout": "Se déconnecter",
    },
    "en": {
        "signin_title": "Sign in",
        "signin_intro": "This server requires an access key. Enter the key your "
        "network gave you; this browser keeps it until it closes.",
        "signin_key": "Access key",
        "signin_submit": "Sign in",
        "signin_wrong": "This key is not recognised.",
        "signout": "Sign out",
    },
}


def safe_next(target: str | None) -> str:
    """Where to go after signing in: a path on this site only (never `//host` or a full URL)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


def render_signin(request: Request, status: int = 200, error: bool = False, target: str | None = None) -> Template:
    """The sign-in form, in the member's language; the page routes answer a missing key with it (401)."""
    explicit = request.query_params.get("ui")
    ui = choose_ui(explicit, request.headers.get("accept-language"))
    context = translations(ui)
    t = {**context["t"], **WORDS[ui]}  # type: ignore[dict-item]
    here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    context.update(
        t=t,
        ui=ui,
        ui_param=explicit if explicit == ui else None,
        switch=[],
        home_url="/",
        title=t["signin_title"],
        error=t["signin_wrong"] if error else None,
        next=safe_next(target if target is not None else here),
    )
    return Template(
        template_name="signin.html",
        context=context,
        status_code=status,
        headers={"Content-Language": ui, "Cache-Control": "no-store"},
    )


@get("/signin", include_in_schema=False, name="signin-form", opt={"access": PUBLIC})
async def signin_form(request: Request) -> Template:
    return render_signin(request, target=request.query_params.get("next"))


@post("/signin", include_in_schema=False, name="signin", opt={"access": PUBLIC}, request_max_body_size=MAX_FORM_BYTES)
async def signin(request: Request, settings: Settings) -> Template | Redirect:
    form = await request.form()
    key, target = str(form.get("key") or "").strip(), safe_next(str(form.get("next") or "/"))
    if not settings.api_keys:
        return Redirect(path=target, status_code=303)  # nothing to sign in to
    if not key_matches(key.encode("utf-8"), reader_keys(settings)):
        return render_signin(request, status=401, error=True, target=target)
    cookie = Cookie(
        key=COOKIE,
        value=quote(key, safe=""),
        path="/",
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
    )
    return Redirect(path=target, status_code=303, cookies=[cookie])


@post("/signout", include_in_schema=False, name="signout", opt={"access": PUBLIC}, request_max_body_size=MAX_FORM_BYTES)
async def signout() -> Redirect:
    return Redirect(
        path="/signin",
        status_code=303,
        cookies=[Cookie(key=COOKIE, value="", path="/", httponly=True, samesite="lax", max_age=0)],
    )


SIGNIN_ROUTES = [signin_form, signin, signout]
