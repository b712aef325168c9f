"""The input policy's first line (core.inputs): before any view runs, refuse a request whose query
string, form fields or JSON body hold characters that no field may ever contain, or whose body is
larger than the server accepts. The answer is a 400 (413 for size) that names the parameter: JSON
under /api/, a page elsewhere."""

import json
from dataclasses import asdict

from csp.constants import HEADER as CSP_HEADER
from csp.constants import HEADER_REPORT_ONLY as CSP_HEADER_RO
from csp.middleware import CheckableLazyObject, CSPMiddleware
from csp.utils import build_policy
from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, ValidationError
from django.http import JsonResponse
from django.shortcuts import render
from django.urls import Resolver404, resolve
from django.utils.translation import gettext as _

from core.inputs import check_text, field_labels

_JSON_TYPES = ("application/json", "application/vnd.api+json")


class Refused(Exception):
    def __init__(self, errors, status=400):
        self.errors = errors
        self.status = status


def _check_pairs(pairs, errors):
    for key, values in pairs:
        for text in [key, *values]:
            if isinstance(text, str):
                try:
                    check_text(text, multiline=True)
                except ValidationError as error:
                    errors.setdefault(_safe_key(key), []).extend(error.messages)
                    break


def _safe_key(key):
    """A parameter name fit to appear in the answer (a refused name is replaced)."""
    try:
        check_text(key, multiline=False)
    except ValidationError:
        return "non_field_errors"
    return key[:100]


def _walk(value, top, errors):
    if isinstance(value, str):
        try:
            check_text(value, multiline=True)
        except ValidationError as error:
            errors.setdefault(top, []).extend(error.messages)
            return False
    elif isinstance(value, dict):
        for key, inner in value.items():
            if not _walk(key, top, errors) or not _walk(inner, top, errors):
                return False
    elif isinstance(value, list):
        for inner in value:
            if not _walk(inner, top, errors):
                return False
    return True


def _check_json(body, errors):
    try:
        document = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return  # not JSON: the parser answers that
    if isinstance(document, dict):
        for key, value in document.items():
            _walk(value, _safe_key(key) if isinstance(key, str) else "non_field_errors", errors)
            if _safe_key(key) == "non_field_errors" and key:
                errors.setdefault("non_field_errors", []).append(_("A field name contains a character that is not allowed."))
    else:
        _walk(document, "non_field_errors", errors)


class InputPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            self._check(request)
        except Refused as refused:
            return self._refuse(request, refused)
        return self.get_response(request)

    def _check(self, request):
        errors = {}
        try:
            _check_pairs(request.GET.lists(), errors)
            if request.method in ("POST", "PUT", "PATCH", "DELETE"):
                content_type = request.content_type or ""
                if content_type in _JSON_TYPES:
                    _check_json(request.body, errors)
                elif content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
                    _check_pairs(request.POST.lists(), errors)
        except RequestDataTooBig:
            raise Refused({"non_field_errors": [_("The request is too large.")]}, status=413) from None
        except TooManyFieldsSent:
            raise Refused({"non_field_errors": [_("The request has too many fields.")]}) from None
        if errors:
            raise Refused(errors)

    def _refuse(self, request, refused):
        if request.path.startswith("/api/"):
            return JsonResponse(refused.errors, status=refused.status, json_dumps_params={"ensure_ascii": False})
        # A page names each field by the label its form shows (a code like "refuse-comment" means
        # nothing to the person who typed into 意见).
        app = _app_of(request)
        errors = [
            {"label": "、".join(field_labels(key, app=app)) or (None if key == "non_field_errors" else key),
             "messages": messages}
            for key, messages in refused.errors.items()
        ]
        return render(request, "input_refused.html", {"errors": errors}, status=refused.status)


def _app_of(request):
    """The project app whose view serves this path (its forms' labels come first), or None."""
    try:
        match = resolve(request.path_info)
    except Resolver404:
        return None
    module = getattr(match.func, "__module__", "") or ""
    return module.split(".")[0] or None


# --- the Content-Security-Policy header, built once ---------------------------------------------


_CSP_CUSTOM = ("_csp_config", "_csp_update", "_csp_replace", "_csp_config_ro", "_csp_update_ro", "_csp_replace_ro",
               "_csp_exempt", "_csp_exempt_ro")


class SiteCSPMiddleware(CSPMiddleware):
    """django-csp's middleware, but the site-wide policy (settings.CONTENT_SECURITY_POLICY) is
    built once per process rather than for every response: almost every response, and every cached
    public page, carries it unchanged. A view that adjusts the policy (csp_update …), a nonce, an
    excluded prefix or a debug error page goes through django-csp as before."""

    _built = None

    def process_response(self, request, response):
        if getattr(request, "_csp_nonce", None) is not None or any(getattr(response, name, None) for name in _CSP_CUSTOM) \
                or CSP_HEADER in response or CSP_HEADER_RO in response or _excluded(request):
            return super().process_response(request, response)
        if response.status_code in (404, 500) and settings.DEBUG:
            return response
        if SiteCSPMiddleware._built is None:
            SiteCSPMiddleware._built = (self._policy(request, response, False), self._policy(request, response, True))
        policy, report_only = SiteCSPMiddleware._built
        if policy:
            response[CSP_HEADER] = policy
        if report_only:
            response[CSP_HEADER_RO] = report_only
        request.csp_nonce = CheckableLazyObject(self._csp_nonce_post_response)
        return response

    def _policy(self, request, response, report_only):
        return build_policy(**asdict(self.get_policy_parts(request=request, response=response, report_only=report_only)),
                            report_only=report_only)


def _excluded(request):
    for name in ("CONTENT_SECURITY_POLICY", "CONTENT_SECURITY_POLICY_REPORT_ONLY"):
        prefixes = (getattr(settings, name, None) or {}).get("EXCLUDE_URL_PREFIXES") or ()
        if prefixes and request.path_info.startswith(tuple(prefixes)):
            return True
    return False
