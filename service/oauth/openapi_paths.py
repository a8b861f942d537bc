"""The OAuth protocol endpoints as OpenAPI paths. Their handlers read forms by hand (the protocol's
rules on repeated and unknown parameters are stricter than a schema), so the framework cannot
describe them; this does, for the document and the SDKs generated from it."""

from __future__ import annotations

from typing import Any

__all__ = ["OAUTH_PATHS"]

_CLIENT = {
    "client_id": {"type": "string", "description": "Public clients (and client_secret_post) send it here."},
    "client_secret": {"type": "string", "description": "client_secret_post only; else HTTP Basic."},
}
_TOKEN_HINT = {"type": "string", "enum": ["access_token", "refresh_token"]}
_OAUTH_ERROR: dict[str, Any] = {
    "description": "An RFC 6749 error (`error`, `error_description`), with the problem-details members alongside.",
    "content": {
        "application/json": {
            "schema": {
                "type": "object",
                "required": ["error"],
                "properties": {
                    "error": {"type": "string", "examples": ["invalid_grant"]},
                    "error_description": {"type": "string"},
                },
            }
        }
    },
}
_ANSWERS: dict[str, Any] = {
    "400": _OAUTH_ERROR,
    "401": {**_OAUTH_ERROR, "description": "The client failed to authenticate (`invalid_client`)."},
    "429": {**_OAUTH_ERROR, "description": "Over the client's token-endpoint limit (`slow_down`, `Retry-After`)."},
}
_CLIENT_AUTH = (
    " Clients authenticate with `client_secret_basic` (HTTP Basic, client id and secret) or"
    " `client_secret_post`; public clients send `client_id` alone."
)


def _form(properties: dict[str, Any], required: list[str]) -> dict[str, Any]:
    return {
        "required": True,
        "content": {
            "application/x-www-form-urlencoded": {
                "schema": {"type": "object", "required": required, "properties": {**properties, **_CLIENT}}
            }
        },
    }


def _operation(operation_id: str, summary: str, body: dict[str, Any], ok: dict[str, Any]) -> dict[str, Any]:
    return {
        "post": {
            "tags": ["OAuth"],
            "operationId": operation_id,
            "summary": summary,
            "description": summary + "." + _CLIENT_AUTH,
            "security": [],
            "requestBody": body,
            "responses": {"200": ok, **_ANSWERS},
        }
    }


OAUTH_PATHS: dict[str, Any] = {
    "/api/v1/oauth/token": _operation(
        "oauthToken",
        "Exchange an authorization code (with its PKCE verifier) or a refresh token for a new pair of tokens",
        _form(
            {
                "grant_type": {"type": "string", "enum": ["authorization_code", "refresh_token"]},
                "code": {"type": "string", "description": "authorization_code: the code from the redirect."},
                "redirect_uri": {"type": "string", "description": "authorization_code: exactly as authorized."},
                "code_verifier": {"type": "string", "description": "authorization_code: the PKCE verifier."},
                "refresh_token": {"type": "string", "description": "refresh_token: the current refresh token."},
                "scope": {"type": "string", "description": "refresh_token: a narrower set, space-separated."},
            },
            ["grant_type"],
        ),
        {
            "description": "The tokens (`Cache-Control: no-store`); every refresh rotates both.",
            "content": {
                "application/json": {
                    "schema": {
                        "type": "object",
                        "required": ["access_token", "token_type", "expires_in", "refresh_token", "scope"],
                        "properties": {
                            "access_token": {"type": "string", "examples": ["jst_at_…"]},
                            "token_type": {"type": "string", "enum": ["Bearer"]},
                            "expires_in": {"type": "integer"},
                            "refresh_token": {"type": "string", "examples": ["jst_rt_…"]},
                            "scope": {"type": "string"},
                        },
                    }
                }
            },
        },
    ),
    "/api/v1/oauth/revoke": _operation(
        "oauthRevoke",
        "Revoke a token (RFC 7009): either token of a grant ends the whole grant",
        _form({"token": {"type": "string"}, "token_type_hint": _TOKEN_HINT}, ["token"]),
        {
            "description": "Revoked, or not a token of this client (which is no error).",
            "content": {"application/json": {"schema": {"type": "object"}}},
        },
    ),
    "/api/v1/oauth/introspect": _operation(
        "oauthIntrospect",
        "Introspect a token (RFC 7662), for the client it was issued to",
        _form({"token": {"type": "string"}, "token_type_hint": _TOKEN_HINT}, ["token"]),
        {
            "description": "`active: false` for any token that is not a live token of this client.",
            "content": {
                "application/json": {
                    "schema": {
                        "type": "object",
                        "required": ["active"],
                        "properties": {
                            "active": {"type": "boolean"},
                            "scope": {"type": "string"},
                            "client_id": {"type": "string"},
                            "token_type": {"type": "string"},
                            "exp": {"type": "integer"},
                            "iat": {"type": "integer"},
                            "sub": {"type": "string", "description": "The builder's id."},
                            "iss": {"type": "string"},
                        },
                    }
                }
            },
        },
    ),
}
