"""The direct providers' routes (Gemini's Interactions API, Kling's own API, fal's queue, Replicate), registered ahead
of the gateways' (Kling's ``/v1/videos/{family}`` must win over OpenAI's ``/v1/videos/{id}``) but for fal's
``/{owner}/{app}``, registered after every other route, and the paths whose routes check their own credentials (a Kling JWT, Replicate's
problem-document 401, Gemini's ``x-goog-api-key``) instead of the shared ``Bearer`` check."""

from __future__ import annotations

from . import fal_routes, google_interactions_routes, kling_official_routes, replicate_routes

ROUTES = google_interactions_routes.ROUTES + kling_official_routes.ROUTES + replicate_routes.ROUTES
# fal's queue paths are any ``/{owner}/{app}...``: they would catch OpenRouter's ``/api/v1/videos``, Vidu's
# ``/ent/v2/...``, Google's token endpoint and the other providers' own paths, so they are tried after every other
# route.
CATCH_ALL_ROUTES = fal_routes.ROUTES
OWN_CREDENTIALS = kling_official_routes.AUTH_PATHS + replicate_routes.AUTH_PATHS + google_interactions_routes.AUTH_PATHS


def checks_own_credentials(path: str) -> bool:
    """True for paths whose routes check the credentials themselves."""
    return any(pattern.match(path) for pattern in OWN_CREDENTIALS)
